/** Arithmetic on one row of next-token logits (a slice of a flat [rows, vocab] array). */

/** log softmax(row)[token], with the normalizer accumulated in float64 so long vocabularies lose no precision. */
export function logProbAt(logits: Float32Array, row: number, vocab: number, token: number): number {
  const start = row * vocab;
  let max = -Infinity;
  for (let i = start; i < start + vocab; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = start; i < start + vocab; i++) sum += Math.exp(logits[i] - max);
  return logits[start + token] - max - Math.log(sum);
}

/** Index of the largest logit; the lowest index wins a tie, so greedy decoding is deterministic. */
export function argmax(logits: Float32Array, row: number, vocab: number): number {
  const start = row * vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (logits[start + i] > logits[start + best]) best = i;
  return best;
}
