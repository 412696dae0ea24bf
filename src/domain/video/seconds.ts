/**
 * Whole seconds of a video. Second `t` is the interval [t, t+1); a played segment [s, e) covers
 * second t when it covers the second's midpoint t + 0.5, so a segment of n seconds covers n
 * seconds however its ends fall between whole numbers (12.34–22.35 covers 12…21), and a sliver of
 * a fraction of a second covers none.
 */

/**
 * The whole seconds of a video of a duration: those a segment within the video can cover (second
 * t needs t + 0.5 < duration), at least 1. 600 s → 600; 90.4 s → 90; 90.6 s → 91. Percents of a
 * video are of these, so every video can be watched to 100 %.
 */
export const videoSeconds = (durationSec: number): number => Math.max(1, Math.ceil(durationSec - 0.5));

/** A set of seconds: sorted, disjoint, non-touching half-open ranges [a, b), flattened [a0, b0, a1, b1, …]. */
export type SecondSet = readonly number[];

/** Play counts per second: sorted disjoint runs [a, b, n] (seconds a…b-1 each played n > 0 times), flattened. */
export type PlayCounts = readonly number[];

/**
 * The seconds a segment covers, as [a, b) (empty when a >= b).
 * @example coveredSeconds(12.34, 22.35) // [12, 22]
 */
export function coveredSeconds(start: number, end: number): [number, number] {
  return [Math.ceil(start - 0.5), Math.ceil(end - 0.5)];
}

/** The number of seconds in a set. */
export function setSize(set: SecondSet): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]!;
  return n;
}

/**
 * The union of second sets and ranges.
 * @example unionSeconds([0, 5], [[3, 8], [10, 12]]) // [0, 8, 10, 12]
 */
export function unionSeconds(set: SecondSet, ranges: readonly (readonly [number, number])[]): number[] {
  const all: [number, number][] = [];
  for (let i = 0; i < set.length; i += 2) all.push([set[i]!, set[i + 1]!]);
  for (const [a, b] of ranges) if (b > a) all.push([a, b]);
  all.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [a, b] of all) {
    const n = out.length;
    if (n > 0 && a <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, b);
    else out.push(a, b);
  }
  return out;
}

/** The ranges of a set, as pairs. */
export function rangesOf(set: SecondSet): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < set.length; i += 2) out.push([set[i]!, set[i + 1]!]);
  return out;
}

/** Total plays (seconds played, each replay counted again). */
export function playTotal(plays: PlayCounts): number {
  let n = 0;
  for (let i = 0; i < plays.length; i += 3) n += (plays[i + 1]! - plays[i]!) * plays[i + 2]!;
  return n;
}

/**
 * Adds plays: each range is one more play of its seconds, each run of `more` adds its count.
 * @example addPlays([0, 10, 1], [[5, 15]]) // [0, 5, 1, 5, 10, 2, 10, 15, 1]
 */
export function addPlays(
  plays: PlayCounts,
  ranges: readonly (readonly [number, number])[],
  more: PlayCounts = [],
): number[] {
  // A sweep over the runs' edges: +n where a run starts, -n where it ends.
  const edges = new Map<number, number>();
  const edge = (t: number, n: number) => edges.set(t, (edges.get(t) ?? 0) + n);
  for (const runs of [plays, more]) {
    for (let i = 0; i < runs.length; i += 3) {
      edge(runs[i]!, runs[i + 2]!);
      edge(runs[i + 1]!, -runs[i + 2]!);
    }
  }
  for (const [a, b] of ranges) {
    if (b <= a) continue;
    edge(a, 1);
    edge(b, -1);
  }
  const points = [...edges.entries()].sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  let level = 0;
  for (let i = 0; i < points.length; i++) {
    level += points[i]![1];
    const next = points[i + 1]?.[0];
    if (level === 0 || next === undefined) continue;
    const n = out.length;
    if (n > 0 && out[n - 2] === points[i]![0] && out[n - 1] === level) out[n - 2] = next;
    else out.push(points[i]![0], next, level);
  }
  return out;
}
