/** The training gradient (jit, hand-written cross-entropy backward) against central finite differences. */
import { beforeAll, describe, expect, it } from 'vitest';
import { jit, numpy as np, valueAndGrad } from '@jax-js/jax';
import { Rng } from '../../src/util/rng.ts';
import { PROJECTIONS } from '../../src/model/llama-config.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { makeBatch } from '../../src/train/batches.ts';
import { loadEngineWeights, projectionPlan } from '../../src/engine/llama.ts';
import { factorIndex, initLora, loraLayout, packLora } from '../../src/engine/lora.ts';
import { batchLoss, type DeviceBatch } from '../../src/train/step.ts';
import { TINY, randomWeights } from './tiny-model.ts';

beforeAll(() => startEngine('wasm'));

describe('LoRA gradient', () => {
  // Both plans on WASM: WebGPU's (fused projections, folded adapters) is checked here too.
  it.each(['wasm', 'webgpu'])('matches central finite differences on every target module (the %s plan)', async (device) => {
    const engine = loadEngineWeights(TINY, randomWeights(TINY, 7), projectionPlan(device));
    const lora = { rank: 4, alpha: 8, dropout: 0, targets: PROJECTIONS };
    const adapter = initLora(TINY, lora, new Rng('fd'));
    // B starts at zero; make it random so the gradient reaches A too.
    const rng = new Rng('fd-b');
    for (const layer of adapter.layers) for (const f of Object.values(layer)) f.b = f.b.map(() => rng.normal() * 0.2);
    const layout = loraLayout(TINY, lora);
    const theta = packLora(adapter, layout);
    // Two rows of different lengths: padding and a loss that starts after a prefix are both exercised.
    const host = makeBatch(
      [
        { ids: [1, 5, 9, 14, 3, 22, 40, 7, 11, 2], lossFrom: 4 },
        { ids: [1, 30, 31, 8, 17, 12], lossFrom: 1 },
      ],
      2,
      12,
    );
    const batch = (): DeviceBatch => ({
      tokens: np.array(host.tokens, { shape: [2, 12], dtype: np.int32 }),
      positions: np.array(host.positions, { shape: [2, 12], dtype: np.int32 }),
      targets: np.array(host.targets, { shape: [2, 12], dtype: np.int32 }),
      weights: np.array(host.weights, { shape: [2, 12], dtype: np.float32 }),
    });
    const runtime = { scale: lora.alpha / lora.rank, dropout: 0 };
    const lossOf = jit((t: np.Array, b: DeviceBatch) => batchLoss(engine, runtime, layout, t, b));
    const gradOf = jit(valueAndGrad((t: np.Array, b: DeviceBatch) => batchLoss(engine, runtime, layout, t, b)));
    const [, grad] = gradOf(np.array(theta, { dtype: np.float32 }), batch());
    const analytic = (await grad.data()) as Float32Array;

    const eps = 1e-2; // float32: smaller steps drown in rounding (measured)
    const pick = new Rng('fd-pick');
    let checked = 0;
    // Two entries of every factor (A and B of each target in each layer), found through the layout.
    for (let layer = 0; layer < layout.layers; layer++)
      for (const t of layout.targets) {
        const [inDim, outDim] = layout.shapes[t]!;
        for (const [factor, rows, cols] of [['a', inDim, layout.rank], ['b', layout.rank, outDim]] as const) {
          for (let n = 0; n < 2; n++) {
            const j = factorIndex(layout, layer, t, factor, pick.int(rows), pick.int(cols));
            const at = async (delta: number) => {
              const moved = Float32Array.from(theta);
              moved[j] += delta;
              return (await lossOf(np.array(moved, { dtype: np.float32 }), batch()).data())[0];
            };
            const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
            expect(Math.abs(numeric - analytic[j]), `layer ${layer} ${t}.${factor} entry ${j}: ${analytic[j]} vs ${numeric}`).toBeLessThan(
              2e-3 + 1e-2 * Math.abs(numeric),
            );
            checked++;
          }
        }
      }
    expect(checked).toBe(PROJECTIONS.length * TINY.numLayers * 2 * 2);
    // The zero padding of the layout (see LoraLayout) gets no gradient, so it stays zero.
    const real = new Set<number>();
    for (let layer = 0; layer < layout.layers; layer++)
      for (const t of layout.targets) {
        const [inDim, outDim] = layout.shapes[t]!;
        for (let i = 0; i < inDim; i++) for (let k = 0; k < layout.rank; k++) real.add(factorIndex(layout, layer, t, 'a', i, k));
        for (let k = 0; k < layout.rank; k++) for (let o = 0; o < outDim; o++) real.add(factorIndex(layout, layer, t, 'b', k, o));
      }
    expect(real.size).toBeLessThan(layout.size);
    expect(analytic.filter((g, j) => !real.has(j) && g !== 0)).toHaveLength(0);
    // The gradients are not trivially zero.
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-2);
  });
});
