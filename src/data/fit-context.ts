/**
 * When the training text does not fit the model's context, keep a seeded random subset of the documents
 * (the paper subsampled its largest sets too): the largest that fits, in the dataset's order.
 */
import type { Rng } from '../util/rng.ts';

export interface Fitted {
  kept: string[];
  total: number;
  subsampled: boolean;
}

/**
 * `fits(docs)` must be monotone: if a set fits, every subset fits. The subset grows by doubling before a
 * binary search, so `fits` never sees more than twice the text that fits: a dataset far larger than the
 * context (tens of MB) is never tokenized whole.
 */
export function fitDocuments(docs: readonly string[], fits: (docs: string[]) => boolean, rng: Rng): Fitted {
  const total = docs.length;
  // Subsets are prefixes of one random order, so they nest and the searches find the largest that fits.
  const order = rng.shuffle(docs.map((_, i) => i));
  const subset = (k: number) => order.slice(0, k).sort((a, b) => a - b).map((i) => docs[i]);
  if (!fits([])) throw new Error('the test items do not fit the model\'s context even without training text');
  let lo = 0;
  let size = 1;
  while (fits(subset(Math.min(size, total)))) {
    if (size >= total) return { kept: [...docs], total, subsampled: false };
    lo = size;
    size *= 2;
  }
  let hi = Math.min(size, total) - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(subset(mid))) lo = mid;
    else hi = mid - 1;
  }
  return { kept: subset(lo), total, subsampled: true };
}
