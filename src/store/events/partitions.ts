import type { Db } from '../db.js';

/** Months from this far back get a partition of their own; older events stay in the default one. */
const MONTHS_BACK = 24;
/** Months this far ahead get a partition; further-future events stay in the default one. */
const MONTHS_AHEAD = 2;
const PARTITION_LOCK = 7_214_330_002;
/** SQLSTATE of "partition would overlap partition". */
const OVERLAPPING_PARTITION = '42P17';

export interface Month {
  year: number;
  /** 1–12 */
  month: number;
}

export function monthOf(date: Date): Month {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

function monthIndex(m: Month): number {
  return m.year * 12 + (m.month - 1);
}

function fromIndex(i: number): Month {
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

export function partitionName(m: Month): string {
  return `events_${m.year}_${String(m.month).padStart(2, '0')}`;
}

function bounds(m: Month): [string, string] {
  const next = fromIndex(monthIndex(m) + 1);
  const iso = (x: Month) => `${x.year}-${String(x.month).padStart(2, '0')}-01T00:00:00Z`;
  return [iso(m), iso(next)];
}

/** Whether a month is inside the window that gets its own partition, as seen at `now`. */
export function hasOwnPartition(m: Month, now: Date): boolean {
  const i = monthIndex(m);
  const current = monthIndex(monthOf(now));
  return i >= current - MONTHS_BACK && i <= current + MONTHS_AHEAD;
}

/**
 * Creates monthly partitions of the event log on demand. Knows which exist (cached per process)
 * so the ingest hot path pays nothing once a month's partition is there.
 */
export class PartitionManager {
  private readonly known = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Makes sure every month of these dates that deserves a partition has one. */
  async ensureFor(dates: Iterable<Date>): Promise<void> {
    const now = this.now();
    const wanted = new Map<string, Month>();
    for (const d of dates) {
      const m = monthOf(d);
      const name = partitionName(m);
      if (!this.known.has(name) && !wanted.has(name) && hasOwnPartition(m, now)) wanted.set(name, m);
    }
    for (const [name, m] of wanted) {
      try {
        await this.create(m);
      } catch (err) {
        // Another partition (an operator's own, say) already covers the month: rows go there.
        if ((err as { code?: string }).code !== OVERLAPPING_PARTITION) throw err;
      }
      this.known.add(name);
    }
  }

  /** At start-up: this month and the next exist before the first event arrives. */
  async ensureCurrent(): Promise<void> {
    const now = this.now();
    const current = monthIndex(monthOf(now));
    const months = [fromIndex(current), fromIndex(current + 1)];
    await this.ensureFor(months.map((m) => new Date(Date.UTC(m.year, m.month - 1, 1))));
  }

  /**
   * Creates one month's partition. Rows of that month already sitting in the default partition
   * (sent when the month was still far in the future) are moved into it, in the same transaction,
   * because PostgreSQL refuses to attach a partition whose rows the default partition holds.
   */
  private async create(m: Month): Promise<void> {
    const name = partitionName(m);
    const [from, to] = bounds(m);
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const exists = await tx.query('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
      if (exists[0]?.exists === true) return;
      // Identifiers cannot be parameters; `name` is built from two integers above.
      await tx.query(`CREATE TABLE ${name} (LIKE events INCLUDING DEFAULTS)`);
      await tx.query(
        `WITH moved AS (DELETE FROM events_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await tx.query(`ALTER TABLE events ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
    });
  }
}
