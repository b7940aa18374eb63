/**
 * The scoring benchmark: an ICL evaluation of a dataset as glon runs it (the shared context encoded once, its
 * key/value cache reused for every option) against the naive path (one pass over context + prompt + option per
 * option) on an even spread of the same items. Both go through `evaluate`, so the difference is the scoring alone.
 */
import { continuation, type Dataset } from '../data/format.ts';
import type { LanguageModel, RunOptions } from '../model/language-model.ts';
import { withoutPrefixReuse } from './naive-scoring.ts';
import { evaluate } from './evaluate.ts';
import type { EvalResult } from './result.ts';

export interface PathTiming {
  items: number;
  options: number;
  seconds: number;
  itemsPerSecond: number;
  /** Tokens run through the model (counted from the texts; a token at a join may be off by one). */
  forwardTokens: number;
  tokensPerSecond: number;
}

export interface ScoringBench {
  contextTokens: number;
  /** Training documents in the context, of all the dataset's. */
  documents: { kept: number; total: number };
  cached: PathTiming;
  naive: PathTiming;
  /** cached items/s over naive items/s. */
  speedup: number;
  /** Largest |difference| of an option's log-prob between the two paths, over the items both scored. */
  maxLogprobDifference: number;
}

export interface ScoringBenchOptions extends RunOptions {
  /** How many items the naive path scores (it takes a full pass per option). */
  naiveItems: number;
  seed: number;
}

/** `n` items spread evenly over the test set, so every split and option length is represented. */
function spread<T>(items: readonly T[], n: number): T[] {
  const count = Math.min(n, items.length);
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}

function optionCount(result: EvalResult): number {
  return result.items.reduce((n, item) => n + item.logprobs.length, 0);
}

function timing(result: EvalResult, forwardTokens: number): PathTiming {
  const seconds = result.timing.seconds;
  return {
    items: result.items.length,
    options: optionCount(result),
    seconds,
    itemsPerSecond: result.items.length / seconds,
    forwardTokens,
    tokensPerSecond: forwardTokens / seconds,
  };
}

export async function benchScoring(dataset: Dataset, model: LanguageModel, options: ScoringBenchOptions): Promise<ScoringBench> {
  const { seed, signal, onProgress } = options;
  const cached = await evaluate(dataset, model, {
    condition: 'icl',
    template: 'plain',
    seed,
    signal,
    onProgress: (p) => onProgress?.({ ...p, stage: `cached: ${p.stage}` }),
  });
  const subset = { ...dataset, test: spread(dataset.test, options.naiveItems) };
  const naive = await evaluate(subset, withoutPrefixReuse(model), {
    condition: 'icl',
    template: 'plain',
    seed,
    signal,
    onProgress: (p) => onProgress?.({ ...p, stage: `naive: ${p.stage}` }),
  });

  const contextTokens = cached.context.tokens;
  // Tokens each option adds after the context: the item's prompt and the option itself.
  const added = new Map(
    dataset.test.map((item) => [item.id, item.options.map((option) => model.countTokens(item.prompt + continuation(item.prompt, option)))]),
  );
  const addedTokens = (result: EvalResult) => result.items.reduce((n, item) => n + added.get(item.id)!.reduce((a, b) => a + b, 0), 0);

  let maxLogprobDifference = 0;
  const cachedById = new Map(cached.items.map((item) => [item.id, item]));
  for (const item of naive.items) {
    item.logprobs.forEach((lp, o) => {
      maxLogprobDifference = Math.max(maxLogprobDifference, Math.abs((lp ?? NaN) - (cachedById.get(item.id)!.logprobs[o] ?? NaN)));
    });
  }

  const cachedTiming = timing(cached, contextTokens + addedTokens(cached));
  const naiveTiming = timing(naive, optionCount(naive) * contextTokens + addedTokens(naive));
  return {
    contextTokens,
    documents: cached.context.documents!,
    cached: cachedTiming,
    naive: naiveTiming,
    speedup: cachedTiming.itemsPerSecond / naiveTiming.itemsPerSecond,
    maxLogprobDifference,
  };
}
