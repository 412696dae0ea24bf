import type { LearnpulseEvent } from './types.js';

/** Events sent at once and never evicted before the rest: completions and submissions. */
const IMPORTANT = /^(lesson_complete|quiz_submit|assignment_submit|certification_issued)$/;

/** True for events worth a request of their own right away (a video's last heartbeat too). */
export const isImportant = (e: LearnpulseEvent): boolean =>
  IMPORTANT.test(e.type) || (e.type === 'video_heartbeat' && e.data?.ended === true);

const encoder = new TextEncoder();
/** Bytes of a string once UTF-8 encoded: request limits count bytes, not characters. */
export const byteLength = (s: string): number => encoder.encode(s).length;

/** A batch ready to send: its events in order and the request body. */
export interface Batch {
  events: LearnpulseEvent[];
  body: string;
}

/**
 * The events waiting to be acknowledged, oldest first, at most `cap` of them. Past the cap the
 * oldest event that is not important is evicted (a heartbeat or scroll depth from long ago is
 * worth less than a completion); only a buffer of nothing but important events loses its oldest.
 */
export class EventQueue {
  private readonly items = new Map<string, LearnpulseEvent>();

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.items.size;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Adds an event (an id already present is ignored); returns the events evicted to stay under the cap. */
  add(e: LearnpulseEvent): LearnpulseEvent[] {
    if (this.items.has(e.id)) return [];
    this.items.set(e.id, e);
    const evicted: LearnpulseEvent[] = [];
    while (this.items.size > this.cap) {
      let victim: LearnpulseEvent | undefined;
      for (const x of this.items.values()) {
        if (!isImportant(x)) {
          victim = x;
          break;
        }
      }
      victim ??= this.items.values().next().value as LearnpulseEvent;
      this.items.delete(victim.id);
      evicted.push(victim);
    }
    return evicted;
  }

  /** Puts events loaded from storage before those tracked since (they are older); returns those evicted. */
  restore(events: readonly LearnpulseEvent[]): LearnpulseEvent[] {
    const newer = [...this.items.values()];
    this.items.clear();
    const evicted: LearnpulseEvent[] = [];
    for (const e of [...events, ...newer]) evicted.push(...this.add(e));
    return evicted;
  }

  /** Every waiting event, oldest first. */
  all(): LearnpulseEvent[] {
    return [...this.items.values()];
  }

  /** Removes events by id; returns those that were there. */
  remove(ids: readonly string[]): LearnpulseEvent[] {
    const out: LearnpulseEvent[] = [];
    for (const id of ids) {
      const e = this.items.get(id);
      if (e && this.items.delete(id)) out.push(e);
    }
    return out;
  }

  /**
   * The oldest events not `skip`ped, at most `maxEvents` and `maxBytes` of request body (one
   * event is always taken, however large: the server then says whether it is too large).
   * `stamp` adds what is known only at send time (the user) to each event of the body.
   */
  batch(
    maxEvents: number,
    maxBytes: number,
    skip: (id: string) => boolean,
    stamp: (e: LearnpulseEvent) => LearnpulseEvent = (e) => e,
  ): Batch | undefined {
    const events: LearnpulseEvent[] = [];
    const parts: string[] = [];
    let bytes = 13; // {"events":[]}
    for (const e of this.items.values()) {
      if (events.length >= maxEvents) break;
      if (skip(e.id)) continue;
      const json = JSON.stringify(stamp(e));
      const size = byteLength(json) + 1;
      if (events.length > 0 && bytes + size > maxBytes) break;
      events.push(e);
      parts.push(json);
      bytes += size;
    }
    return events.length === 0 ? undefined : { events, body: `{"events":[${parts.join(',')}]}` };
  }
}
