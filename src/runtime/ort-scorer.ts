/**
 * Multiple-choice scoring with prefix key/value reuse: the shared context is encoded once, then every
 * option of every request runs as a short continuation after that cache, several options per batch.
 * Gives the same log-probs as one full forward pass per option (tested), at a fraction of the cost when
 * the context is long (the ICL condition).
 */
import type { OptionScore, RunOptions, ScoreRequest } from '../model/language-model.ts';
import { planScoring, type OptionTokens } from '../model/boundary.ts';
import { logProbAt } from '../model/logits.ts';
import type { ForwardOutput, KvCache, OrtDecoder } from './ort-decoder.ts';

export interface ScoringSettings {
  /** Continuations per forward pass. */
  batchSize: number;
  /** Tokens per forward pass while encoding the shared context. */
  prefillChunk: number;
  /** Longest sequence the model accepts. */
  contextLength: number;
}

export const DEFAULT_SCORING: Omit<ScoringSettings, 'contextLength'> = { batchSize: 8, prefillChunk: 512 };

export async function scoreWithPrefixCache(
  decoder: OrtDecoder,
  encode: (text: string) => number[],
  context: string,
  requests: readonly ScoreRequest[],
  settings: ScoringSettings,
  { signal, onProgress }: RunOptions = {},
): Promise<OptionScore[][]> {
  if (requests.length === 0) return [];
  const contextIds = encode(context);
  const tokens: OptionTokens[] = [];
  const owner: { request: number; option: number }[] = [];
  requests.forEach((request, r) => {
    const head = encode(context + request.prompt);
    request.options.forEach((option, o) => {
      const whole = encode(context + request.prompt + option);
      if (whole.length > settings.contextLength)
        throw new Error(
          `item ${r} option ${o} needs ${whole.length} tokens with its context; the model accepts ${settings.contextLength}`,
        );
      tokens.push({ whole, head });
      owner.push({ request: r, option: o });
    });
  });
  const plan = planScoring(contextIds, tokens);

  const prefix = await decoder.prefill(contextIds.slice(0, plan.prefix), settings.prefillChunk, signal, (done, total) =>
    onProgress?.({ stage: 'context', done, total }),
  );
  const scores: OptionScore[][] = requests.map((request) => new Array<OptionScore>(request.options.length));
  // Similar lengths in one batch waste less compute on padding.
  const order = tokens.map((_, i) => i).sort((a, b) => tokens[b].whole.length - tokens[a].whole.length);
  const expanded = new Map<number, KvCache>();
  try {
    for (let start = 0; start < order.length; start += settings.batchSize) {
      signal?.throwIfAborted();
      const batch = order.slice(start, start + settings.batchSize);
      // The last token of an option predicts nothing we score, so it is never fed.
      const rows = batch.map((i) => tokens[i].whole.slice(plan.prefix, -1));
      let out: ForwardOutput | undefined;
      if (rows.some((row) => row.length > 0)) {
        if (!expanded.has(batch.length)) expanded.set(batch.length, await decoder.expand(prefix.cache, batch.length));
        out = await decoder.forward(rows, expanded.get(batch.length)!, false);
      }
      batch.forEach((i, b) => {
        const { whole } = tokens[i];
        const from = plan.scoredFrom[i];
        let logprob = 0;
        for (let j = from; j < whole.length; j++) {
          // Token j is predicted by position j - 1: the prefix's last row, or row j - 1 - prefix of this pass.
          const row = j - 1 - plan.prefix;
          logprob +=
            row < 0
              ? logProbAt(prefix.last!, 0, prefix.last!.length, whole[j])
              : logProbAt(out!.logits, b * out!.seq + row, out!.vocab, whole[j]);
        }
        const { request, option } = owner[i];
        scores[request][option] = { logprob, tokens: whole.length - from };
      });
      onProgress?.({ stage: 'options', done: Math.min(start + settings.batchSize, order.length), total: order.length });
    }
  } finally {
    for (const cache of expanded.values()) if (cache !== prefix.cache) decoder.release(cache);
    decoder.release(prefix.cache);
  }
  return scores;
}
