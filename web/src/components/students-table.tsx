import { CsvButton } from './csv-button.js';
import { type SortColumn, SortHeader, useSort } from './sort-header.js';
import { useEffect, useState } from 'react';
import { enc } from '../lib/api.js';
import { fmtAgo, fmtDuration, fmtInt, fmtPct } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { StudentsPage } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';
import { Empty, Load } from './states.js';

type Sort = 'name' | 'engagement' | 'progress' | 'lastActivity' | 'visits' | 'timeOnTask' | 'risk';
const PAGE = 25;

const columns: SortColumn<Sort>[] = [
  { sort: 'name', label: 'Learner' },
  { sort: 'engagement', label: 'Engagement', num: true },
  { sort: 'progress', label: 'Progress', num: true },
  { sort: 'visits', label: 'Visits (7 d)', num: true },
  { sort: 'timeOnTask', label: 'Time on task', num: true },
  { sort: null, label: 'Video watched', num: true },
  { sort: 'lastActivity', label: 'Last active' },
  { sort: 'risk', label: 'Risk' },
];

/** The engagement table: sortable by column, searchable by name, paginated, downloadable as CSV. */
export function StudentsTable({ courseId }: { courseId: string }) {
  const { sort, order, sortBy } = useSort<Sort>('engagement', (s) => s === 'name');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);

  // Search as the user types, but not on every key stroke.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  useEffect(() => setCursors([]), [sort, order, q]);

  const query = new URLSearchParams({ sort, order, limit: String(PAGE) });
  if (q) query.set('q', q);
  const cursor = cursors[cursors.length - 1];
  if (cursor) query.set('cursor', cursor);
  const page = useApi<StudentsPage>(`/courses/${enc(courseId)}/students?${query}`);

  const csvQuery = new URLSearchParams({ sort, order });
  if (q) csvQuery.set('q', q);

  return (
    <section className="card" aria-label="Learners">
      <header className="card-head">
        <h2>Learners</h2>
        <div className="toolbar">
          <input
            type="search"
            placeholder="Search by name"
            aria-label="Search learners by name"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="student-search"
          />
          <CsvButton
            path={`/courses/${enc(courseId)}/students.csv?${csvQuery}`}
            filename={`${courseId}-students.csv`}
          />
        </div>
      </header>
      <Load value={page} what="learners">
        {(p) =>
          p.items.length === 0 ? (
            <Empty>{q ? `No learner matches “${q}”.` : 'No learners are enrolled yet.'}</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table data-testid="students-table">
                  <thead>
                    <SortHeader columns={columns} sort={sort} order={order} onSort={sortBy} />
                  </thead>
                  <tbody>
                    {p.items.map((s) => (
                      <tr key={s.userId} data-user-id={s.userId}>
                        <td>
                          <a href={href.learner(courseId, s.userId)}>{s.displayName}</a>
                        </td>
                        <td className="num">{fmtInt(s.engagementScore)}</td>
                        <td className="num">{fmtPct(s.progressPercent)}</td>
                        <td className="num">{fmtInt(s.visits7d)}</td>
                        <td className="num">{fmtDuration(s.timeOnTaskSec)}</td>
                        <td className="num">{fmtPct(s.videoWatchedPercent)}</td>
                        <td>{fmtAgo(s.lastActivityAt)}</td>
                        <td>
                          <span
                            className={`pill risk-${s.riskLevel}`}
                            title={s.riskReasons.map((r) => r.message).join('; ')}
                          >
                            {s.riskLevel === 'none' ? 'ok' : s.riskLevel}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="pager">
                <span data-testid="students-range">
                  {cursors.length * PAGE + 1}–{cursors.length * PAGE + p.items.length} of {fmtInt(p.total)}
                </span>
                <button
                  type="button"
                  className="secondary"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors(cursors.slice(0, -1))}
                >
                  Previous
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={!p.nextCursor}
                  onClick={() => p.nextCursor && setCursors([...cursors, p.nextCursor])}
                >
                  Next
                </button>
              </div>
            </>
          )
        }
      </Load>
    </section>
  );
}
