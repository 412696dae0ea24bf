import { Empty } from '../components/states.js';

// Placeholder until the view is written.
export function LiveSession({ sessionId }: { sessionId: string }) {
  return <Empty>Coming soon: LiveSession {JSON.stringify({ sessionId })}</Empty>;
}
