import { CsvButton } from './csv-button.js';
import { type SortColumn, SortHeader, useSort } from './sort-header.js';
import { useState } from 'react';
import { enc } from '../lib/api.js';
import { fmtDateTime, fmtInt, fmtPct } from '../lib/format.js';
import type { Loadable } from '../lib/use-api.js';
import type { Attendee, LiveAttendance } from './live-types.js';
import { Empty, Load } from './states.js';

type Show = 'all' | 'attended' | 'absent' | 'walk-ins';
type Sort = 'name' | 'firstJoin' | 'minutes' | 'messages' | 'rating' | 'recording';
const SHOWN = 25;

const shows: { value: Show; label: string; test: (a: Attendee) => boolean }[] = [
  { value: 'all', label: 'Everyone', test: () => true },
  { value: 'attended', label: 'Attended', test: (a) => a.attended },
  { value: 'absent', label: 'Registered, absent', test: (a) => a.registered && !a.attended },
  { value: 'walk-ins', label: 'Walk-ins', test: (a) => a.attended && !a.registered },
];

const nameOf = (a: Attendee) => a.name ?? a.userId;
const sortKey: Record<Sort, (a: Attendee) => string | number | null> = {
  name: (a) => nameOf(a).toLocaleLowerCase(),
  firstJoin: (a) => a.firstJoinAt,
  minutes: (a) => a.minutes,
  messages: (a) => a.messages,
  rating: (a) => a.rating,
  recording: (a) => (a.watchedRecording ? a.recordingPercent : null),
};

/** Compares by a key, nulls last whatever the order, then by name. */
function compare(sort: Sort, order: 'asc' | 'desc') {
  const key = sortKey[sort];
  return (x: Attendee, y: Attendee) => {
    const a = key(x);
    const b = key(y);
    if (a !== b) {
      if (a === null) return 1;
      if (b === null) return -1;
      const c = a < b ? -1 : 1;
      return order === 'asc' ? c : -c;
    }
    return nameOf(x).localeCompare(nameOf(y));
  };
}

const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const fmtTime = (iso: string | null) => (iso ? time.format(new Date(iso)) : '—');
const fmtMinutes = (m: number) => (Math.round(m * 10) / 10).toLocaleString('en-US');

const columns: SortColumn<Sort>[] = [
  { sort: 'name', label: 'Learner' },
  { sort: null, label: 'Registered' },
  { sort: null, label: 'Attended' },
  { sort: 'firstJoin', label: 'First join' },
  { sort: null, label: 'Last leave' },
  { sort: 'minutes', label: 'Minutes', num: true },
  { sort: null, label: 'On time' },
  { sort: 'messages', label: 'Messages', num: true },
  { sort: null, label: 'Questions', num: true },
  { sort: null, label: 'Reactions', num: true },
  { sort: 'rating', label: 'Rating', num: true },
  { sort: null, label: 'Feedback' },
  { sort: 'recording', label: 'Recording', num: true },
];

/** Who registered and who came: filterable, searchable, sortable, downloadable as CSV. */
export function AttendeesTable({
  sessionId,
  attendance,
}: {
  sessionId: string;
  attendance: Loadable<LiveAttendance>;
}) {
  const [show, setShow] = useState<Show>('all');
  const [q, setQ] = useState('');
  const { sort, order, sortBy } = useSort<Sort>('minutes', (s) => s === 'name' || s === 'firstJoin');
  const [all, setAll] = useState(false);

  return (
    <section className="card" aria-label="Attendees">
      <header className="card-head">
        <h2>Attendees</h2>
        <div className="toolbar">
          <select
            value={show}
            onChange={(e) => setShow(e.target.value as Show)}
            aria-label="Show"
            data-testid="attendance-filter"
          >
            {shows.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          <input
            type="search"
            placeholder="Search by name or email"
            aria-label="Search attendees"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="attendance-search"
          />
          <CsvButton
            path={`/live-sessions/${enc(sessionId)}/attendance.csv`}
            filename={`session-${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}-attendance.csv`}
          />
        </div>
      </header>
      <Load value={attendance} what="attendees">
        {(data) => {
          if (data.attendees.length === 0) {
            return <Empty>Nobody registered for or joined this session yet.</Empty>;
          }
          const test = shows.find((s) => s.value === show)!.test;
          const needle = q.trim().toLocaleLowerCase();
          const rows = data.attendees
            .filter(
              (a) =>
                test(a) &&
                (!needle ||
                  nameOf(a).toLocaleLowerCase().includes(needle) ||
                  (a.email ?? '').toLocaleLowerCase().includes(needle)),
            )
            .sort(compare(sort, order));
          if (rows.length === 0) return <Empty>No attendee matches.</Empty>;
          const visible = all ? rows : rows.slice(0, SHOWN);
          return (
            <>
              <div className="table-wrap">
                <table data-testid="attendance-table">
                  <thead>
                    <SortHeader columns={columns} sort={sort} order={order} onSort={sortBy} />
                  </thead>
                  <tbody>
                    {visible.map((a) => (
                      <tr key={a.userId} data-user-id={a.userId}>
                        <td>
                          <span className="live-who">{nameOf(a)}</span>
                          {a.email && <span className="live-email">{a.email}</span>}
                        </td>
                        <td>{a.registered ? 'yes' : '—'}</td>
                        <td>
                          {a.attended ? (
                            <span className="pill live-yes">yes</span>
                          ) : (
                            <span className="pill">no</span>
                          )}
                        </td>
                        <td title={fmtDateTime(a.firstJoinAt)}>{fmtTime(a.firstJoinAt)}</td>
                        <td title={fmtDateTime(a.lastLeaveAt)}>{fmtTime(a.lastLeaveAt)}</td>
                        <td className="num">{fmtMinutes(a.minutes)}</td>
                        <td>{a.onTime === null ? '—' : a.onTime ? 'on time' : 'late'}</td>
                        <td className="num">{fmtInt(a.messages)}</td>
                        <td className="num">{fmtInt(a.questions)}</td>
                        <td className="num">{fmtInt(a.reactions)}</td>
                        <td className="num">{a.rating === null ? '—' : `${a.rating} ★`}</td>
                        <td className="live-feedback" title={a.feedback ?? undefined}>
                          {a.feedback ?? '—'}
                        </td>
                        <td
                          className="num"
                          title={
                            a.watchedRecording ? `${fmtMinutes(a.recordingMinutes)} min watched` : undefined
                          }
                        >
                          {a.watchedRecording ? fmtPct(a.recordingPercent) : '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="pager">
                <span data-testid="attendance-count">
                  {fmtInt(visible.length)} of {fmtInt(rows.length)}
                  {rows.length !== data.attendees.length ? ` (${fmtInt(data.attendees.length)} in all)` : ''}
                </span>
                {rows.length > SHOWN && (
                  <button type="button" className="secondary" onClick={() => setAll(!all)}>
                    {all ? `Show the first ${SHOWN}` : `Show all ${fmtInt(rows.length)}`}
                  </button>
                )}
              </div>
            </>
          );
        }}
      </Load>
    </section>
  );
}
