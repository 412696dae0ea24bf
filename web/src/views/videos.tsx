import { useMemo } from 'react';
import { Chart } from '../components/chart.js';
import { Figure, Figures } from '../components/figures.js';
import { Empty, Load } from '../components/states.js';
import { enc } from '../lib/api.js';
import { fmtClock, fmtDuration, fmtInt, fmtPct, fmtRatio } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { Course } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

/** A video's headline figures (docs/metrics.md, "Videos"): rates are 0–1, percents 0–100, times seconds. */
interface VideoHeadline {
  id: string;
  title: string;
  position: number;
  durationSec: number;
  completionThreshold: number;
  viewers: number;
  uniqueViewers: number;
  views: number;
  totalWatchTimeSec: number;
  uniqueWatchTimeSec: number;
  averagePercentViewed: number;
  completionRate: number;
  replayRate: number;
  medianStopSec: number | null;
}

interface Span {
  startSec: number;
  endSec: number;
}

interface VideoAnalytics extends VideoHeadline {
  from: string | null;
  to: string | null;
  completions: number;
  replays: number;
  curve: {
    resolutionSec: number;
    /** retention: share of viewers who watched (0–1); rewatch: mean plays per viewer. */
    points: (Span & { retention: number; rewatch: number; exits: number; hazard: number })[];
  };
  rewatchHotSpots: (Span & { plays: number; viewers: number; excessPlays: number })[];
  skippedRanges: (Span & { viewers: number; share: number; viewerSeconds: number })[];
  dropOffs: (Span & {
    exits: number;
    viewersAtStart: number;
    hazard: number;
    baselineHazard: number;
    excessExits: number;
    pValue: number;
    retentionDropPoints: number;
  })[];
}

const span = (s: Span) => `${fmtClock(s.startSec)}–${fmtClock(s.endSec)}`;
const one = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en-US');

/**
 * A dashed line at each drop-off, labelled with its time; drop-offs close together (within a tenth
 * of the video) share one label, so that the labels do not run into each other.
 */
function dropOffMarkers(video: VideoAnalytics): { x: number; label: string }[] {
  const near = Math.max(video.durationSec, video.curve.points.at(-1)?.endSec ?? 0) / 10;
  const markers: { x: number; label: string }[] = [];
  let head: { x: number; label: string } | null = null;
  for (const d of [...video.dropOffs].sort((a, b) => a.startSec - b.startSec)) {
    if (head && d.startSec - head.x < near) {
      head.label += ` · ${fmtClock(d.startSec)}`;
      markers.push({ x: d.startSec, label: '' });
    } else {
      head = { x: d.startSec, label: fmtClock(d.startSec) };
      markers.push(head);
    }
  }
  return markers;
}

/** The retention curve (share of viewers who watched) and the rewatch curve (plays per 100 viewers), on one scale. */
function RetentionChart({ video }: { video: VideoAnalytics }) {
  const props = useMemo(() => {
    const points = video.curve.points;
    const last = points[points.length - 1];
    // The curve's points are spans: repeating the last one at its end draws it to the video's end.
    const rows = last ? [...points, { ...last, startSec: last.endSec }] : [];
    return {
      title: `Retention and rewatch curves of ${video.title}`,
      x: { values: rows.map((p) => p.startSec), label: 'Position in the video', format: fmtClock },
      series: [
        {
          label: 'Retention',
          unit: '% of viewers',
          color: '#0b5cad',
          kind: 'area' as const,
          format: one,
          values: rows.map((p) => p.retention * 100),
        },
        {
          // Same scale as retention: plays per 100 viewers is never below it, the gap is rewatching.
          label: 'Rewatch (plays per 100 viewers)',
          unit: '',
          color: '#8a4b00',
          format: one,
          values: rows.map((p) => p.rewatch * 100),
        },
      ],
      markers: dropOffMarkers(video),
      height: 300,
    };
  }, [video]);
  return <Chart {...props} />;
}

function HotSpots({ spots }: { spots: VideoAnalytics['rewatchHotSpots'] }) {
  if (spots.length === 0) return <Empty>No passage is rewatched more than the rest.</Empty>;
  return (
    <ol className="video-list" data-testid="hotspots">
      {spots.map((s) => (
        <li key={s.startSec} data-start-sec={s.startSec}>
          <strong>{span(s)}</strong>: {one(s.plays)} plays a second by {one(s.viewers)} viewers on average —{' '}
          {fmtInt(s.excessPlays)} plays beyond one per viewer.
        </li>
      ))}
    </ol>
  );
}

function DropOffs({ drops }: { drops: VideoAnalytics['dropOffs'] }) {
  if (drops.length === 0) {
    return <Empty>No point where viewers leave significantly more often than around it.</Empty>;
  }
  return (
    <ol className="video-list" data-testid="dropoffs">
      {drops.map((d) => (
        <li key={d.startSec} data-start-sec={d.startSec}>
          <strong>{span(d)}</strong>: {fmtInt(d.exits)} of the {fmtInt(d.viewersAtStart)} viewers still
          watching left here ({fmtRatio(d.hazard)}, against {fmtRatio(d.baselineHazard)} around it); retention
          falls {one(d.retentionDropPoints)} points.
        </li>
      ))}
    </ol>
  );
}

function Skipped({ ranges }: { ranges: VideoAnalytics['skippedRanges'] }) {
  if (ranges.length === 0) return <Empty>Viewers do not skip any passage.</Empty>;
  return (
    <ol className="video-list" data-testid="skipped">
      {ranges.map((r) => (
        <li key={r.startSec} data-start-sec={r.startSec}>
          <strong>{span(r)}</strong>: skipped by up to {fmtInt(r.viewers)} viewers ({fmtRatio(r.share)} of
          those who went past it).
        </li>
      ))}
    </ol>
  );
}

/** One video: its headline figures, the retention and rewatch curves with drop-offs, and the passages. */
function VideoDetail({ courseId, itemId }: { courseId: string; itemId: string }) {
  const analytics = useApi<VideoAnalytics>(`/courses/${enc(courseId)}/videos/${enc(itemId)}/analytics`);
  return (
    <Load value={analytics} what="the video's figures">
      {(v) => (
        <section className="stack" aria-label={`Video ${v.title}`} data-video-id={v.id}>
          <div className="card-head video-head">
            <h2 data-testid="video-title">
              {v.position}. {v.title}
            </h2>
            <p>
              {v.durationSec > 0 ? fmtDuration(v.durationSec) : 'Length unknown'} · completed at{' '}
              {fmtPct(v.completionThreshold)} watched
            </p>
          </div>
          <Figures>
            <Figure
              label="Viewers"
              value={fmtInt(v.viewers)}
              hint={`${fmtInt(v.uniqueViewers)} played at least one second`}
              testId="fig-viewers"
            />
            <Figure
              label="Views"
              value={fmtInt(v.views)}
              hint="Watch sessions, replays included"
              testId="fig-views"
            />
            <Figure
              label="Watch time"
              value={fmtDuration(v.totalWatchTimeSec)}
              hint={`Rewatches included; ${fmtDuration(v.uniqueWatchTimeSec)} of unique seconds`}
              testId="fig-watch-time"
            />
            <Figure
              label="Average viewed"
              value={fmtPct(v.averagePercentViewed)}
              hint="Mean share of the video each viewer watched"
              testId="fig-avg-viewed"
            />
            <Figure
              label="Completion rate"
              value={fmtRatio(v.completionRate)}
              hint={`${fmtInt(v.completions)} of ${fmtInt(v.viewers)} viewers completed it`}
              testId="fig-completion"
            />
            <Figure
              label="Replay rate"
              value={fmtRatio(v.replayRate)}
              hint={`${fmtInt(v.replays)} viewers watched it in two sessions or more`}
              testId="fig-replay"
            />
            <Figure
              label="Median stop"
              value={v.medianStopSec == null ? '—' : fmtClock(v.medianStopSec)}
              hint="Half the viewers got at least this far"
              testId="fig-median-stop"
            />
          </Figures>
          <section className="card">
            <header className="card-head">
              <h2>Retention and rewatching</h2>
              <p>
                Share of viewers who watched each moment, and plays per 100 viewers (rewatches included)
                {v.dropOffs.length > 0 ? '; dashed lines mark drop-off points' : ''}
              </p>
            </header>
            {v.viewers === 0 || v.curve.points.length === 0 ? (
              <Empty>Nobody has watched this video yet: the curves appear with the first viewer.</Empty>
            ) : (
              <div data-testid="retention-chart">
                <RetentionChart video={v} />
              </div>
            )}
          </section>
          {v.viewers > 0 && (
            <div className="video-passages">
              <section className="card">
                <header className="card-head">
                  <h2>Drop-off points</h2>
                  <p>Where viewers who did not finish left unusually often</p>
                </header>
                <DropOffs drops={v.dropOffs} />
              </section>
              <section className="card">
                <header className="card-head">
                  <h2>Rewatched passages</h2>
                  <p>Where plays exceed viewers the most</p>
                </header>
                <HotSpots spots={v.rewatchHotSpots} />
              </section>
              <section className="card">
                <header className="card-head">
                  <h2>Skipped passages</h2>
                  <p>Seconds that at least 20 % of those who went past did not watch</p>
                </header>
                <Skipped ranges={v.skippedRanges} />
              </section>
            </div>
          )}
        </section>
      )}
    </Load>
  );
}

function VideosTable({
  courseId,
  videos,
  selected,
}: {
  courseId: string;
  videos: VideoHeadline[];
  selected: string;
}) {
  return (
    <section className="card" aria-label="All videos">
      <header className="card-head">
        <h2>All videos of the course</h2>
        <p>{fmtInt(videos.length)} videos, in course order</p>
      </header>
      <div className="table-wrap">
        <table data-testid="videos-table">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Video</th>
              <th className="num">Length</th>
              <th className="num">Viewers</th>
              <th className="num">Views</th>
              <th className="num">Watch time</th>
              <th className="num">Avg. viewed</th>
              <th className="num">Completion</th>
              <th className="num">Replay</th>
              <th className="num">Median stop</th>
            </tr>
          </thead>
          <tbody>
            {videos.map((v) => (
              <tr
                key={v.id}
                data-video-id={v.id}
                className={v.id === selected ? 'video-selected' : undefined}
                aria-current={v.id === selected ? 'true' : undefined}
              >
                <td className="num">{v.position}</td>
                <td>
                  <a href={href.videos(courseId, v.id)}>{v.title}</a>
                </td>
                <td className="num">{v.durationSec > 0 ? fmtClock(v.durationSec) : '—'}</td>
                <td className="num">{fmtInt(v.viewers)}</td>
                <td className="num">{fmtInt(v.views)}</td>
                <td className="num">{fmtDuration(v.totalWatchTimeSec)}</td>
                <td className="num">{fmtPct(v.averagePercentViewed)}</td>
                <td className="num">{fmtRatio(v.completionRate)}</td>
                <td className="num">{fmtRatio(v.replayRate)}</td>
                <td className="num">{v.medianStopSec == null ? '—' : fmtClock(v.medianStopSec)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A course's videos: the chosen one (else the first) in detail, then every video's headline figures. */
export function Videos({ courseId, itemId }: { courseId: string; itemId?: string | undefined }) {
  const course = useApi<Course>(`/courses/${enc(courseId)}`);
  const list = useApi<{ videos: VideoHeadline[] }>(`/courses/${enc(courseId)}/videos`);
  const code = course.state === 'ready' ? (course.data.code ?? courseId) : courseId;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.home()}>Courses</a> / <a href={href.course(courseId)}>{code}</a> / Videos
          </p>
          <h1 data-testid="page-title">Videos</h1>
          {course.state === 'ready' && <p>{course.data.title}</p>}
        </div>
        <a href={href.course(courseId)}>← Course overview</a>
      </div>
      <Load value={list} what="the course's videos">
        {({ videos }) => {
          if (videos.length === 0) {
            return (
              <Empty>
                This course has no videos yet. Videos appear here once the catalog lists them or learners'
                players report them. <a href={href.course(courseId)}>Back to the course</a>
              </Empty>
            );
          }
          const sorted = [...videos].sort((a, b) => a.position - b.position);
          const selected = itemId ?? sorted[0]!.id;
          return (
            <>
              <VideoDetail key={selected} courseId={courseId} itemId={selected} />
              <VideosTable courseId={courseId} videos={sorted} selected={selected} />
            </>
          );
        }}
      </Load>
    </>
  );
}
