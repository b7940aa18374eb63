/** Log-prob arithmetic shared by the tests that compare two computations of one model. */
import type { OptionScore } from '../src/model/language-model.ts';

/** The largest |log-prob| gap per option token between two scorings of the same items (token counts must agree). */
export function maxGapPerToken(a: OptionScore[][], b: OptionScore[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((s, o) => {
      if (s.tokens !== b[i][o].tokens) throw new Error(`item ${i} option ${o}: ${s.tokens} tokens against ${b[i][o].tokens}`);
      worst = Math.max(worst, Math.abs(s.logprob - b[i][o].logprob) / s.tokens);
    }),
  );
  return worst;
}

/** log p(ids[t + 1] | ids[..t]) from logits [T, V]. */
export function nextTokenLogprobs(logits: Float32Array, ids: readonly number[], vocab: number): number[] {
  return ids.slice(1).map((next, t) => {
    const row = logits.subarray(t * vocab, (t + 1) * vocab);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    return row[next] - max - Math.log(sum);
  });
}
