import type { ServerResponse } from 'node:http';
import { admits, type FeedEntry, feedEntry } from '../analytics/feed.js';
import type { LiveSession } from '../store/catalog/live-sessions.js';
import type { Queryable } from '../store/db.js';
import { type FeedFilter, type FeedScope, feedAfter } from '../store/feed/read.js';
import type { FeedListener } from './hub.js';
import type { LiveFiguresMessage } from './live-figures.js';

const PAGE = 500;

/**
 * An event's SSE frame, built once however many streams it goes to (the hub and the live figures
 * hand the same object to every stream).
 */
const frames = new WeakMap<object, string>();
function frameOf(event: 'item' | 'removed' | 'live_session', data: FeedEntry | LiveFiguresMessage): string {
  let frame = frames.get(data);
  if (frame === undefined) {
    if (event === 'live_session') frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    else {
      const e = data as FeedEntry;
      // A removal says which item went; the rest of the entry described what is no longer so.
      const body = event === 'removed' ? { id: e.id, seq: e.seq, type: e.type } : e;
      frame = `id: ${e.seq}\nevent: ${event}\ndata: ${JSON.stringify(body)}\n\n`;
    }
    frames.set(data, frame);
  }
  return frame;
}

/** Items held for a stream while it catches up; more means it is too far behind. */
const MAX_HELD = 10_000;

/** A committed feed row as a stream passes it on: an item, or the removal of one. */
interface Change {
  entry: FeedEntry;
  removed: boolean;
}

/**
 * One Server-Sent Events subscriber. Items and removals carry their seq as the event id; a client
 * resuming with `Last-Event-ID` first gets what was committed after it (read from the database,
 * while new ones are held), then the held ones it has not had: no gap, no repeat. A client that lets
 * `maxBufferBytes` pile up unsent is told to resync (`event: resync`) and disconnected; its
 * Last-Event-ID resumes it where it was.
 */
export class FeedStream implements FeedListener {
  private held: Change[] | null = null;
  private sent = 0;
  private closed = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly scope: FeedScope,
    private readonly filter: FeedFilter,
    private readonly maxBufferBytes: number,
    private readonly onEnd: () => void,
  ) {
    raw.on('close', () => this.end());
  }

  /** Starts the stream: resumes after `lastEventId`, or from `position` (the hub's, items after it follow). */
  async open(db: Queryable, position: number, lastEventId: number | undefined): Promise<void> {
    this.write('retry: 2000\n\n');
    if (lastEventId === undefined) {
      this.sent = position;
      this.write(`id: ${position}\nevent: ready\ndata: ${JSON.stringify({ position })}\n\n`);
      return;
    }
    this.held = [];
    this.sent = lastEventId;
    for (;;) {
      const rows = await feedAfter(db, this.sent, PAGE, this.scope, this.filter);
      if (this.closed) return;
      for (const row of rows) this.send({ entry: feedEntry(row), removed: row.removed });
      if (rows.length < PAGE) break;
    }
    const held = this.held;
    this.held = null;
    for (const c of held) this.pass(c);
    this.write(`event: ready\ndata: ${JSON.stringify({ position: this.sent })}\n\n`);
  }

  item(entry: FeedEntry): void {
    this.pass({ entry, removed: false });
  }

  removed(entry: FeedEntry): void {
    this.pass({ entry, removed: true });
  }

  private pass(c: Change): void {
    if (this.closed) return;
    if (this.held) {
      if (this.held.length >= MAX_HELD) this.resync();
      else this.held.push(c);
      return;
    }
    if (admits(this.scope, this.filter, c.entry)) this.send(c);
  }

  /** Running figures of a live session this stream may see (its course, or one it runs). */
  figures(f: LiveFiguresMessage, session: LiveSession): void {
    if (this.closed || this.held) return;
    const s = this.scope;
    const visible =
      s.all ||
      s.sessions.includes(session.id) ||
      (session.courseId !== null && s.courses.includes(session.courseId));
    if (!visible) return;
    if (this.filter.courseId !== undefined && session.courseId !== this.filter.courseId) return;
    this.write(frameOf('live_session', f));
  }

  ping(): void {
    if (!this.closed) this.write(': ping\n\n');
  }

  /** Ends the stream (server shutdown): the client reconnects with its Last-Event-ID. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.onEnd();
    if (!this.raw.writableEnded) this.raw.end();
  }

  private send({ entry, removed }: Change): void {
    if (entry.seq <= this.sent) return;
    this.sent = entry.seq;
    this.write(frameOf(removed ? 'removed' : 'item', entry));
  }

  private resync(): void {
    if (this.closed) return;
    this.raw.write(
      `event: resync\ndata: ${JSON.stringify({ reason: 'too_far_behind', lastEventId: this.sent })}\n\n`,
    );
    this.end();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.raw.write(chunk);
    if (this.raw.writableLength > this.maxBufferBytes) this.resync();
  }
}
