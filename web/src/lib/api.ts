/** An error answer of the API: its stable code, message and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const API = '/api/v1';

/**
 * Calls the API with the session's token and returns its JSON answer; a JSON `body` makes it a
 * POST (a read like compare takes its ids in the body). Failures become ApiErrors with the
 * API's stable code.
 */
export async function requestJson<T>(
  token: string,
  path: string,
  options: { body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const { body, signal } = options;
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (!res.ok) {
    const answer = (await res.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    throw new ApiError(
      res.status,
      answer?.error?.code ?? 'http_error',
      answer?.error?.message ?? res.statusText,
    );
  }
  return (await res.json()) as T;
}

export const getJson = <T>(token: string, path: string, signal?: AbortSignal) =>
  requestJson<T>(token, path, signal ? { signal } : {});

/** Downloads a CSV (or any file) of the API as the browser would save it. */
export async function download(token: string, path: string, filename: string): Promise<void> {
  const res = await fetch(`${API}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, 'download_failed', `Download failed (${res.status}).`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const enc = encodeURIComponent;
