import { ASSESSMENT_TYPES, attemptsOf } from '../domain/assessments/attempts.js';
import {
  ASSESSMENT_TABLES,
  deleteUserAssessments,
  upsertAttempts,
  upsertCertificates,
} from '../store/assessments/write.js';
import type { ApplyContext, Projection } from './projection.js';
import { readCertificates, readStoredAttempts } from '../store/assessments/read.js';
import { attemptFeed, certificateFeed } from '../domain/feed/items.js';
import type { Attempt } from '../domain/assessments/attempts.js';
import type { Queryable } from '../store/db.js';
import type { StoredEvent } from '../domain/events/types.js';

/** Feed items of the learners' assessments and certificates the batch touched, from the stored rows. */
async function reportFeed(
  tx: Queryable,
  ctx: ApplyContext,
  attempts: readonly Attempt[],
  certificates: readonly StoredEvent[],
): Promise<void> {
  const pairs = new Map(attempts.map((a) => [`${a.userId}\u0000${a.itemId}`, a]));
  if (pairs.size > 0) {
    const keys = [...pairs.values()].map((a) => ({ userId: a.userId, itemId: a.itemId }));
    const stored = await readStoredAttempts(tx, keys);
    for (const [k, a] of pairs) ctx.feed(attemptFeed(a.userId, a.itemId, stored.get(k) ?? []));
  }
  if (certificates.length > 0) {
    const rows = await readCertificates(
      tx,
      certificates.map((e) => ({ userId: e.userId, certificateId: String(e.data!.certificateId) })),
    );
    for (const c of rows) ctx.feed(certificateFeed(c));
  }
}

/**
 * Assessment attempts and certificates. An attempt belongs to its item's catalog course, else to
 * the course its event names; an item arriving in the catalog later rebuilds its learners.
 */
export const assessmentsProjection: Projection = {
  name: 'assessments',
  version: 2,
  eventTypes: new Set([...ASSESSMENT_TYPES, 'certification_issued']),
  tables: ASSESSMENT_TABLES,
  async apply(tx, events, ctx) {
    const submissions = events.filter((e) => e.type !== 'certification_issued');
    const attempts = attemptsOf(submissions, (e) => ctx.courseOf(e));
    await upsertAttempts(tx, attempts);
    const certificates = new Map<string, (typeof events)[number]>();
    for (const e of events) {
      if (e.type !== 'certification_issued') continue;
      const key = `${e.userId}\u0000${String(e.data?.certificateId)}`;
      const prev = certificates.get(key);
      if (!prev || e.occurredAt < prev.occurredAt || (e.occurredAt === prev.occurredAt && e.id < prev.id)) {
        certificates.set(key, e);
      }
    }
    await upsertCertificates(
      tx,
      [...certificates.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, e]) => ({
          userId: e.userId,
          certificateId: String(e.data!.certificateId),
          courseId: ctx.courseOf(e) ?? null,
          eventId: e.id,
          issuedAt: e.occurredAt,
        })),
    );
    await reportFeed(tx, ctx, attempts, [...certificates.values()]);
  },
  resetUser: deleteUserAssessments,
};
