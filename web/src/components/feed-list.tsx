import { fmtAgo, fmtDateTime } from '../lib/format.js';
import type { FeedStatus, FeedItem } from '../lib/feed.js';
import { Empty } from './states.js';

const icons: Record<string, string> = {
  lesson_completed: '✓',
  video_completed: '▶',
  exam_attempt: '✎',
  certification_issued: '★',
  progress_update: '½',
  live_session_attended: '●',
  at_risk_changed: '!',
};

const statusText: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** The activity feed as a timeline, newest first, with the stream's connection state. */
export function FeedList({
  items,
  status,
  title = 'Live activity',
  empty = 'No activity yet. Items appear here as learners complete, attempt and join.',
}: {
  items: FeedItem[];
  status: FeedStatus;
  title?: string;
  empty?: string;
}) {
  return (
    <section className="card feed" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        <span className={`pill pill-${status}`} data-testid="feed-status">
          {status === 'live' && <span className="dot" aria-hidden="true" />}
          {statusText[status]}
        </span>
      </header>
      {items.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <ol className="feed-list" data-testid="feed-list">
          {items.map((i) => (
            <li key={i.id} className={`feed-item feed-${i.type}`} data-feed-id={i.id}>
              <span className="feed-icon" aria-hidden="true">
                {icons[i.type] ?? '•'}
              </span>
              <div>
                <p>{i.sentence}</p>
                <time dateTime={i.occurredAt} title={fmtDateTime(i.occurredAt)}>
                  {fmtAgo(i.occurredAt)}
                </time>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
