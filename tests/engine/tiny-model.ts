/** A tiny random Llama (same architecture as the real ones) for tests that need exact control. */
import { Rng } from '../../src/util/rng.ts';
import type { LlamaConfig } from '../../src/model/llama-config.ts';
import type { LlamaWeights, Matrix } from '../../src/model/llama-weights.ts';

export const TINY: LlamaConfig = {
  modelType: 'llama',
  vocabSize: 48,
  hiddenSize: 16,
  intermediateSize: 24,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 4,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: true,
  maxPositions: 32,
  attentionBias: false,
  initializerRange: 0.3,
};

export function randomWeights(c: LlamaConfig, seed: number): LlamaWeights {
  const rng = new Rng(seed);
  const m = (rows: number, cols: number, std = 0.3): Matrix => ({
    rows,
    cols,
    data: Float32Array.from({ length: rows * cols }, () => rng.normal() * std),
  });
  const norm = () => Float32Array.from({ length: c.hiddenSize }, () => 1 + 0.1 * rng.normal());
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  return {
    embed: m(c.vocabSize, c.hiddenSize, 1),
    layers: Array.from({ length: c.numLayers }, () => ({
      inputNorm: norm(),
      q: m(c.hiddenSize, q),
      k: m(c.hiddenSize, kv),
      v: m(c.hiddenSize, kv),
      o: m(q, c.hiddenSize),
      postNorm: norm(),
      gate: m(c.hiddenSize, c.intermediateSize),
      up: m(c.hiddenSize, c.intermediateSize),
      down: m(c.intermediateSize, c.hiddenSize),
    })),
    finalNorm: norm(),
  };
}
