import { type FormEvent, useState } from 'react';
import { useSession } from '../lib/session-context.js';

/** Paste a token (from `learnpulse token` or `learnpulse demo`), or open the dashboard with `?token=`. */
export function SignIn() {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) signIn(token);
  };
  return (
    <section className="card sign-in">
      <h1>Sign in</h1>
      <p>
        Paste a token: <code>npx learnpulse token --role instructor --user &lt;id&gt;</code> prints one, and{' '}
        <code>npm run demo</code> prints an instructor’s, a learner’s and an admin’s. You can also open the
        dashboard once with <code>?token=…</code> in the address. The token is kept for this browser tab only.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="eyJhbGciOi…"
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
    </section>
  );
}
