/** Who the dashboard is signed in as: what the token says (the server checks it on every call). */
export interface Session {
  token: string;
  /** `platform` is an API key: it sees everything, like an admin. */
  role: 'platform' | 'admin' | 'instructor' | 'student';
  userId: string | null;
  name: string | null;
}

const KEY = 'learnpulse.token';

function decodeClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A token's session; an API key (not a JWT) is the platform. */
export function sessionOf(token: string): Session {
  const claims = decodeClaims(token);
  if (!claims) return { token, role: 'platform', userId: null, name: null };
  const role = claims.role === 'admin' || claims.role === 'instructor' ? claims.role : 'student';
  return {
    token,
    role,
    userId: typeof claims.sub === 'string' ? claims.sub : null,
    name: typeof claims.name === 'string' ? claims.name : null,
  };
}

/**
 * A token passed in the URL once (`?token=`) is kept for the browser session and taken out of
 * the address bar, so it is neither bookmarked nor sent on in a Referer.
 */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export function storedSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionOf(token) : null;
}

export function saveToken(token: string): Session {
  sessionStorage.setItem(KEY, token);
  return sessionOf(token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

export const seesTeaching = (s: Session) => s.role !== 'student';
