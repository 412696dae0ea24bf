import { useState } from 'react';
import { download } from '../lib/api.js';
import { useSession } from '../lib/session-context.js';

/** Downloads a CSV of the API as a file; says so while it is prepared, and why when it fails. */
export function CsvButton({ path, filename }: { path: string; filename: string }) {
  const { session } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    if (!session) return;
    setBusy(true);
    setError(null);
    try {
      await download(session.token, path, filename);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={run} disabled={busy} data-testid="csv-download">
        {busy ? 'Preparing…' : 'Download CSV'}
      </button>
      {error && (
        <span className="inline-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
