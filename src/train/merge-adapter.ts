/**
 * A LoRA adapter merged into its base weights, W' = W + (alpha / rank) * A @ B for every adapted projection,
 * and written as an fp32 ONNX decoder by make-model's writer: the fine-tuned model then runs in ONNX Runtime
 * (with prefix key/value reuse) like any other. The base weights come from the engine's reader, so a q8 base
 * is merged as the exact dequantized values the jax-js engine trains against.
 */
import type { Architecture } from '../model/architectures.ts';
import { architectureOf } from '../model/config-architecture.ts';
import type { LlamaConfig } from '../model/llama-config.ts';
import { buildLlamaModel, type Linear, type LlamaWeights as GraphWeights } from '../model/llama-graph.ts';
import { encodeModel } from '../model/onnx-writer.ts';
import { PROJECTIONS, type LlamaWeights, type Matrix, type Projection } from '../model/onnx-weights.ts';
import { loraScale, type HostFactors, type LoraAdapter } from './lora.ts';

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** w [in, out] plus scale * a [in, rank] @ b [rank, out], as a new matrix. */
function addLowRank(w: Matrix, f: HostFactors, rank: number, scale: number): Float32Array {
  if (f.in !== w.rows || f.out !== w.cols) throw new Error(`adapter factors ${f.in}x${f.out} do not fit a ${w.rows}x${w.cols} weight`);
  const out = Float32Array.from(w.data);
  for (let i = 0; i < w.rows; i++) {
    const row = out.subarray(i * w.cols, (i + 1) * w.cols);
    for (let r = 0; r < rank; r++) {
      const coef = scale * f.a[i * rank + r];
      if (coef === 0) continue;
      const b = f.b.subarray(r * w.cols, (r + 1) * w.cols);
      for (let j = 0; j < w.cols; j++) row[j] += coef * b[j];
    }
  }
  return out;
}

/** The base weights with the adapter folded in, in the writer's layout (torch Linear [out, in]). */
export function mergedWeights(base: LlamaWeights, adapter: LoraAdapter): GraphWeights {
  if (adapter.layers.length !== base.layers.length)
    throw new Error(`the adapter has ${adapter.layers.length} layers, the model ${base.layers.length}`);
  const scale = loraScale(adapter.config);
  return {
    embedTokens: base.embed.data,
    norm: base.finalNorm,
    ...(base.lmHead ? { lmHead: transpose(base.lmHead.data, base.lmHead.rows, base.lmHead.cols) } : {}),
    layers: base.layers.map((layer, i) => {
      const linear = (p: Projection): Linear => {
        const w = layer[p];
        const f = adapter.layers[i][p];
        const merged = f ? addLowRank(w, f, adapter.config.rank, scale) : w.data;
        const bias = layer.bias?.[p];
        return { weight: transpose(merged, w.rows, w.cols), ...(bias ? { bias } : {}) };
      };
      const [q, k, v, o, gate, up, down] = PROJECTIONS.map(linear);
      return { inputLayernorm: layer.inputNorm, postAttentionLayernorm: layer.postNorm, q, k, v, o, gate, up, down };
    }),
  };
}

/** fp32 ONNX bytes of the merged model, in the transformers.js decoder layout. */
export function mergeAdapterToOnnx(config: LlamaConfig, modelType: string | undefined, base: LlamaWeights, adapter: LoraAdapter): Uint8Array {
  const arch: Architecture = architectureOf(config, modelType, base);
  return encodeModel(buildLlamaModel(arch, mergedWeights(base, adapter), 'fp32'));
}
