// A Server-Sent Events client for tests, on fetch: it keeps every event and comment it receives,
// dispatched as the browser's EventSource would, so a test can assert on ids, order and pings.

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field
type Json = Record<string, any>;

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A Server-Sent Events client on fetch: events as the browser's EventSource would dispatch them. */
export class Sse {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  status = 0;
  contentType: string | null = null;
  cacheControl: string | null = null;
  body = '';
  ended = false;
  error: unknown;
  private readonly abort = new AbortController();
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  /** Connects; `read: false` leaves the body unread (a stalled client) until `start()`. */
  static async open(url: string, headers: Record<string, string> = {}, read = true): Promise<Sse> {
    const s = new Sse();
    const res = await fetch(url, { headers, signal: s.abort.signal });
    s.status = res.status;
    s.contentType = res.headers.get('content-type');
    s.cacheControl = res.headers.get('cache-control');
    if (res.status !== 200) {
      s.body = await res.text();
      s.ended = true;
      return s;
    }
    s.reader = res.body!.getReader();
    if (read) s.start();
    return s;
  }

  start(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await this.reader!.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        for (let cut = buf.search(/\r?\n\r?\n/); cut >= 0; cut = buf.search(/\r?\n\r?\n/)) {
          const sep = /\r?\n\r?\n/.exec(buf)!;
          this.dispatch(buf.slice(0, cut));
          buf = buf.slice(cut + sep[0].length);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.error = err;
    }
    this.ended = true;
  }

  private dispatch(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (data.length > 0) this.events.push({ id, event, data: data.join('\n') });
  }

  /** The `item` events, parsed, with their event id. */
  items(): (Json & { eventId: string | undefined })[] {
    return this.events
      .filter((e) => e.event === 'item')
      .map((e) => ({ ...(JSON.parse(e.data) as Json), eventId: e.id }));
  }

  of(event: string): Json[] {
    return this.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data) as Json);
  }

  close(): void {
    this.abort.abort();
  }
}
