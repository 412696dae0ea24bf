import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';

/**
 * A helper process of the feed bench (the subscribers, the commit listener), forked with tsx and
 * driven by request/answer messages over IPC, so that its event loop is not the load generator's.
 */
export class Helper {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly exited: Promise<unknown>;
  private tail = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error));
    });
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-4000);
      process.stderr.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = once(child, 'exit');
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error(`helper exited\n${this.tail}`));
      this.waiting.clear();
    });
  }

  static start(modulePath: string): Helper {
    const child = fork(modulePath, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new Helper(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request<T>(cmd: string, args: unknown = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The child's side: answers each request with its handler's result. */
export function serveRequests(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (m: { id: number; cmd: string; args: unknown }) => {
    const handler = handlers[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        return handler(m.args as never);
      })
      .then(
        (result) => process.send?.({ id: m.id, ok: true, result }),
        (err: unknown) => process.send?.({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
