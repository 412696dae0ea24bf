import { type DemoCourse, LIVE_COURSE_ID, type LearnerProfile } from './catalog.js';
import type { Rng } from './random.js';
import type { DemoItem, PlannedEvent } from './study.js';
import { planViewing, viewingBeats } from './viewing.js';

const DAY = 86_400_000;

/** The recording watched in the days after: mostly by those who missed the session, in parts. */
export function recordingViews(
  recording: DemoItem,
  course: DemoCourse,
  registered: readonly string[],
  attendees: readonly string[],
  end: number,
  now: number,
  learners: ReadonlyMap<string, LearnerProfile>,
  rng: Rng,
): PlannedEvent[] {
  const came = new Set(attendees);
  const reg = new Set(registered);
  const viewers = course.students.filter((id) => rng.chance(came.has(id) ? 0.08 : reg.has(id) ? 0.35 : 0.06));
  const events: PlannedEvent[] = [];
  for (const userId of viewers) {
    const learner = learners.get(userId)!;
    const plan = planViewing(recording.durationSec!, 0.7, rng);
    const at = end + rng.between(0.1, 5) * DAY;
    if (at > now - 2 * 3_600_000) continue;
    const { beats } = viewingBeats(plan, 0, plan.totalSec, learner.rate, 90);
    for (const b of beats) {
      events.push({
        type: 'video_heartbeat',
        at: Math.round(at + b.wallSec * 1000),
        userId,
        courseId: LIVE_COURSE_ID,
        itemId: recording.id,
        device: learner.device,
        data: {
          positionSec: b.positionSec,
          durationSec: recording.durationSec,
          segments: b.segments,
          ...(learner.rate !== 1 ? { playbackRate: learner.rate } : {}),
          ...(b.ended ? { ended: true } : {}),
        },
      });
    }
  }
  return events;
}
