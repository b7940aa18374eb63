import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, type LikeName } from '../../src/model/architectures.ts';
import { PROJECTIONS, parseLlamaConfig, type LlamaConfig } from '../../src/model/llama-config.ts';
import { estimateTraining, foldedBytes } from '../../src/train/estimate.ts';
import { MODELS_DIR } from '../models-dir.ts';

const MiB = 2 ** 20;
const like = (name: LikeName, layers: number): LlamaConfig => ({ ...ARCHITECTURES[name], numLayers: layers });
const SMOLLM2 = like('smollm2-135m', 30);
const STORIES = parseLlamaConfig(JSON.parse(readFileSync(join(MODELS_DIR, 'stories260K/config.json'), 'utf8')));
// What `glon bench` trains: rank 8 on all seven projections, 8x64 tokens.
const lora = { rank: 8, alpha: 16, dropout: 0, targets: PROJECTIONS };
const estimate = (config: LlamaConfig) => estimateTraining({ config, batch: 8, length: 64, steps: 1, lora, device: 'wasm' });

/**
 * Peak WASM memory of a real jit LoRA step: the size jax-js's WebAssembly.Memory reached, which is what the
 * 4 GiB limit applies to, printed as "memory: jax-js's WASM memory peaked at ..." by
 *   glon make-model --like LIKE --layers N --seed 0 --out DIR && glon bench --only training --train-model DIR --train-steps 1
 * (stories260K: glon bench --only training --train-steps 1), on 2026-12-05. Memory depends on shapes only,
 * not on the machine's speed or load. `null`: the step failed with "Allocation exceeds the 4 GiB memory32
 * limit". The estimate's constants are rounded up from the two SmolLM2-135M steps (src/train/estimate.ts).
 */
const MEASURED: { name: string; config: LlamaConfig; mib: number | null }[] = [
  { name: 'stories260K', config: STORIES, mib: 103 },
  { name: 'SmolLM2-135M, 2 layers', config: like('smollm2-135m', 2), mib: 1187 },
  { name: 'SmolLM2-135M, 4 layers', config: like('smollm2-135m', 4), mib: 1473 },
  { name: 'SmolLM2-360M, 2 layers', config: like('smollm2-360m', 2), mib: 1681 },
  { name: 'Qwen2.5-0.5B, 2 layers', config: like('qwen2.5-0.5b', 2), mib: null },
];

/**
 * The estimate guards against a run that dies of memory minutes in, so it must never be below what a step
 * takes; and it must not refuse runs that fit by a wide margin: at most 1.5 times the measured peak.
 */
function agrees({ config, mib }: (typeof MEASURED)[number]): boolean {
  const e = estimate(config);
  return mib === null ? !e.fits : e.bytes >= mib * MiB && e.bytes <= 1.5 * mib * MiB;
}

describe('estimateTraining', () => {
  it("counts WebGPU's folded weights: one more copy of the layers' projections and two padded delta blocks", () => {
    const on = (device: 'wasm' | 'webgpu') => estimateTraining({ config: SMOLLM2, batch: 8, length: 64, steps: 1, lora, device }).bytes;
    // q, k, v, o: 576x576, 576x192 (twice), 576x576; gate, up, down: 576x1536 each; deltas padded to 1536x1536.
    const layer = 2 * 576 * 576 + 2 * 576 * 192 + 3 * 576 * 1536;
    expect(foldedBytes(SMOLLM2, lora)).toBe((30 * layer + 2 * 7 * 1536 * 1536) * 4);
    expect(on('webgpu') - on('wasm')).toBe(foldedBytes(SMOLLM2, lora));
  });

  it('refuses a full SmolLM2-135M LoRA step at 8x64 on WASM and says what would fit', () => {
    const e = estimate(SMOLLM2);
    expect(e.fits).toBe(false);
    expect(e.message).toMatch(/training needs about [\d.]+ GiB on WASM, over its 4 GiB limit .*; a batch of \d would fit/);
    const advised = Number(/a batch of (\d+)/.exec(e.message!)![1]);
    expect(estimateTraining({ config: SMOLLM2, batch: advised, length: 64, steps: 100, lora, device: 'wasm' }).fits).toBe(true);
  });

  it('grows with layers and batch', () => {
    const at = (layers: number, batch: number) => estimateTraining({ config: { ...SMOLLM2, numLayers: layers }, batch, length: 64, steps: 1, lora, device: 'wasm' });
    expect(at(4, 8).bytes).toBeGreaterThan(at(2, 8).bytes);
    expect(at(4, 8).bytes).toBeGreaterThan(at(4, 4).bytes);
    expect(at(4, 8).seconds).toBeGreaterThan(at(2, 8).seconds);
  });

  it.each(MEASURED)('is at least the measured peak and at most 1.5 times it, or refuses a step that did not fit: $name', (m) => {
    expect(agrees(m)).toBe(true);
  });
});
