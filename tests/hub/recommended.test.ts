import { describe, expect, it } from 'vitest';
import { BYTES_PER_WEIGHT, RECOMMENDED, modelFigures } from '../../src/hub/recommended.ts';
import { isLikeName } from '../../src/model/architectures.ts';

const byId = (id: string) => modelFigures(RECOMMENDED.find((m) => m.id === id)!);

describe('recommended models', () => {
  it('are the ids transformers.js loads them by, each with a known shape', () => {
    expect(RECOMMENDED.map((m) => m.id)).toEqual([
      'HuggingFaceTB/SmolLM2-135M-Instruct',
      'HuggingFaceTB/SmolLM2-360M-Instruct',
      'onnx-community/Qwen2.5-0.5B-Instruct',
    ]);
    for (const m of RECOMMENDED) expect(isLikeName(m.like)).toBe(true);
  });

  it('count the parameters the model cards publish (Qwen2.5 without its 27,648 q/k/v biases)', () => {
    expect(byId('HuggingFaceTB/SmolLM2-135M-Instruct').parameters).toBe(134_515_008);
    expect(byId('HuggingFaceTB/SmolLM2-360M-Instruct').parameters).toBe(361_821_120);
    expect(byId('onnx-community/Qwen2.5-0.5B-Instruct').parameters).toBe(494_032_768 - 27_648);
  });

  it('estimate sizes from the parameter count and speeds from the 135M measurements', () => {
    const small = byId('HuggingFaceTB/SmolLM2-135M-Instruct');
    expect(small.bytes).toEqual({ fp32: 4 * 134_515_008, fp16: 2 * 134_515_008, q8: 134_515_008, q4: Math.round(0.625 * 134_515_008) });
    expect(BYTES_PER_WEIGHT.q4).toBe(0.625);
    expect(small.wasmItemsPerSecond).toBe(5);
    expect(small.webgpuTokensPerSecond).toBe(333);
    // Bigger models are slower on both, in order of size.
    const speeds = RECOMMENDED.map((m) => modelFigures(m));
    for (let i = 1; i < speeds.length; i++) {
      expect(speeds[i].wasmItemsPerSecond).toBeLessThan(speeds[i - 1].wasmItemsPerSecond);
      expect(speeds[i].webgpuTokensPerSecond).toBeLessThan(speeds[i - 1].webgpuTokensPerSecond);
    }
  });
});
