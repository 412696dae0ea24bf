import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_COURSE_SETTINGS } from '../catalog/schemas.js';
import { assessRisk, compareUrgency, median } from './at-risk.js';
import { engagementScore } from './score.js';
import { streaks } from './streak.js';

const weights = DEFAULT_COURSE_SETTINGS.engagementWeights;
const DAY = 86_400_000;

it('scores engagement with the SPEC weights, each component capped at full', () => {
  const full = engagementScore(
    { visits7d: 9, avgSessionSec: 4000, videoWatchedPercent: 100, scrollDepthPercent: 100 },
    weights,
  );
  assert.equal(full.score, 100);
  // 2 of 5 visits (16), 15 of 30 minutes (15), half the video (7.5), no scrolling data (0).
  const some = engagementScore(
    { visits7d: 2, avgSessionSec: 900, videoWatchedPercent: 50, scrollDepthPercent: null },
    weights,
  );
  assert.deepEqual(some.components, { visits: 16, timeOnTask: 15, videoWatched: 7.5, scrollDepth: 0 });
  assert.equal(some.score, 38.5);
  // Weights that do not add up to 100 still give 0–100.
  const doubled = engagementScore(
    { visits7d: 5, avgSessionSec: 0, videoWatchedPercent: 0, scrollDepthPercent: 0 },
    { visits: 80, timeOnTask: 60, videoWatched: 30, scrollDepth: 30 },
  );
  assert.equal(doubled.score, 40);
});

it('counts streaks of local days ending today or yesterday', () => {
  assert.deepEqual(streaks(['2026-03-01', '2026-03-02', '2026-03-03'], '2026-03-03'), {
    current: 3,
    longest: 3,
  });
  assert.deepEqual(streaks(['2026-03-01', '2026-03-02'], '2026-03-03'), { current: 2, longest: 2 });
  assert.deepEqual(streaks(['2026-03-01', '2026-03-02'], '2026-03-04'), { current: 0, longest: 2 });
  assert.deepEqual(streaks(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-05'], '2026-03-05'), {
    current: 1,
    longest: 3,
  });
  assert.deepEqual(streaks([], '2026-03-05'), { current: 0, longest: 0 });
});

it('explains each risk in plain words and ranks the most urgent first', () => {
  const now = Date.UTC(2026, 5, 10);
  const settings = DEFAULT_COURSE_SETTINGS;
  const base = {
    enrolledAt: now - 60 * DAY,
    progressPercent: 50,
    failing: [],
    activeMsLast7: 3_600_000,
    activeMsPrevious7: 3_600_000,
  };
  const fine = assessRisk({ ...base, lastActivityAt: now - DAY }, 50, settings, now);
  assert.deepEqual([fine.level, fine.reasons], ['none', []]);
  const idle = assessRisk({ ...base, lastActivityAt: now - 9 * DAY - 1000 }, 50, settings, now);
  assert.deepEqual(
    idle.reasons.map((r) => r.message),
    ['no activity for 9 days'],
  );
  assert.equal(idle.level, 'high');
  const behind = assessRisk({ ...base, lastActivityAt: now - DAY, progressPercent: 25 }, 65, settings, now);
  assert.deepEqual(
    behind.reasons.map((r) => r.message),
    ['progress 40 points behind the course median (25 % vs 65 %)'],
  );
  assert.equal(behind.level, 'medium');
  const failing = assessRisk(
    { ...base, lastActivityAt: now - DAY, failing: [{ itemId: 'q', title: 'Quiz 1', failures: 2 }] },
    50,
    settings,
    now,
  );
  assert.deepEqual(
    failing.reasons.map((r) => r.code),
    ['failing'],
  );
  const declining = assessRisk(
    { ...base, lastActivityAt: now - DAY, activeMsLast7: 1_800_000 },
    50,
    settings,
    now,
  );
  assert.deepEqual(
    declining.reasons.map((r) => r.code),
    ['declining'],
  );
  const never = assessRisk(
    { ...base, lastActivityAt: null, activeMsLast7: 0, activeMsPrevious7: 0 },
    0,
    settings,
    now,
  );
  assert.equal(never.reasons[0]!.message, 'no activity since enrolling 60 days ago');
  // Completed every item: never at risk, however long ago or however behind the rules say.
  const done = assessRisk(
    {
      ...base,
      lastActivityAt: now - 30 * DAY,
      progressPercent: 100,
      activeMsLast7: 0,
      activeMsPrevious7: DAY,
    },
    100,
    settings,
    now,
  );
  assert.deepEqual([done.level, done.reasons, done.inactiveDays], ['none', [], 30]);
  const row = (risk: typeof fine, userId: string) => ({ risk, progressPercent: 50, userId });
  const ranked = [row(behind, 'b'), row(fine, 'f'), row(idle, 'i')].sort(compareUrgency).map((r) => r.userId);
  assert.deepEqual(ranked, ['i', 'b', 'f']);
});

it('takes the median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), 0);
});
