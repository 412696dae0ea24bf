import assert from 'node:assert/strict';
import { it } from 'node:test';
import { studentsCsv } from './csv.js';
import type { LearnerEngagement } from './roster.js';

const learner = (over: Partial<LearnerEngagement>): LearnerEngagement => ({
  userId: 'u1',
  displayName: 'Ada',
  timezone: 'UTC',
  visits7d: 1,
  timeOnTaskSec: 60,
  sessions: 1,
  avgSessionSec: 60,
  videoWatchedPercent: null,
  scrollDepthPercent: 12.5,
  itemsCompleted: 0,
  progressPercent: 0,
  startedAt: null,
  lastActivityAt: null,
  engagement: { score: 10, components: { visits: 8, timeOnTask: 1, videoWatched: 0, scrollDepth: 1 } },
  risk: { level: 'none', reasons: [], inactiveDays: 0 },
  ...over,
});

it('writes CSV that opens cleanly in Excel: BOM, RFC 4180 quoting, CRLF, no formulas', () => {
  const csv = studentsCsv([
    learner({ displayName: 'O\'Neil, "Grace"' }),
    learner({
      userId: 'u2',
      displayName: '=HYPERLINK("x")',
      risk: {
        level: 'high',
        reasons: [
          { code: 'inactive', message: 'no activity for 9 days' },
          { code: 'behind', message: 'behind' },
        ],
        inactiveDays: 9,
      },
    }),
  ]);
  assert.ok(csv.startsWith('\uFEFFuserId,displayName,'));
  const lines = csv.slice(1).split('\r\n');
  assert.equal(lines[1], 'u1,"O\'Neil, ""Grace""",10,none,,0,0,1,60,1,60,,12.5,,');
  assert.equal(
    lines[2],
    `u2,"'=HYPERLINK(""x"")",10,high,no activity for 9 days; behind,0,0,1,60,1,60,,12.5,,`,
  );
});
