/**
 * Text generation, greedy or sampled with a seeded Rng, over any source of next-token logits (the ORT
 * model's key/value cache, or another engine). Stops at an end-of-sequence token, at maxNewTokens, at the
 * model's context length, or at the first stop string (which is not returned).
 */
import type { GenerateOptions } from './language-model.ts';
import { argmax } from './logits.ts';
import { Rng } from '../util/rng.ts';

/** Produces the logits after a prompt, then after each chosen token. */
export interface NextTokenSource {
  begin(promptIds: readonly number[], signal?: AbortSignal): Promise<Float32Array>;
  next(token: number, signal?: AbortSignal): Promise<Float32Array>;
  end(): void;
}

export interface TextCodec {
  encode(text: string): number[];
  /** Text of the tokens without special tokens. */
  decode(ids: readonly number[]): string;
  endIds: ReadonlySet<number>;
}

export const DEFAULT_MAX_NEW_TOKENS = 256;

export interface Sampling {
  temperature?: number;
  topK?: number;
}

/** Greedy when temperature is 0 or absent; else a draw from softmax(logits / temperature), optionally top-k. */
export function chooseToken(logits: Float32Array, { temperature, topK }: Sampling, rng: Rng): number {
  if (!temperature) return argmax(logits, 0, logits.length);
  if (temperature < 0) throw new RangeError(`temperature must be positive, got ${temperature}`);
  let candidates = Array.from(logits.keys());
  if (topK && topK < candidates.length) {
    // Ties at the cut are broken by index, so the candidate set never depends on sort stability.
    candidates.sort((a, b) => logits[b] - logits[a] || a - b);
    candidates = candidates.slice(0, topK);
  }
  let max = -Infinity;
  for (const i of candidates) max = Math.max(max, logits[i]);
  const weights = candidates.map((i) => Math.exp((logits[i] - max) / temperature));
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < candidates.length; k++) {
    u -= weights[k];
    if (u < 0) return candidates[k];
  }
  return candidates[candidates.length - 1];
}

/** The text before the earliest stop string, and whether one was found. */
export function cutAtStop(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  let cut = -1;
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

export async function generateText(
  source: NextTokenSource,
  codec: TextCodec,
  contextLength: number,
  prompt: string,
  options: GenerateOptions = {},
): Promise<string> {
  const { signal, onProgress, stop = [], seed = 0 } = options;
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  const promptIds = codec.encode(prompt);
  if (promptIds.length === 0) throw new Error('cannot generate from an empty prompt: this tokenizer adds no start token');
  if (promptIds.length >= contextLength)
    throw new Error(`the prompt is ${promptIds.length} tokens; the model accepts ${contextLength} in all`);
  const rng = new Rng(`generate/${seed}`);
  const promptText = codec.decode(promptIds);
  const ids = [...promptIds];
  let text = '';
  try {
    let logits = await source.begin(promptIds, signal);
    for (let n = 0; n < maxNewTokens && ids.length < contextLength; n++) {
      const token = chooseToken(logits, options, rng);
      if (codec.endIds.has(token)) break;
      ids.push(token);
      // Decoding the whole sequence keeps spaces and multi-byte characters that span tokens right.
      const cut = cutAtStop(codec.decode(ids).slice(promptText.length), stop);
      text = cut.text;
      onProgress?.({ stage: 'generate', done: n + 1, total: maxNewTokens });
      if (cut.stopped || n + 1 === maxNewTokens || ids.length === contextLength) break;
      logits = await source.next(token, signal);
    }
  } finally {
    source.end();
  }
  return text;
}
