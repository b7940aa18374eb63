/**
 * AdamW over a list of parameter arrays, with global-norm gradient clipping and a warmup-then-decay
 * learning rate. The update is pure (arrays in, arrays out) so it runs inside the jitted training step.
 */
import { numpy as np } from '@jax-js/jax';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Gradients are scaled down when their global L2 norm exceeds this. */
  clipNorm: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };

export interface AdamWState {
  m: np.Array[];
  v: np.Array[];
}

export function initAdamW(params: readonly np.Array[]): AdamWState {
  return {
    m: params.map((p) => np.zeros(p.shape, { dtype: np.float32 })),
    v: params.map((p) => np.zeros(p.shape, { dtype: np.float32 })),
  };
}

/**
 * One update. `lr` is a scalar array (so a changing rate does not retrace); `step` is 1-based and
 * static. Returns the new parameters and state, and the gradient norm before clipping.
 */
export function adamWUpdate(
  params: np.Array[],
  grads: np.Array[],
  state: AdamWState,
  lr: np.Array,
  correction: np.Array,
  opts: AdamWOptions,
): { params: np.Array[]; state: AdamWState; gradNorm: np.Array } {
  const squares = grads.map((g) => np.sum(g.ref.mul(g.ref)));
  const gradNorm = np.sqrt(squares.reduce((a, b) => a.add(b)));
  const clip = np.minimum(np.divide(opts.clipNorm, gradNorm.ref.add(1e-6)), 1);
  // correction = [1 / (1 - beta1^t), 1 / (1 - beta2^t)]
  const [c1, c2] = [correction.ref.slice(0), correction.slice(1)];
  const out: np.Array[] = [], m: np.Array[] = [], v: np.Array[] = [];
  params.forEach((p, i) => {
    const g = grads[i].mul(clip.ref);
    const mi = state.m[i].mul(opts.beta1).add(g.ref.mul(1 - opts.beta1));
    const vi = state.v[i].mul(opts.beta2).add(g.ref.mul(g).mul(1 - opts.beta2));
    const update = mi.ref.mul(c1.ref).div(np.sqrt(vi.ref.mul(c2.ref)).add(opts.eps));
    out.push(p.ref.sub(update.add(p.mul(opts.weightDecay)).mul(lr.ref)));
    m.push(mi);
    v.push(vi);
  });
  clip.dispose();
  c1.dispose();
  c2.dispose();
  lr.dispose();
  return { params: out, state: { m, v }, gradNorm };
}

export interface Schedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
}

/** Linear warmup to `peak`, then cosine decay to 10% of it at the last step. */
export function learningRate(s: Schedule, step: number): number {
  if (step <= s.warmupSteps) return (s.peak * step) / Math.max(1, s.warmupSteps);
  const t = (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps);
  return s.peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}
