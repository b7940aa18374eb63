/**
 * Picking test items when a split asks several sorts of question (inherited properties, transitive is-a, ...):
 * a plain sample would be dominated by whichever sort has the most candidates.
 */
import type { Rng } from '../util/rng.ts';

/** Up to n items, taken in turn from each pool (each shuffled) until n are taken or every pool is empty. */
export function mixedSample<T>(pools: readonly (readonly T[])[], n: number, rng: Rng): T[] {
  const queues = pools.map((pool) => rng.shuffle(pool));
  const out: T[] = [];
  while (out.length < n && queues.some((q) => q.length)) {
    for (const queue of queues) if (queue.length && out.length < n) out.push(queue.shift()!);
  }
  return out;
}
