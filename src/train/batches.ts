/**
 * Training examples to fixed-shape token batches. Every batch has the same [batch, length] shape so the
 * jitted step compiles once: rows are right-padded and a short last batch gets empty rows, both with loss
 * weight 0. Loss weights of a batch sum to 1, so the loss is the mean over its counted tokens.
 */
import type { Rng } from '../util/rng.ts';

/** What a tokenizer must do for training: text to ids, with the model's BOS when it uses one. */
export interface TokenEncoder {
  encode(text: string): number[];
}

/** A training sequence; when `prefix` is given, only tokens after it count in the loss. */
export interface TrainExample {
  prefix?: string;
  text: string;
}

export interface TokenizedExample {
  ids: number[];
  /** Index of the first token predicted with loss (tokens before it are context only). */
  lossFrom: number;
}

export interface HostBatch {
  batch: number;
  length: number;
  tokens: Int32Array<ArrayBuffer>;
  positions: Int32Array<ArrayBuffer>;
  targets: Int32Array<ArrayBuffer>;
  weights: Float32Array<ArrayBuffer>;
  /** Tokens that count in the loss. */
  counted: number;
}

export function tokenizeExamples(examples: readonly TrainExample[], encoder: TokenEncoder, maxLength: number): TokenizedExample[] {
  return examples.map((ex, i) => {
    const ids = encoder.encode((ex.prefix ?? '') + ex.text);
    if (ids.length > maxLength)
      throw new RangeError(`training example ${i} is ${ids.length} tokens long; the limit is ${maxLength} (shorten it or raise the maximum length)`);
    const lossFrom = ex.prefix ? Math.max(1, encoder.encode(ex.prefix).length) : 1;
    if (lossFrom >= ids.length) throw new RangeError(`training example ${i} has no tokens after its prefix`);
    return { ids, lossFrom };
  });
}

/** Longest example, rounded up to a multiple of 8 (fewer distinct shapes across datasets). */
export function batchLength(examples: readonly TokenizedExample[]): number {
  const longest = Math.max(...examples.map((e) => e.ids.length));
  return Math.ceil(longest / 8) * 8;
}

export function makeBatch(rows: readonly TokenizedExample[], batch: number, length: number): HostBatch {
  const tokens = new Int32Array(batch * length);
  const positions = new Int32Array(batch * length);
  const targets = new Int32Array(batch * length);
  const weights = new Float32Array(batch * length);
  let counted = 0;
  rows.forEach((row, b) => {
    for (let t = 0; t < row.ids.length; t++) {
      tokens[b * length + t] = row.ids[t];
      positions[b * length + t] = t;
      // position t predicts token t + 1
      if (t + 1 < row.ids.length) {
        targets[b * length + t] = row.ids[t + 1];
        if (t + 1 >= row.lossFrom) {
          weights[b * length + t] = 1;
          counted++;
        }
      }
    }
  });
  for (let i = 0; i < weights.length; i++) weights[i] /= Math.max(1, counted);
  return { batch, length, tokens, positions, targets, weights, counted };
}

/** One epoch in a seeded random order, cut into batches of `batch` rows. */
export function epochBatches(examples: readonly TokenizedExample[], batch: number, length: number, rng: Rng): HostBatch[] {
  const order = rng.shuffle(examples);
  const out: HostBatch[] = [];
  for (let i = 0; i < order.length; i += batch) out.push(makeBatch(order.slice(i, i + batch), batch, length));
  return out;
}
