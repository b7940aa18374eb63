/**
 * Next-token cross-entropy whose gradient is written by hand (softmax minus target), because under jax-js
 * `jit` the automatic gradient of a log-sum-exp over the vocabulary is ~60x slower than eager, and a
 * one-hot over a 49k vocabulary runs out of WASM memory. The returned scalar has the true loss as its value
 * and, as its gradient, sum(p * d logits) - d target_logit with p = softmax held constant.
 */
import { lax, numpy as np } from '@jax-js/jax';
import { logitsFrom, type EngineWeights } from './llama.ts';

/**
 * Weighted cross-entropy of `targets` [B, T] (int32) after `hidden` [B, T, H]. `weights` [B, T] are 0 on
 * positions outside the loss and sum to 1 over the batch, so the result is the mean over counted tokens.
 */
export function crossEntropy(w: EngineWeights, hidden: np.Array, targets: np.Array, weights: np.Array): np.Array {
  const logits = logitsFrom(w, hidden.ref);
  const fixed = lax.stopGradient(logits.ref);
  const max = fixed.ref.max(-1, { keepdims: true });
  const exp = np.exp(fixed.sub(max.ref));
  const total = exp.ref.sum(-1, { keepdims: true });
  const p = lax.stopGradient(exp.div(total.ref));
  const logSumExp = np.log(total).add(max).reshape(targets.shape);
  // The target logit as a gather of head rows: no one-hot, and no scatter in the backward pass.
  const target = np.sum(hidden.mul(w.headRows.ref.slice(targets)), -1);
  const expected = np.sum(p.mul(logits), -1);
  const surrogate = expected.ref.sub(target);
  const correction = lax.stopGradient(logSumExp.sub(expected));
  return np.sum(surrogate.add(correction).mul(weights));
}
