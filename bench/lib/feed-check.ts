import { percentile } from './analytics-http.js';
import type { Deliveries, SubscriberStats } from './feed-clients.js';
import { hashId } from './feed-clients.js';
import { type Audience, type ItemFacts, milestoneKey, sees } from './feed-data.js';
import type { CommitSpan } from './feed-commits.js';
import type { Timing } from './feed-load.js';

/** Percentiles of one latency distribution, in ms. */
export interface Dist {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function dist(values: number[]): Dist {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n,
    p50: percentile(s as unknown as number[], 0.5),
    p95: percentile(s as unknown as number[], 0.95),
    p99: percentile(s as unknown as number[], 0.99),
    max: n > 0 ? s[n - 1]! : Number.NaN,
    mean: n > 0 ? sum / n : Number.NaN,
  };
}

/**
 * Three measures of each delivery: from the commit (as the commit listener saw it), from the
 * request that carried the milestone being sent (an upper bound of commit → reader), and from its
 * answer being read (a lower bound: the answer comes after the commit; it can be negative).
 */
export interface Latencies {
  commit: number[];
  upper: number[];
  lower: number[];
}

export const emptyLatencies = (): Latencies => ({ commit: [], upper: [], lower: [] });

export interface LatencySummary {
  commit: Dist;
  upper: Dist;
  lower: Dist;
}

export const summarise = (l: Latencies): LatencySummary => ({
  commit: dist(l.commit),
  upper: dist(l.upper),
  lower: dist(l.lower),
});

/** The feed as GET /feed lists it, by seq. */
export type FeedIndex = Map<number, ItemFacts & { hash: number }>;

export function indexFeed(items: ItemFacts[]): FeedIndex {
  return new Map(items.map((i) => [i.seq, { ...i, hash: hashId(i.id) }]));
}

export interface TimeSources {
  timings: Map<string, Timing>;
  commitOf(seq: number): CommitSpan | undefined;
}

/** Per transaction (by its last seq): the earliest and the latest delivery of any of its items, any reader. */
type Spread = Map<number, { commit: number; first: number; last: number }>;

function measure(item: ItemFacts, at: number, t: TimeSources, into: Latencies, spread?: Spread): boolean {
  const timing =
    item.itemId === null ? undefined : t.timings.get(milestoneKey(item.type, item.userId, item.itemId));
  if (!timing) return false;
  const commit = t.commitOf(item.seq);
  if (commit) {
    into.commit.push(at - commit.at);
    if (spread) {
      const sp = spread.get(commit.last);
      if (!sp) spread.set(commit.last, { commit: commit.at, first: at, last: at });
      else {
        sp.first = Math.min(sp.first, at);
        sp.last = Math.max(sp.last, at);
      }
    }
  }
  into.upper.push(at - timing.sent);
  if (!Number.isNaN(timing.answered)) into.lower.push(at - timing.answered);
  return true;
}

export interface StreamCheck {
  subscribers: number;
  /** Subscribers that never said `ready`. */
  notReady: number;
  /** Items the subscribers were to receive (sum over subscribers) and received. */
  expected: number;
  received: number;
  missing: number;
  /** Received but not theirs to see, or not in the feed at the end (a revised or deleted row). */
  extra: number;
  notInFeed: number;
  /** A seq not above the previous one: a repeat or an item out of commit order. */
  disorder: number;
  /** The item id in the data is not the feed's item of that seq. */
  wrongItem: number;
  /** The event id and the data's seq disagree. */
  mismatches: number;
  resyncs: number;
  disconnects: number;
  errors: string[];
  /** The first few problems, subscriber by subscriber, for the report. */
  problems: string[];
  /** Deliveries with no request to time them by (items the bench did not cause). */
  untimed: number;
  pings: number;
  liveSessionEvents: number;
  latency: LatencySummary;
  /** The measured latencies themselves, to pool phases. */
  raw: Latencies;
  /**
   * Per transaction that wrote items: commit → its first item reaching any subscriber (the
   * server's read of the new rows), and → its last item reaching the last subscriber (the
   * fan-out to every stream done too).
   */
  transactions: { firstAny: number[]; lastAll: number[] };
  /** Per kind of subscriber: how many, their deliveries and latencies. */
  byKind: Partial<Record<Audience['kind'], { subscribers: number; deliveries: number; raw: Latencies }>>;
  ok: boolean;
}

/**
 * Checks that every subscriber received exactly the items it may see that were committed between
 * its `ready` and `endSeq`, each once, in seq order; and times every delivery.
 */
export function checkStreams(
  audiences: readonly Audience[],
  stats: readonly SubscriberStats[],
  deliveries: Deliveries,
  feed: FeedIndex,
  endSeq: number,
  times: TimeSources,
): StreamCheck {
  const window = [...feed.values()].filter((i) => i.seq <= endSeq).sort((a, b) => a.seq - b.seq);
  const all = emptyLatencies();
  const spread: Spread = new Map();
  const perKind = new Map<Audience['kind'], Latencies & { subscribers: number; deliveries: number }>();
  const c: Omit<StreamCheck, 'latency' | 'raw' | 'transactions' | 'byKind' | 'ok'> = {
    subscribers: audiences.length,
    notReady: 0,
    expected: 0,
    received: 0,
    missing: 0,
    extra: 0,
    notInFeed: 0,
    disorder: 0,
    wrongItem: 0,
    mismatches: 0,
    resyncs: 0,
    disconnects: 0,
    errors: [],
    problems: [],
    untimed: 0,
    pings: 0,
    liveSessionEvents: 0,
  };
  const problem = (s: string) => {
    if (c.problems.length < 10) c.problems.push(s);
  };
  audiences.forEach((a, r) => {
    const st = stats[r]!;
    const got = deliveries[r] ?? new Float64Array();
    const kind = perKind.get(a.kind) ?? { ...emptyLatencies(), subscribers: 0, deliveries: 0 };
    perKind.set(a.kind, kind);
    kind.subscribers++;
    c.resyncs += st.resyncs;
    c.disconnects += st.disconnects;
    c.mismatches += st.mismatches;
    c.pings += st.pings;
    c.liveSessionEvents += st.liveSessionEvents;
    if (st.error !== undefined && c.errors.length < 5) c.errors.push(`${a.userId}: ${st.error}`);
    if (st.readyPosition < 0) {
      c.notReady++;
      problem(`${a.kind} ${a.userId}: never ready`);
      return;
    }
    const expected = new Set<number>();
    for (const item of window) if (item.seq > st.readyPosition && sees(a, item)) expected.add(item.seq);
    c.expected += expected.size;
    let previous = st.readyPosition;
    let missing = expected.size;
    for (let k = 0; k < got.length; k += 3) {
      const seq = got[k]!;
      const at = got[k + 1]!;
      const hash = got[k + 2]!;
      c.received++;
      if (seq <= previous) {
        c.disorder++;
        problem(`${a.kind} ${a.userId}: seq ${seq} after ${previous}`);
      }
      previous = Math.max(previous, seq);
      const item = feed.get(seq);
      if (!item) {
        c.notInFeed++;
        c.extra++;
        problem(`${a.kind} ${a.userId}: got seq ${seq}, not in the feed`);
        continue;
      }
      if (item.hash !== hash) {
        c.wrongItem++;
        problem(`${a.kind} ${a.userId}: seq ${seq} is not item ${item.id}`);
      }
      if (!expected.delete(seq)) {
        c.extra++;
        problem(`${a.kind} ${a.userId}: got seq ${seq} (${item.type} of ${item.userId}), not expected`);
        continue;
      }
      missing--;
      kind.deliveries++;
      if (measure(item, at, times, all, spread)) measure(item, at, times, kind);
      else c.untimed++;
    }
    c.missing += missing;
    if (missing > 0) {
      const first = [...expected].slice(0, 3).join(', ');
      problem(`${a.kind} ${a.userId}: ${missing} missing (seq ${first}…)`);
    }
  });
  const byKind: StreamCheck['byKind'] = {};
  for (const [k, l] of perKind)
    byKind[k] = {
      subscribers: l.subscribers,
      deliveries: l.deliveries,
      raw: { commit: l.commit, upper: l.upper, lower: l.lower },
    };
  const ok =
    c.notReady === 0 &&
    c.missing === 0 &&
    c.extra === 0 &&
    c.disorder === 0 &&
    c.wrongItem === 0 &&
    c.mismatches === 0 &&
    c.resyncs === 0 &&
    c.disconnects === 0;
  const transactions = {
    firstAny: [...spread.values()].map((x) => x.first - x.commit),
    lastAll: [...spread.values()].map((x) => x.last - x.commit),
  };
  return { ...c, latency: summarise(all), raw: all, transactions, byKind, ok };
}

export interface PollCheck {
  pollers: number;
  /** (poller, item) pairs: items of the phase the poller may see. */
  expected: number;
  /** Pairs some poll of that poller returned. */
  shown: number;
  neverShown: number;
  /** Items returned by a poll that the poller may not see (should be none). */
  extra: number;
  wrongItem: number;
  latency: LatencySummary;
  /** Commit → first poll showing it, with never-shown pairs counted as infinitely late. */
  commitWithNever: { p50: number; p99: number };
  byKind: Record<Audience['kind'], { pollers: number; expected: number; shown: number; commit: Dist }>;
}

/** The baseline: for every poller, when a poll first returned each item of the phase it may see. */
export function checkPolls(
  audiences: readonly Audience[],
  deliveries: Deliveries,
  feed: FeedIndex,
  fromSeq: number,
  endSeq: number,
  times: TimeSources,
): PollCheck {
  const phase = [...feed.values()].filter((i) => i.seq > fromSeq && i.seq <= endSeq);
  const all = emptyLatencies();
  const withNever: number[] = [];
  const kinds = new Map<
    Audience['kind'],
    { pollers: number; expected: number; shown: number; commit: number[] }
  >();
  let expectedPairs = 0;
  let shownPairs = 0;
  let extra = 0;
  let wrongItem = 0;
  audiences.forEach((a, r) => {
    const got = deliveries[r] ?? new Float64Array();
    const firstSeen = new Map<number, { at: number; hash: number }>();
    for (let k = 0; k < got.length; k += 3) firstSeen.set(got[k]!, { at: got[k + 1]!, hash: got[k + 2]! });
    const kind = kinds.get(a.kind) ?? { pollers: 0, expected: 0, shown: 0, commit: [] };
    kinds.set(a.kind, kind);
    kind.pollers++;
    for (const item of phase) {
      if (!sees(a, item)) {
        if (firstSeen.has(item.seq)) extra++;
        continue;
      }
      expectedPairs++;
      kind.expected++;
      const seen = firstSeen.get(item.seq);
      if (!seen) {
        withNever.push(Number.POSITIVE_INFINITY);
        continue;
      }
      if (seen.hash !== item.hash) wrongItem++;
      shownPairs++;
      kind.shown++;
      const before = all.commit.length;
      measure(item, seen.at, times, all);
      if (all.commit.length > before) {
        withNever.push(all.commit.at(-1)!);
        kind.commit.push(all.commit.at(-1)!);
      }
    }
  });
  withNever.sort((x, y) => x - y);
  return {
    pollers: audiences.length,
    expected: expectedPairs,
    shown: shownPairs,
    neverShown: expectedPairs - shownPairs,
    extra,
    wrongItem,
    latency: summarise(all),
    commitWithNever: { p50: percentile(withNever, 0.5), p99: percentile(withNever, 0.99) },
    byKind: Object.fromEntries(
      [...kinds].map(([k, v]) => [
        k,
        { pollers: v.pollers, expected: v.expected, shown: v.shown, commit: dist(v.commit) },
      ]),
    ) as PollCheck['byKind'],
  };
}
