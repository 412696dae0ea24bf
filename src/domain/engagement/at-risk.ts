/** The thresholds of the at-risk rules: course settings an instructor can tune. */
export interface RiskSettings {
  atRiskInactivityDays: number;
  atRiskProgressGap: number;
  atRiskFailedAttempts: number;
  atRiskActivityDrop: number;
}

/** Below this much time on task in the previous 7 days a fall is noise, not a trend. */
export const MIN_PREVIOUS_WEEK_MS = 5 * 60 * 1000;

export interface RiskFacts {
  /** Last learning activity in the course (epoch ms), or null if none. */
  lastActivityAt: number | null;
  enrolledAt: number;
  progressPercent: number;
  /** Assessments with failed attempts and no pass: title and number of failures. */
  failing: readonly { itemId: string; title: string; failures: number }[];
  /** Time on task in the learner's last 7 local days and the 7 before, in milliseconds. */
  activeMsLast7: number;
  activeMsPrevious7: number;
}

export type RiskCode = 'inactive' | 'behind' | 'failing' | 'declining';
export interface RiskReason {
  code: RiskCode;
  message: string;
}
export type RiskLevel = 'none' | 'medium' | 'high';

export interface Risk {
  level: RiskLevel;
  reasons: RiskReason[];
  /** Whole days since the last activity (or since enrolling, if never active). */
  inactiveDays: number;
}

const DAY = 86_400_000;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const round1 = (x: number) => Math.round(x * 10) / 10;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/**
 * The at-risk rules (SPEC §5), each with a reason in plain words so an instructor can see why:
 * no activity for `atRiskInactivityDays`, progress `atRiskProgressGap` points or more behind the
 * course median, `atRiskFailedAttempts` failed attempts on an assessment not yet passed, time on
 * task down `atRiskActivityDrop` % or more from the week before. Inactivity, or two reasons or
 * more, is high risk; one reason is medium. A learner who has completed every item is not at risk.
 */
export function assessRisk(f: RiskFacts, medianProgress: number, s: RiskSettings, now: number): Risk {
  const reasons: RiskReason[] = [];
  const since = f.lastActivityAt ?? f.enrolledAt;
  const inactiveDays = Math.max(0, Math.floor((now - since) / DAY));
  // Done is not at risk: a learner who completed every item may stop coming or slow down.
  if (f.progressPercent >= 100) return { level: 'none', reasons, inactiveDays };
  if (inactiveDays >= s.atRiskInactivityDays) {
    reasons.push({
      code: 'inactive',
      message:
        f.lastActivityAt === null
          ? `no activity since enrolling ${plural(inactiveDays, 'day')} ago`
          : `no activity for ${plural(inactiveDays, 'day')}`,
    });
  }
  const gap = medianProgress - f.progressPercent;
  if (gap >= s.atRiskProgressGap) {
    reasons.push({
      code: 'behind',
      message: `progress ${round1(gap)} points behind the course median (${round1(f.progressPercent)} % vs ${round1(medianProgress)} %)`,
    });
  }
  for (const a of f.failing) {
    if (a.failures >= s.atRiskFailedAttempts) {
      reasons.push({
        code: 'failing',
        message: `failed "${a.title}" ${plural(a.failures, 'time')} without passing`,
      });
    }
  }
  if (f.activeMsPrevious7 >= MIN_PREVIOUS_WEEK_MS) {
    const drop = ((f.activeMsPrevious7 - f.activeMsLast7) / f.activeMsPrevious7) * 100;
    if (drop >= s.atRiskActivityDrop) {
      reasons.push({
        code: 'declining',
        message: `time on task down ${Math.round(drop)} % from the week before (${minutes(f.activeMsPrevious7)} → ${minutes(f.activeMsLast7)})`,
      });
    }
  }
  const level: RiskLevel =
    reasons.length === 0
      ? 'none'
      : reasons.length >= 2 || reasons[0]!.code === 'inactive'
        ? 'high'
        : 'medium';
  return { level, reasons, inactiveDays };
}

const LEVEL_RANK: Record<RiskLevel, number> = { high: 2, medium: 1, none: 0 };

/** Most urgent first: level, number of reasons, days inactive, then lower progress. */
export function compareUrgency(
  a: { risk: Risk; progressPercent: number; userId: string },
  b: { risk: Risk; progressPercent: number; userId: string },
): number {
  return (
    LEVEL_RANK[b.risk.level] - LEVEL_RANK[a.risk.level] ||
    b.risk.reasons.length - a.risk.reasons.length ||
    b.risk.inactiveDays - a.risk.inactiveDays ||
    a.progressPercent - b.progressPercent ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)
  );
}

/** The median of a list of numbers (the mean of the middle two for an even count); 0 when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
