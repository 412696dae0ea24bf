import type { LearnpulseEvent } from './types.js';

/** A buffered event as stored: `u` is the learner it belongs to (null until the first token names them). */
export interface StoredEvent {
  id: string;
  u: string | null;
  e: LearnpulseEvent;
}

/** Durable storage of unacknowledged events: IndexedDB in browsers, localStorage as a fallback, memory last. */
export interface EventStore {
  load(): Promise<StoredEvent[]>;
  put(records: readonly StoredEvent[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
}

/** The part of `localStorage` the tracker uses (so tests can pass a Map-backed one). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Storage that lasts as long as the page: for browsers that refuse both IndexedDB and localStorage. */
export function memoryStore(): EventStore {
  const map = new Map<string, StoredEvent>();
  return {
    load: async () => [...map.values()],
    put: async (records) => {
      for (const r of records) map.set(r.id, r);
    },
    remove: async (ids) => {
      for (const id of ids) map.delete(id);
    },
  };
}

/** Reads a JSON map of records under a key; a damaged value reads as empty rather than wedging the tracker. */
export function readRecords(kv: KeyValue, key: string): Record<string, StoredEvent> {
  try {
    const parsed = JSON.parse(kv.getItem(key) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, StoredEvent>) : {};
  } catch {
    return {};
  }
}

/**
 * The buffer as one JSON map in a key-value store (localStorage). Each change reads and rewrites
 * the map, so tabs sharing it see each other's writes; slower than IndexedDB, hence the fallback.
 */
export function keyValueStore(kv: KeyValue, key: string): EventStore {
  const change = async (fn: (m: Record<string, StoredEvent>) => void) => {
    const m = readRecords(kv, key);
    fn(m);
    kv.setItem(key, JSON.stringify(m));
  };
  return {
    load: async () => Object.values(readRecords(kv, key)),
    put: (records) =>
      change((m) => {
        for (const r of records) m[r.id] = r;
      }),
    remove: (ids) =>
      change((m) => {
        for (const id of ids) delete m[id];
      }),
  };
}
