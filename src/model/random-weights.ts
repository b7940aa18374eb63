/**
 * Random weights for an architecture, initialized as Hugging Face initializes an untrained model:
 * matrices and embeddings normal(0, initializer_range), norm weights 1, biases 0. Same seed, same weights.
 */
import type { Rng } from '../data/rng.ts';
import type { Architecture } from './architectures.ts';
import type { LayerWeights, Linear, LlamaWeights } from './llama-graph.ts';

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

export function randomLlamaWeights(arch: Architecture, rng: Rng): LlamaWeights {
  const { hiddenSize: d, intermediateSize: f, vocabSize: v, initializerRange: std } = arch;
  const qDim = arch.numHeads * arch.headDim;
  const kvDim = arch.numKvHeads * arch.headDim;
  // One stream per tensor: a layer's weights do not depend on how many layers come before it.
  const linear = (label: string, out: number, inp: number, bias: boolean): Linear => ({
    weight: normal(rng.fork(label), out * inp, std),
    ...(bias ? { bias: new Float32Array(out) } : {}),
  });
  const layers: LayerWeights[] = Array.from({ length: arch.numLayers }, (_, i) => ({
    inputLayernorm: new Float32Array(d).fill(1),
    q: linear(`layers.${i}.q`, qDim, d, arch.attentionBias),
    k: linear(`layers.${i}.k`, kvDim, d, arch.attentionBias),
    v: linear(`layers.${i}.v`, kvDim, d, arch.attentionBias),
    o: linear(`layers.${i}.o`, d, qDim, false),
    postAttentionLayernorm: new Float32Array(d).fill(1),
    gate: linear(`layers.${i}.gate`, f, d, false),
    up: linear(`layers.${i}.up`, f, d, false),
    down: linear(`layers.${i}.down`, d, f, false),
  }));
  return {
    embedTokens: normal(rng.fork('embed_tokens'), v * d, std),
    layers,
    norm: new Float32Array(d).fill(1),
    ...(arch.tieWordEmbeddings ? {} : { lmHead: normal(rng.fork('lm_head'), v * d, std) }),
  };
}
