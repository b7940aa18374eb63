/**
 * Real exporters' files (tests/fixtures/exports): the weight reader maps every weight of every variant to
 * the exporter's own state dict, within the error of that variant's quantization computed here from the
 * state dict; ONNX Runtime on the fp32 export reproduces PyTorch's logits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxWeights } from '../../src/onnx/onnx-weights.ts';
import type { Matrix } from '../../src/model/llama-weights.ts';
import type { F32Tensor } from '../../src/train/safetensors.ts';
import {
  TORCH_EXPORTS,
  VARIANTS,
  fixtureConfig,
  fixtureDir,
  fixtureTensors,
  ortLogits,
  referenceRun,
  type Variant,
} from '../exported-fixtures.ts';

/** [out, in] (PyTorch's Linear layout) -> [in, out] (the reader's). */
function transposed(t: F32Tensor): Float32Array {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return out;
}

const HALF_ULP = 2 ** -11;

/** The largest rounding error fp16 storage allows for x (normal range; 2^-25 covers subnormals). */
function halfError(x: number): number {
  return Math.abs(x) * HALF_ULP + 2 ** -25;
}

/** Per-tensor 8-bit step: int8 symmetric [-127, 127], uint8 asymmetric [0, 255] (ONNX Runtime's quantize_data). */
function perTensorStep(values: Float32Array, symmetric: boolean): number {
  let min = 0;
  let max = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return symmetric ? (2 * Math.max(-min, max)) / 254 : (max - min) / 255;
}

/**
 * Allowed |read - exported| for each element of a weight stored [in, out] (`matrix`), or of a vector or
 * embedding table: the variant's rounding, derived from the exported values alone.
 */
function bounds(variant: Variant, kind: 'projection' | 'embedding' | 'vector', values: Float32Array, cols = 1): (i: number) => number {
  const slack = 1e-6;
  if (variant === 'fp32') return () => 0;
  if (variant === 'fp16') return (i) => halfError(values[i]);
  if (variant === 'q8' || variant === 'uint8') {
    if (kind === 'vector') return () => 0;
    // Embeddings go through GatherQuant with the activation type (uint8); projections use the weight type.
    const step = perTensorStep(values, kind === 'projection' && variant === 'q8');
    return () => step / 2 + slack;
  }
  // q4 / q4f16: a block is 32 consecutive rows of one column; the value of largest magnitude maps to -8, so
  // the other sign may clip at +7: one step at most.
  if (kind !== 'projection') return variant === 'q4' ? () => 0 : (i) => halfError(values[i]);
  const rows = values.length / cols;
  const steps = new Float32Array(values.length);
  for (let c = 0; c < cols; c++)
    for (let start = 0; start < rows; start += 32) {
      let absmax = 0;
      for (let r = start; r < Math.min(start + 32, rows); r++) absmax = Math.max(absmax, Math.abs(values[r * cols + c]));
      for (let r = start; r < Math.min(start + 32, rows); r++) steps[r * cols + c] = absmax / 8;
    }
  const scaleRounding = variant === 'q4f16' ? 8 * HALF_ULP : 0;
  return (i) => steps[i] * (1 + scaleRounding) + slack;
}

function expectClose(what: string, ours: Float32Array, exported: Float32Array, bound: (i: number) => number): void {
  expect(ours.length, what).toBe(exported.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ours.length; i++) {
    const excess = Math.abs(ours[i] - exported[i]) - bound(i);
    if (!(excess <= worst)) [worst, at] = [excess, i];
  }
  expect(at, `${what}[${at}]: read ${ours[at]}, exported ${exported[at]}, allowed ±${at >= 0 ? bound(at) : 0}`).toBe(-1);
}

describe.each(TORCH_EXPORTS)('%s exported by PyTorch', (name) => {
  const config = fixtureConfig(name);
  const state = fixtureTensors(name, 'state_dict');
  const tensor = (key: string) => {
    const t = state.get(key);
    if (!t) throw new Error(`state dict has no ${key}`);
    return t;
  };

  it.each(Object.keys(VARIANTS) as Variant[])('%s: every weight maps to the state dict within the format error', (variant) => {
    const w = readOnnxWeights(readFileSync(join(fixtureDir(name), VARIANTS[variant])), config);
    const embed = tensor('model.embed_tokens.weight');
    expectClose('embed_tokens', w.embed.data, embed.data, bounds(variant, 'embedding', embed.data));
    expect(w.layers).toHaveLength(config.numLayers);
    w.layers.forEach((layer, n) => {
      const prefix = `model.layers.${n}`;
      const norms = { inputNorm: 'input_layernorm', postNorm: 'post_attention_layernorm' } as const;
      for (const [ours, theirs] of Object.entries(norms)) {
        const t = tensor(`${prefix}.${theirs}.weight`);
        expectClose(`${prefix}.${theirs}`, layer[ours as keyof typeof norms], t.data, bounds(variant, 'vector', t.data));
      }
      const modules = { q: 'self_attn.q_proj', k: 'self_attn.k_proj', v: 'self_attn.v_proj', o: 'self_attn.o_proj', gate: 'mlp.gate_proj', up: 'mlp.up_proj', down: 'mlp.down_proj' } as const;
      for (const [role, module] of Object.entries(modules)) {
        const t = tensor(`${prefix}.${module}.weight`);
        const m = layer[role as keyof typeof modules] as Matrix;
        expect([m.rows, m.cols], `${prefix}.${module}`).toEqual([t.shape[1], t.shape[0]]);
        const exported = transposed(t);
        expectClose(`${prefix}.${module}`, m.data, exported, bounds(variant, 'projection', exported, m.cols));
        const bias = state.get(`${prefix}.${module}.bias`);
        const ours = layer.bias?.[role as keyof typeof modules];
        expect(ours !== undefined, `${prefix}.${module}.bias read`).toBe(bias !== undefined);
        if (bias && ours) expectClose(`${prefix}.${module}.bias`, ours, bias.data, bounds(variant, 'vector', bias.data));
      }
    });
    const norm = tensor('model.norm.weight');
    expectClose('model.norm', w.finalNorm, norm.data, bounds(variant, 'vector', norm.data));
    // A tied state dict stores the head once, as the embedding; the export keeps its own transposed copy.
    const head = transposed(config.tieWordEmbeddings ? embed : tensor('lm_head.weight'));
    expect(w.lmHead, 'the export has its own head initializer').toBeDefined();
    expectClose('lm_head', w.lmHead!.data, head, bounds(variant, 'projection', head, config.vocabSize));
  });

  it('ONNX Runtime on the fp32 export reproduces PyTorch logits within 1e-4', async () => {
    const { ids, logits } = referenceRun(name);
    const ours = await ortLogits(join(fixtureDir(name), VARIANTS.fp32), config, ids);
    expectClose('logits', ours, logits, () => 1e-4);
  });
});
