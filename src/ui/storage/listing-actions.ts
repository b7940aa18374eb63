/**
 * What the Saved list offers for a stored experiment. The worker refuses the same on its side
 * (src/worker/experiment-records.ts): these only keep the page from offering what it would refuse.
 */
import type { ExperimentListing } from '../../worker/protocol.ts';

/** A run that stopped before its end (closed tab, failure, cancel) picks up from what it saved. */
export function resumable({ record, interrupted }: ExperimentListing): boolean {
  return interrupted || record.status === 'failed' || record.status === 'cancelled';
}

/** Anything but a run in progress in a tab that is still open. */
export function deletable({ record, interrupted }: ExperimentListing): boolean {
  return record.status !== 'running' || interrupted;
}
