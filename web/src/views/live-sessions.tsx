import { useState } from 'react';
import { Figure, Figures } from '../components/figures.js';
import { fmtRating, fmtScore, LiveBadge, scheduleState } from '../components/live-parts.js';
import {
  type LiveOverview,
  type LiveSessionList,
  MAX_COMPARED,
  type SessionLine,
} from '../components/live-types.js';
import { Empty, Load } from '../components/states.js';
import { fmtDateTime, fmtInt, fmtRatio } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import { useApi } from '../lib/use-api.js';

const PAGE = 25;

function OverviewFigures({ o }: { o: LiveOverview }) {
  return (
    <Figures>
      <Figure
        label="Sessions run"
        value={fmtInt(o.sessionsRun)}
        hint="Your sessions that have started or are about to"
        testId="fig-sessions-run"
      />
      <Figure
        label="Average attendance"
        value={fmtRatio(o.averageAttendanceRate)}
        hint="Share of the registered who attended, averaged over the sessions"
        testId="fig-avg-attendance-rate"
      />
      <Figure
        label="Average attended"
        value={fmtInt(o.averageAttended)}
        hint="Learners per session"
        testId="fig-avg-attended"
      />
      <Figure
        label="Average engagement"
        value={fmtRatio(o.averageEngagementRate)}
        hint="Share of attendees who chatted or reacted"
        testId="fig-avg-engagement"
      />
      <Figure label="Average rating" value={fmtRating(o.averageRating)} testId="fig-avg-rating" />
      <Figure
        label="Average score"
        value={fmtScore(o.averageScore)}
        hint="Session engagement score, 0–100"
        testId="fig-avg-score"
      />
    </Figures>
  );
}

function Status({ live, start, end }: { live: boolean | undefined; start: string; end: string }) {
  const state =
    live === undefined
      ? scheduleState(start, end)
      : live
        ? 'live'
        : Date.parse(start) > Date.now()
          ? 'upcoming'
          : 'ended';
  if (state === 'live') return <LiveBadge testId="session-live" label="Live" />;
  // Ended sessions are most of the list: only what is live or to come is marked.
  return state === 'upcoming' ? <span className="pill live-upcoming">Upcoming</span> : null;
}

/** The instructor's live sessions: figures over all of them, the list, and a pick of sessions to compare. */
export function LiveSessions() {
  const { session } = useSession();
  // The overview is one instructor's (the signed-in user's); an API key has no user to default to.
  const overviewPath = session?.userId ? '/live-sessions/overview' : null;
  const overview = useApi<LiveOverview>(overviewPath, 30_000);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (cursor) query.set('cursor', cursor);
  const list = useApi<LiveSessionList>(`/live-sessions?${query}`, 60_000);
  const [picked, setPicked] = useState<string[]>([]);

  const recent = new Map<string, SessionLine>(
    overview.state === 'ready' ? overview.data.recentSessions.map((s) => [s.sessionId, s]) : [],
  );
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < MAX_COMPARED ? [...p, id] : p));

  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.home()}>Courses</a> / Live sessions
          </p>
          <h1 data-testid="page-title">Live sessions</h1>
          <p>Attendance, engagement and feedback of the sessions you run</p>
        </div>
      </div>
      {overviewPath === null ? (
        <Empty>
          Figures across sessions are an instructor’s: sign in with an instructor’s token to see them. Each
          session’s own figures are one click away below.
        </Empty>
      ) : (
        <Load value={overview} what="your sessions' figures">
          {(o) =>
            o.sessionsRun === 0 ? (
              <Empty>You have not run a live session yet: figures appear once the first one starts.</Empty>
            ) : (
              <OverviewFigures o={o} />
            )
          }
        </Load>
      )}
      <section className="card" aria-label="Sessions">
        <header className="card-head">
          <div>
            <h2>Sessions</h2>
            <p>Newest first. Tick two to {MAX_COMPARED} sessions to compare them side by side.</p>
          </div>
          <div className="toolbar">
            <span data-testid="picked-count" aria-live="polite">
              {picked.length} selected
            </span>
            {picked.length >= 2 ? (
              <a className="live-button" href={href.compare(picked)} data-testid="compare-link">
                Compare {picked.length} sessions
              </a>
            ) : (
              <button type="button" disabled data-testid="compare-link" title="Tick at least two sessions">
                Compare
              </button>
            )}
            {picked.length > 0 && (
              <button type="button" className="secondary" onClick={() => setPicked([])}>
                Clear
              </button>
            )}
          </div>
        </header>
        <Load value={list} what="live sessions">
          {(page) =>
            page.items.length === 0 && cursors.length === 0 ? (
              <Empty>No live sessions yet. They appear here once the platform schedules them.</Empty>
            ) : (
              <>
                <div className="table-wrap">
                  <table data-testid="sessions-table">
                    <thead>
                      <tr>
                        <th>
                          <span className="sr-only">Compare</span>
                        </th>
                        <th>Session</th>
                        <th>Starts</th>
                        <th className="num">Attended</th>
                        <th className="num">Attendance</th>
                        <th className="num">Peak</th>
                        <th className="num">Chat</th>
                        <th className="num">Engagement</th>
                        <th className="num">Rating</th>
                        <th className="num">Score</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.items.map((s) => {
                        const m = recent.get(s.id);
                        const checked = picked.includes(s.id);
                        return (
                          <tr key={s.id} data-session-id={s.id}>
                            <td>
                              <input
                                type="checkbox"
                                checked={checked}
                                disabled={!checked && picked.length >= MAX_COMPARED}
                                onChange={() => toggle(s.id)}
                                aria-label={`Compare ${s.title}`}
                                data-testid="compare-pick"
                              />
                            </td>
                            <td className="live-title-cell">
                              <a href={href.live(s.id)}>{s.title}</a>{' '}
                              <Status live={m?.isLive} start={s.scheduledStart} end={s.scheduledEnd} />
                            </td>
                            <td>{fmtDateTime(s.scheduledStart)}</td>
                            <td className="num">{fmtInt(m?.attended)}</td>
                            <td className="num">{fmtRatio(m?.attendanceRate)}</td>
                            <td className="num">{fmtInt(m?.peakViewers)}</td>
                            <td className="num">{fmtInt(m?.chatMessages)}</td>
                            <td className="num">{fmtRatio(m?.engagementRate)}</td>
                            <td className="num">{fmtRating(m?.averageRating)}</td>
                            <td className="num">{fmtScore(m?.score)}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                {page.items.some((s) => !recent.has(s.id)) && (
                  <p className="live-note">
                    — : the list shows figures for your {MAX_COMPARED} latest sessions only; open a session
                    for all of its figures.
                  </p>
                )}
                {(cursors.length > 0 || page.nextCursor) && (
                  <div className="pager">
                    <button
                      type="button"
                      className="secondary"
                      disabled={cursors.length === 0}
                      onClick={() => setCursors(cursors.slice(0, -1))}
                    >
                      Newer
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      disabled={!page.nextCursor}
                      onClick={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}
                    >
                      Older
                    </button>
                  </div>
                )}
              </>
            )
          }
        </Load>
      </section>
    </>
  );
}
