/** The claims the tracker reads from a JWT: whose events these are, and when the token expires. */
export interface TokenClaims {
  sub?: string;
  exp?: number;
}

/**
 * Reads a JWT's payload without verifying it (the server verifies; the tracker only needs to
 * know whose buffer this is and whether to refresh before sending). Opaque tokens read as {}.
 * @example claimsOf('eyJ…') // { sub: 'u1', exp: 1767225600 }
 */
export function claimsOf(token: string | undefined): TokenClaims {
  try {
    const part = token!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      [...atob(part)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    const claims = JSON.parse(json) as TokenClaims;
    return {
      ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}),
      ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}),
    };
  } catch {
    return {};
  }
}
