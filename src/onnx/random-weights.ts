/**
 * Random weights for a config, initialized as Hugging Face initializes an untrained model:
 * matrices and embeddings normal(0, initializer_range), norm weights 1, biases 0. Same seed, same weights.
 */
import type { Rng } from '../util/rng.ts';
import { PROJECTIONS, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';
import { transposed, type LayerWeights, type LlamaWeights, type Matrix } from '../model/llama-weights.ts';

/** normal(0, std) values; Box-Muller's two outputs per pair of uniforms are both kept (Rng.normal keeps one), halving the cost for 100M+ weights. */
function normal(rng: Rng, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    let u = 0;
    while (u === 0) u = rng.next();
    const radius = Math.sqrt(-2 * Math.log(u)) * std;
    const angle = 2 * Math.PI * rng.next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

export function randomLlamaWeights(config: LlamaConfig, rng: Rng): LlamaWeights {
  const { hiddenSize: d, vocabSize: v, initializerRange: std } = config;
  // One stream per tensor: a layer's weights do not depend on how many layers come before it. Drawn in
  // torch Linear's [out, in] order, as Hugging Face draws them, and turned to [in, out].
  const linear = (label: string, [inp, out]: [number, number]): Matrix => transposed({ rows: out, cols: inp, data: normal(rng.fork(label), out * inp, std) });
  const layers: LayerWeights[] = Array.from({ length: config.numLayers }, (_, i) => {
    const m = Object.fromEntries(PROJECTIONS.map((p) => [p, linear(`layers.${i}.${p}`, projectionShape(config, p))])) as Record<Projection, Matrix>;
    const zeros = (p: Projection) => new Float32Array(m[p].cols);
    return {
      inputNorm: new Float32Array(d).fill(1),
      postNorm: new Float32Array(d).fill(1),
      ...m,
      ...(config.attentionBias ? { bias: { q: zeros('q'), k: zeros('k'), v: zeros('v') } } : {}),
    };
  });
  return {
    embed: { rows: v, cols: d, data: normal(rng.fork('embed_tokens'), v * d, std) },
    layers,
    finalNorm: new Float32Array(d).fill(1),
    ...(config.tieWordEmbeddings ? {} : { lmHead: linear('lm_head', [d, v]) }),
  };
}
