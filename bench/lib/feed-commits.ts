/**
 * The commit clock: a process of its own, idle but for this, LISTENing on the channel the server
 * announces committed feed rows on (payload: the highest seq the transaction wrote). PostgreSQL
 * delivers a notification when its transaction commits, and commits take the feed's seq in
 * order, so item `seq` was committed when the first notification with a payload ≥ seq arrived:
 * the instant a client can see the commit happen, timed on the clock the subscribers use.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { FEED_CHANNEL } from '../../src/store/feed/write.js';
import { clockMs } from './feed-data.js';
import { Helper, serveRequests } from './feed-helper.js';

export interface Commits {
  /** clockMs of each notification, in arrival order. */
  at: number[];
  /** Its payload: the highest seq committed by then. */
  last: number[];
  /** Notifications whose payload was below an earlier one's (commits out of seq order): none expected. */
  outOfOrder: number;
}

/** The parent's handle on the commit listener. */
export class CommitClock {
  private constructor(private readonly helper: Helper) {}

  static async start(url: string): Promise<CommitClock> {
    const helper = Helper.start(fileURLToPath(import.meta.url));
    await helper.request('listen', { url });
    return new CommitClock(helper);
  }

  get pid(): number {
    return this.helper.pid;
  }

  /** Every notification so far. */
  read(): Promise<Commits> {
    return this.helper.request<Commits>('read');
  }

  stop(): Promise<void> {
    return this.helper.stop();
  }
}

/** The transaction that committed a seq: when its notification arrived, and its seqs. */
export interface CommitSpan {
  at: number;
  first: number;
  last: number;
}

/**
 * The commit of a seq: the first notification covering it (undefined when none does yet).
 * @example commitOf(commits)(1234)?.at // clockMs when seq 1234 was committed
 */
export function commitOf(c: Commits): (seq: number) => CommitSpan | undefined {
  return (seq) => {
    let lo = 0;
    let hi = c.last.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c.last[mid]! >= seq) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= c.at.length) return undefined;
    return { at: c.at[lo]!, first: lo === 0 ? 1 : c.last[lo - 1]! + 1, last: c.last[lo]! };
  };
}

function child(): void {
  const commits: Omit<Commits, 'outOfOrder'> = { at: [], last: [] };
  let high = 0;
  let outOfOrder = 0;
  let sql: postgres.Sql | undefined;
  serveRequests({
    listen: async ({ url }: { url: string }) => {
      sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql.listen(FEED_CHANNEL, (payload) => {
        const at = clockMs();
        const last = Number(payload);
        // Commits take the seq in order, so payloads only grow; count it if one did not.
        if (last < high) outOfOrder++;
        high = Math.max(high, last);
        commits.at.push(at);
        commits.last.push(high);
      });
      return true;
    },
    read: () => ({ ...commits, outOfOrder }),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) child();
