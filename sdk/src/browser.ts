import { deviceOf } from './device.js';
import { openIdbStore } from './idb.js';
import { type EventStore, type KeyValue, keyValueStore, memoryStore } from './store.js';
import type { TrackerEnv } from './tracker.js';
import type { HttpResponse } from './transport.js';
import { uuidv7 } from './uuid.js';

/** A browser that neither opens IndexedDB nor refuses it within this long gets the fallback. */
const IDB_OPEN_TIMEOUT_MS = 3000;

/** localStorage, if this page may use it (it throws when storage is disabled). */
export function localKv(): KeyValue | undefined {
  try {
    const kv = window.localStorage;
    kv.getItem('learnpulse');
    return kv;
  } catch {
    return undefined;
  }
}

/** IndexedDB, else localStorage, else memory: the best durable buffer this browser allows. */
async function openStore(name: string, kv: KeyValue | undefined): Promise<EventStore> {
  try {
    return await Promise.race([
      openIdbStore(name),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('IndexedDB timeout')), IDB_OPEN_TIMEOUT_MS),
      ),
    ]);
  } catch {
    return kv ? keyValueStore(kv, `${name}:events`) : memoryStore();
  }
}

/** One id per tab, kept across reloads (sessionStorage), so a learner's page loads group together. */
function clientSession(): string {
  try {
    const s = window.sessionStorage;
    const id = s.getItem('learnpulse:session') ?? uuidv7(Date.now());
    s.setItem('learnpulse:session', id);
    return id;
  } catch {
    return uuidv7(Date.now());
  }
}

/** The tracker's world in a browser; storage is namespaced by the endpoint. */
export function browserEnv(endpoint: string, kv: KeyValue | undefined): TrackerEnv {
  const name = `learnpulse ${endpoint}`;
  return {
    now: () => Date.now(),
    random: Math.random,
    fetch: (url, init) => fetch(url, { ...init, mode: 'cors', credentials: 'omit' }) as Promise<HttpResponse>,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    store: openStore(name, kv),
    kv,
    rescueKey: `${name}:rescue`,
    online: () => navigator.onLine !== false,
    base: {
      clientSessionId: clientSession(),
      device: deviceOf(navigator.userAgent, navigator.maxTouchPoints),
    },
  };
}
