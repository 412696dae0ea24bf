import { Empty } from '../components/states.js';

// Placeholder until the view is written.
export function LiveCompare({ ids }: { ids: string[] }) {
  return <Empty>Coming soon: LiveCompare {JSON.stringify({ ids })}</Empty>;
}
