import type { EventStore, StoredEvent } from './store.js';

const STORE = 'events';

/** Runs one transaction; resolves with the request's result once the transaction has committed. */
function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  fn: (s: IDBObjectStore) => IDBRequest<T> | undefined,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    // Strict durability: a written event must survive the browser or the machine going down.
    const tx = db.transaction(STORE, mode, { durability: mode === 'readwrite' ? 'strict' : 'default' });
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/**
 * The buffer in IndexedDB: one database per endpoint, records keyed by event id. Rejects when
 * the browser refuses IndexedDB (some private modes), so the caller can fall back.
 */
export function openIdbStore(name: string): Promise<EventStore> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve({
        load: async () => ((await run(db, 'readonly', (s) => s.getAll())) ?? []) as StoredEvent[],
        put: async (records) => {
          await run(db, 'readwrite', (s) => {
            for (const r of records) s.put(r);
            return undefined;
          });
        },
        remove: async (ids) => {
          await run(db, 'readwrite', (s) => {
            for (const id of ids) s.delete(id);
            return undefined;
          });
        },
      });
    };
  });
}
