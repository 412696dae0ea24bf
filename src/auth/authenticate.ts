import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { AppError } from '../errors/app-error.js';
import type { Principal, Role } from './principal.js';

const ROLES: ReadonlySet<string> = new Set(['student', 'instructor', 'admin']);

export interface AuthOptions {
  apiKeys: readonly string[];
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Builds the function that turns a bearer credential into a principal. API keys are compared in
 * constant time; anything else must be a JWT signed with the shared secret (HS256) or by a key
 * from the JWKS (RS256).
 */
export function createAuthenticator(
  opts: AuthOptions,
): (credential: string | undefined) => Promise<Principal> {
  const keyDigests = opts.apiKeys.map(digest);
  const secret = opts.jwtSecret ? new TextEncoder().encode(opts.jwtSecret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = opts.jwksUrl
    ? createRemoteJWKSet(new URL(opts.jwksUrl))
    : undefined;

  async function verify(token: string) {
    if (secret) {
      try {
        return (await jwtVerify(token, secret, { algorithms: ['HS256'] })).payload;
      } catch (err) {
        if (!(jwks && err instanceof joseErrors.JOSEAlgNotAllowed)) throw err;
      }
    }
    if (jwks) return (await jwtVerify(token, jwks, { algorithms: ['RS256'] })).payload;
    throw new AppError('invalid_token', 'This server accepts no tokens (no JWT secret or JWKS configured)');
  }

  return async (credential) => {
    if (!credential) throw new AppError('unauthorized');
    const d = digest(credential);
    if (keyDigests.some((k) => timingSafeEqual(k, d))) return { kind: 'apiKey' };
    if (credential.split('.').length !== 3)
      throw new AppError('invalid_token', 'Unknown API key or malformed token');
    try {
      const payload = await verify(credential);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 128) {
        throw new AppError('invalid_token', 'The token has no valid sub claim');
      }
      const role = payload.role ?? 'student';
      if (typeof role !== 'string' || !ROLES.has(role))
        throw new AppError('invalid_token', 'Unknown role in token');
      const name = typeof payload.name === 'string' ? payload.name : undefined;
      return { kind: 'user', userId: payload.sub, role: role as Role, name };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AppError('token_expired');
      throw new AppError('invalid_token');
    }
  };
}
