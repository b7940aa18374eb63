import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../src/model/architectures.ts';
import type { LlamaConfig } from '../../src/model/llama-config.ts';
import { PROJECTIONS } from '../../src/model/onnx-weights.ts';
import { estimateTraining, foldedBytes } from '../../src/train/estimate.ts';

const smol = ARCHITECTURES['smollm2-135m'];
const SMOLLM2: LlamaConfig = {
  vocabSize: smol.vocabSize,
  hiddenSize: smol.hiddenSize,
  intermediateSize: smol.intermediateSize,
  numLayers: smol.numLayers,
  numHeads: smol.numHeads,
  numKvHeads: smol.numKvHeads,
  headDim: smol.headDim,
  ropeTheta: smol.ropeTheta,
  rmsNormEps: smol.rmsNormEps,
  tieWordEmbeddings: smol.tieWordEmbeddings,
  maxPositions: smol.maxPositionEmbeddings,
};
const lora = { rank: 8, alpha: 16, dropout: 0, targets: PROJECTIONS };

describe('estimateTraining', () => {
  it("counts WebGPU's folded weights: one more copy of the layers' projections and two padded delta blocks", () => {
    const on = (device: 'wasm' | 'webgpu') => estimateTraining({ config: SMOLLM2, batch: 8, length: 64, steps: 1, lora, device }).bytes;
    // q, k, v, o: 576x576, 576x192 (twice), 576x576; gate, up, down: 576x1536 each; deltas padded to 1536x1536.
    const layer = 2 * 576 * 576 + 2 * 576 * 192 + 3 * 576 * 1536;
    expect(foldedBytes(SMOLLM2, lora)).toBe((30 * layer + 2 * 7 * 1536 * 1536) * 4);
    expect(on('webgpu') - on('wasm')).toBe(foldedBytes(SMOLLM2, lora));
  });

  it('refuses a full SmolLM2-135M LoRA step at 8x64 on WASM and says what would fit', () => {
    const e = estimateTraining({ config: SMOLLM2, batch: 8, length: 64, steps: 100, lora, device: 'wasm' });
    expect(e.fits).toBe(false);
    expect(e.message).toMatch(/training needs about [\d.]+ GiB on WASM, over its 4 GiB limit .*; a batch of \d would fit/);
    const advised = Number(/a batch of (\d+)/.exec(e.message!)![1]);
    expect(estimateTraining({ config: SMOLLM2, batch: advised, length: 64, steps: 100, lora, device: 'wasm' }).fits).toBe(true);
  });

  it('grows with layers and batch, and matches the measured 2- and 4-layer runs within 30%', () => {
    const at = (layers: number, batch: number) =>
      estimateTraining({ config: { ...SMOLLM2, numLayers: layers }, batch, length: 64, steps: 1, lora, device: 'wasm' });
    // Measured peak RSS above the process's 503 MiB before loading: 1090 MiB (2 layers), 1471 MiB (4 layers).
    expect(at(2, 8).bytes / 2 ** 20).toBeGreaterThan(1090 * 0.7);
    expect(at(4, 8).bytes / 2 ** 20).toBeLessThan(1471 * 1.3);
    expect(at(4, 8).bytes).toBeGreaterThan(at(2, 8).bytes);
    expect(at(4, 8).bytes).toBeGreaterThan(at(4, 4).bytes);
    expect(at(4, 8).seconds).toBeGreaterThan(at(2, 8).seconds);
  });
});
