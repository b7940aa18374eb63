/**
 * A LoRA adapter merged into its base weights, W' = W + (alpha / rank) * A @ B for every adapted projection,
 * and written as an fp32 ONNX decoder by make-model's writer: the fine-tuned model then runs in ONNX Runtime
 * (with prefix key/value reuse) like any other. The base weights come from the engine's reader, so a q8 base
 * is merged as the exact dequantized values the jax-js engine trains against.
 */
import { PROJECTIONS, type LlamaConfig } from '../model/llama-config.ts';
import { buildLlamaModel } from '../onnx/llama-graph.ts';
import type { LlamaWeights, Matrix } from '../model/llama-weights.ts';
import { encodeModel } from '../onnx/onnx-writer.ts';
import { loraScale, type HostFactors, type LoraAdapter } from '../engine/lora.ts';

/** w [in, out] plus scale * a [in, rank] @ b [rank, out], as a new matrix. */
function addLowRank(w: Matrix, f: HostFactors, rank: number, scale: number): Matrix {
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
  return { rows: w.rows, cols: w.cols, data: out };
}

/** The base weights with the adapter folded into every projection it adapts; the rest is the base's own. */
export function mergedWeights(base: LlamaWeights, adapter: LoraAdapter): LlamaWeights {
  if (adapter.layers.length !== base.layers.length)
    throw new Error(`the adapter has ${adapter.layers.length} layers, the model ${base.layers.length}`);
  const scale = loraScale(adapter.config);
  return {
    ...base,
    layers: base.layers.map((layer, i) => {
      const merged = { ...layer };
      for (const p of PROJECTIONS) {
        const f = adapter.layers[i][p];
        if (f) merged[p] = addLowRank(layer[p], f, adapter.config.rank, scale);
      }
      return merged;
    }),
  };
}

/** fp32 ONNX bytes of the merged model, in the transformers.js decoder layout. */
export function mergeAdapterToOnnx(config: LlamaConfig, base: LlamaWeights, adapter: LoraAdapter): Uint8Array {
  return encodeModel(buildLlamaModel(config, mergedWeights(base, adapter), 'fp32'));
}
