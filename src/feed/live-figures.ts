import { sessionReport } from '../analytics/live.js';
import { getLiveSession, type LiveSession } from '../store/catalog/live-sessions.js';
import type { Db } from '../store/db.js';
import type { FeedListener } from './hub.js';

/** A live session's running figures, as pushed while it is live. */
export interface LiveFiguresMessage {
  sessionId: string;
  title: string;
  courseId: string | null;
  at: string;
  currentViewers: number;
  attended: number;
  peakViewers: number;
  chatMessages: number;
  questions: number;
  reactions: number;
  engagementRate: number;
}

type Receiver = (figures: LiveFiguresMessage, session: LiveSession) => void;

/**
 * Recomputes a live session's figures when it has activity, at most once per `everyMs` per
 * session (the last activity of a burst is always reflected), once per process whatever the
 * number of streams, and only while someone listens and the session is live.
 */
export class LiveFigures implements FeedListener {
  private readonly receivers = new Set<Receiver>();
  private readonly due = new Map<string, NodeJS.Timeout>();
  private readonly lastRun = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly everyMs = 1_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  add(receiver: Receiver): () => void {
    this.receivers.add(receiver);
    return () => this.receivers.delete(receiver);
  }

  item(): void {}

  liveActivity(sessionIds: readonly string[]): void {
    if (this.receivers.size === 0) return;
    for (const id of sessionIds) {
      if (this.due.has(id)) continue;
      const wait = Math.max(0, (this.lastRun.get(id) ?? 0) + this.everyMs - Date.now());
      const timer = setTimeout(() => {
        this.due.delete(id);
        this.lastRun.set(id, Date.now());
        this.compute(id).catch(this.onError);
      }, wait);
      timer.unref();
      this.due.set(id, timer);
    }
  }

  private async compute(id: string): Promise<void> {
    const session = await getLiveSession(this.db, id);
    if (!session) return;
    const now = this.now();
    const r = await sessionReport(this.db, session, now);
    if (!r.live.isLive) return;
    const figures: LiveFiguresMessage = {
      sessionId: id,
      title: session.title,
      courseId: session.courseId,
      at: now.toISOString(),
      currentViewers: r.live.currentViewers,
      attended: r.attendance.attended,
      peakViewers: r.concurrency.peak,
      chatMessages: r.engagement.chatMessages,
      questions: r.engagement.questions,
      reactions: r.engagement.reactionsTotal,
      engagementRate: r.engagement.engagementRate,
    };
    for (const receive of this.receivers) receive(figures, session);
  }

  stop(): void {
    for (const t of this.due.values()) clearTimeout(t);
    this.due.clear();
  }
}
