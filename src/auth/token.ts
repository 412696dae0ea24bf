import { SignJWT } from 'jose';
import type { Role } from './principal.js';

/**
 * Signs an HS256 token, as `learnpulse token` and the demo print them.
 * @example await signToken(secret, { userId: 'u1', role: 'student' }, '24h')
 */
export async function signToken(
  secret: string,
  claims: { userId: string; role: Role; name?: string },
  expiresIn: string | number = '24h',
): Promise<string> {
  const jwt = new SignJWT({ role: claims.role, ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}
