import { actingUserId, type Principal } from '../auth/principal.js';
import type { LearningEvent, StoredEvent } from '../domain/events/types.js';
import type { Rejection, ValidationResult } from '../domain/events/validate.js';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../store/db.js';
import type { GroupCommitter } from './group-commit.js';
import { quizGateRejections } from './policies.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: (Rejection & { index: number })[];
  /** Not part of the HTTP answer: what this request added to the log, for the caller's own use. */
  stored: StoredEvent[];
}

export interface IngestLimits {
  maxEventsPerRequest: number;
}

/** Accepts `{ "events": [...] }` or a bare array; anything else is refused whole. */
export function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events)) {
    return (body as { events: unknown[] }).events;
  }
  throw new AppError('invalid_body', 'Send { "events": [...] } or a JSON array of events');
}

/**
 * The ingest pipeline for one request: validate each event on its own, refuse the request whole
 * if a learner names another user, then hand the valid events to the group committer and answer
 * after their commit.
 */
export async function ingest(
  committer: GroupCommitter,
  db: Queryable,
  validate: (raw: unknown, actingUserId?: string) => ValidationResult,
  principal: Principal,
  body: unknown,
  limits: IngestLimits,
): Promise<IngestResult> {
  const raws = eventsOf(body);
  if (raws.length === 0) throw new AppError('empty_batch');
  if (raws.length > limits.maxEventsPerRequest) {
    throw new AppError(
      'too_many_events',
      `At most ${limits.maxEventsPerRequest} events per request, got ${raws.length}`,
    );
  }
  const self = actingUserId(principal);
  if (self !== undefined) {
    const other = raws.findIndex(
      (r) =>
        typeof r === 'object' && r !== null && 'userId' in r && (r as { userId: unknown }).userId !== self,
    );
    if (other >= 0) throw new AppError('event_user_mismatch', undefined, { index: other });
  }
  const rejected: IngestResult['rejected'] = [];
  const checked: { index: number; event: LearningEvent }[] = [];
  for (let index = 0; index < raws.length; index++) {
    const r = validate(raws[index], self);
    if (r.ok) checked.push({ index, event: r.event });
    else rejected.push({ index, ...r.rejection });
  }
  const refused =
    self === undefined
      ? new Map<number, Rejection>()
      : await quizGateRejections(
          db,
          checked.map((c) => c.event),
        );
  const valid: LearningEvent[] = [];
  checked.forEach((c, k) => {
    const r = refused.get(k);
    if (r) rejected.push({ index: c.index, ...r });
    else valid.push(c.event);
  });
  rejected.sort((a, b) => a.index - b.index);
  if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, stored: [] };
  const outcome = await committer.submit(valid);
  if (outcome.refused.size > 0) {
    // Refused inside the commit (course rules): report each at its first position in the request.
    const reported = new Set<string>();
    for (const c of checked) {
      const r = outcome.refused.get(c.event.id);
      if (r && !reported.has(c.event.id)) {
        reported.add(c.event.id);
        rejected.push({ index: c.index, ...r });
      }
    }
    rejected.sort((a, b) => a.index - b.index);
  }
  return { accepted: outcome.accepted, duplicates: outcome.duplicates, rejected, stored: outcome.stored };
}
