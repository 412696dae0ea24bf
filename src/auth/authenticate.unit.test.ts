import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AppError } from '../errors/app-error.js';
import { createAuthenticator } from './authenticate.js';
import { signToken } from './token.js';

const SECRET = 'unit-secret-0123456789abcdef';
const KEYS = ['platform-key-one', 'platform-key-two'];
const authenticate = createAuthenticator({ apiKeys: KEYS, jwtSecret: SECRET });

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const err = await p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  return { code: err.code, status: err.status, message: err.message };
}

const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

describe('createAuthenticator', () => {
  it('refuses a missing or empty credential as unauthorized', async () => {
    for (const credential of [undefined, '']) {
      assert.deepEqual(await refusal(authenticate(credential)), {
        code: 'unauthorized',
        status: 401,
        message: 'Authentication is required',
      });
    }
  });

  it('recognises every configured API key, and nothing close to one', async () => {
    for (const key of KEYS) assert.deepEqual(await authenticate(key), { kind: 'apiKey' });
    for (const key of ['platform-key-on', 'platform-key-one ', 'PLATFORM-KEY-ONE', 'platform-key-three']) {
      const r = await refusal(authenticate(key));
      assert.equal(r.code, 'invalid_token', key);
      assert.equal(r.message, 'Unknown API key or malformed token');
    }
  });

  it('turns a valid HS256 token into a user principal (sub, role, name)', async () => {
    const token = await signToken(SECRET, { userId: 'u-7', role: 'instructor', name: 'Ines' });
    assert.deepEqual(await authenticate(token), {
      kind: 'user',
      userId: 'u-7',
      role: 'instructor',
      name: 'Ines',
    });
    assert.deepEqual(await authenticate(await sign({ sub: 'u-8', name: 42 })), {
      kind: 'user',
      userId: 'u-8',
      role: 'student',
      name: undefined,
    });
  });

  it('refuses bad claims and bad signatures with stable codes', async () => {
    const cases: [string, Promise<string>, string][] = [
      ['empty sub', sign({ sub: '', role: 'student' }), 'invalid_token'],
      ['numeric sub', sign({ sub: 12, role: 'student' }), 'invalid_token'],
      ['unknown role', sign({ sub: 'u', role: 'owner' }), 'invalid_token'],
      ['other secret', sign({ sub: 'u' }, 'other-secret-0123456789abcdef'), 'invalid_token'],
      [
        'expired',
        signToken(SECRET, { userId: 'u', role: 'student' }, Math.floor(Date.now() / 1000) - 1),
        'token_expired',
      ],
    ];
    for (const [what, token, code] of cases) {
      const r = await refusal(authenticate(await token));
      assert.equal(r.code, code, what);
      assert.equal(r.status, 401, what);
    }
  });

  it('refuses every token when neither a secret nor a JWKS is configured', async () => {
    const keysOnly = createAuthenticator({ apiKeys: KEYS });
    assert.deepEqual(await keysOnly(KEYS[0]), { kind: 'apiKey' });
    const r = await refusal(keysOnly(await signToken(SECRET, { userId: 'u', role: 'admin' })));
    assert.equal(r.code, 'invalid_token');
    assert.match(r.message, /no JWT secret or JWKS/);
  });
});
