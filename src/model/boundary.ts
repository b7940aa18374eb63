/**
 * Where an option's tokens start, and which tokens every sequence shares. Each option is tokenized
 * together with its context and prompt (as lm-evaluation-harness does) so a BPE merge across the join is
 * the merge the model would see; its scored tokens are those after the longest run it shares with the
 * tokenization of context + prompt alone. A token that straddles the join therefore counts as the option's.
 */

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** One option to score: the tokens of context + prompt + option, and of context + prompt alone. */
export interface OptionTokens {
  whole: readonly number[];
  head: readonly number[];
}

export interface ScoringPlan {
  /** Length of the prefix (of the context's tokens) that every sequence shares: encoded once, cached. */
  prefix: number;
  /** Per option, the index in `whole` of its first scored token. */
  scoredFrom: number[];
}

export class BoundaryError extends Error {
  override name = 'BoundaryError';
}

export function planScoring(context: readonly number[], options: readonly OptionTokens[]): ScoringPlan {
  let prefix = context.length;
  const scoredFrom = options.map(({ whole, head }, i) => {
    const from = commonPrefixLength(whole, head);
    if (from >= whole.length) throw new BoundaryError(`option ${i} adds no tokens after its prompt`);
    // The first token has no prediction: without a start token something must come before the option.
    if (from === 0) throw new BoundaryError(`option ${i} starts the sequence: nothing precedes it to condition on`);
    prefix = Math.min(prefix, commonPrefixLength(whole, context), from);
    return from;
  });
  return { prefix, scoredFrom };
}
