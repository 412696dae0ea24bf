import { ASSESSMENT_TYPES, attemptsOf } from '../domain/assessments/attempts.js';
import {
  ASSESSMENT_TABLES,
  deleteUserAssessments,
  upsertAttempts,
  upsertCertificates,
} from '../store/assessments/write.js';
import type { Projection } from './projection.js';

/**
 * Assessment attempts and certificates. An attempt belongs to its item's catalog course, else to
 * the course its event names; an item arriving in the catalog later rebuilds its learners.
 */
export const assessmentsProjection: Projection = {
  name: 'assessments',
  version: 1,
  eventTypes: new Set([...ASSESSMENT_TYPES, 'certification_issued']),
  tables: ASSESSMENT_TABLES,
  async apply(tx, events, ctx) {
    const submissions = events.filter((e) => e.type !== 'certification_issued');
    await upsertAttempts(
      tx,
      attemptsOf(submissions, (e) => ctx.courseOf(e)),
    );
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
  },
  resetUser: deleteUserAssessments,
};
