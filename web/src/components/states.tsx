import type { ReactNode } from 'react';
import type { ApiError } from '../lib/api.js';
import type { Loadable } from '../lib/use-api.js';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

const advice: Record<string, string> = {
  unauthorized: 'Sign in again with a valid token.',
  invalid_token: 'The token is not valid: sign in again.',
  token_expired: 'The token has expired: sign in with a new one (learnpulse token).',
  forbidden: 'Your token does not give access to this view.',
  not_found: 'It does not exist, or your token cannot see it.',
  engagement_disabled: 'Engagement tracking is turned off for this course.',
  network_error: 'Check that the server is running.',
};

export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>
        {error.status === 403 ? 'Not allowed' : error.status === 404 ? 'Not found' : 'Something went wrong'}
      </strong>
      <p>
        {/[.!?]$/.test(error.message) ? error.message : `${error.message}.`} {advice[error.code] ?? ''}
      </p>
      <code className="error-code">{error.code}</code>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders a loadable: its loading and error states, or `children` with the data. */
export function Load<T>({
  value,
  what,
  children,
}: {
  value: Loadable<T>;
  what: string;
  children: (data: T, reload: () => void) => ReactNode;
}) {
  if (value.state === 'loading') return <Loading what={what} />;
  if (value.state === 'error') return <ErrorState error={value.error} />;
  return <>{children(value.data, value.reload)}</>;
}
