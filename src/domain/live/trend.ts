export type Trend = 'improving' | 'declining' | 'stable';

/** A change larger than this share of the first half's average is a trend (SPEC §5). */
export const TREND_THRESHOLD = 0.1;

/**
 * The trend of a metric over sessions in time order: the average of the later half against the
 * earlier half (the middle session of an odd count is in neither): more than 10 % up is
 * improving, more than 10 % down declining, else stable. From a zero start, any rise improves.
 * @example trend([50, 52, 70, 75]) // 'improving'
 */
export function trend(values: readonly number[]): Trend {
  const half = Math.floor(values.length / 2);
  if (half === 0) return 'stable';
  const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const before = avg(values.slice(0, half));
  const after = avg(values.slice(values.length - half));
  if (before === 0) return after > 0 ? 'improving' : 'stable';
  const change = (after - before) / Math.abs(before);
  return change > TREND_THRESHOLD ? 'improving' : change < -TREND_THRESHOLD ? 'declining' : 'stable';
}
