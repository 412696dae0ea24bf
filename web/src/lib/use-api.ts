import { useCallback, useEffect, useState } from 'react';
import { ApiError, requestJson } from './api.js';
import { useSession } from './session-context.js';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ready'; data: T; reload: () => void };

/**
 * Loads an API path (null: nothing to load yet); reloads when the path (or the POST body,
 * compared as JSON) changes, when `reload` is called, and every `refreshMs` if given (keeping the
 * figures shown while it does).
 */
export function useApi<T>(path: string | null, refreshMs?: number, body?: unknown): Loadable<T> {
  const { session } = useSession();
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const bodyKey = body === undefined ? undefined : JSON.stringify(body);

  useEffect(() => {
    if (!path || !session) return;
    const abort = new AbortController();
    const options = bodyKey === undefined ? {} : { body: JSON.parse(bodyKey) as unknown };
    requestJson<T>(session.token, path, { ...options, signal: abort.signal }).then(
      (data) => setResult({ state: 'ready', data, reload }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setResult({
          state: 'error',
          error: error instanceof ApiError ? error : new ApiError(0, 'unexpected', String(error)),
        });
      },
    );
    return () => abort.abort();
  }, [path, bodyKey, session, tick, reload]);

  useEffect(() => {
    setResult({ state: 'loading' });
  }, [path, bodyKey]);

  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);

  return result;
}
