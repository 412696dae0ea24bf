import { useEffect, useRef, useState } from 'react';
import { API, getJson } from './api.js';
import { useSession } from './session-context.js';

export interface FeedItem {
  id: string;
  seq: number;
  type: string;
  occurredAt: string;
  learner: { id: string; name: string | null };
  course: { id: string; title: string | null } | null;
  item: { id: string; title: string | null; type: string | null } | null;
  session: { id: string; title: string | null } | null;
  progressPct: number | null;
  data: Record<string, unknown>;
  sentence: string;
}

export interface LiveFigures {
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

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

const newestFirst = (a: FeedItem, b: FeedItem) =>
  a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.id < b.id ? 1 : -1;

/**
 * The feed for a filter, kept current by the Server-Sent Events stream. The stream opens first
 * and the list is read once it is ready, so nothing committed in between is missed; items are
 * kept by id (a revised item replaces its earlier copy, a removal drops it). EventSource
 * reconnects by itself with Last-Event-ID; a `resync` reopens the stream from the last item seen.
 */
export function useFeed(
  filter: Record<string, string>,
  limit: number,
  onFigures?: (f: LiveFigures) => void,
): { items: FeedItem[]; status: FeedStatus; error: string | null } {
  const { session } = useSession();
  const [items, setItems] = useState<FeedItem[]>([]);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const figures = useRef(onFigures);
  figures.current = onFigures;
  const key = JSON.stringify(filter);

  useEffect(() => {
    if (!session) return;
    const byId = new Map<string, FeedItem>();
    let closed = false;
    let source: EventSource | null = null;
    let lastSeq: number | null = null;
    const publish = () => setItems([...byId.values()].sort(newestFirst).slice(0, limit));
    // Removals by id, with their seq: a list read before a removal committed may still hold the item.
    const removedAt = new Map<string, number>();
    const add = (item: FeedItem) => {
      if ((removedAt.get(item.id) ?? 0) > item.seq) return;
      removedAt.delete(item.id);
      byId.set(item.id, item);
    };
    const query = new URLSearchParams({ ...(JSON.parse(key) as Record<string, string>) });

    const open = () => {
      const params = new URLSearchParams(query);
      params.set('access_token', session.token);
      if (lastSeq !== null) params.set('lastEventId', String(lastSeq));
      source = new EventSource(`${API}/feed/stream?${params}`);
      source.addEventListener('ready', (e) => {
        setStatus('live');
        if (lastSeq !== null) return;
        // Resuming from here (after a resync) must not replay what the list below already holds.
        lastSeq = (JSON.parse((e as MessageEvent<string>).data) as { position: number }).position;
        const list = new URLSearchParams(query);
        list.set('limit', String(limit));
        getJson<{ items: FeedItem[] }>(session.token, `/feed?${list}`).then(
          (page) => {
            if (closed) return;
            for (const i of page.items) if (!byId.has(i.id) || byId.get(i.id)!.seq < i.seq) add(i);
            publish();
          },
          (err: unknown) => setError(String((err as Error).message ?? err)),
        );
      });
      source.addEventListener('item', (e) => {
        const item = JSON.parse((e as MessageEvent<string>).data) as FeedItem;
        lastSeq = Math.max(lastSeq ?? 0, item.seq);
        add(item);
        publish();
      });
      source.addEventListener('removed', (e) => {
        const gone = JSON.parse((e as MessageEvent<string>).data) as { id: string; seq: number };
        lastSeq = Math.max(lastSeq ?? 0, gone.seq);
        removedAt.set(gone.id, gone.seq);
        if (byId.delete(gone.id)) publish();
      });
      source.addEventListener('live_session', (e) => {
        figures.current?.(JSON.parse((e as MessageEvent<string>).data) as LiveFigures);
      });
      source.addEventListener('resync', () => {
        source?.close();
        if (!closed) open();
      });
      source.onerror = () => {
        if (!closed) setStatus('reconnecting');
      };
    };
    open();
    return () => {
      closed = true;
      source?.close();
    };
  }, [session, key, limit]);

  return { items, status, error };
}
