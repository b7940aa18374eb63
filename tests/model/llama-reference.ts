/**
 * The Llama/Qwen2 forward pass written out plainly in float64 (as Hugging Face's modeling_llama.py computes
 * it): the oracle the ONNX graph is checked against. One unpadded sequence, positions 0..S-1.
 */
import type { Architecture } from '../../src/model/architectures.ts';
import type { Linear, LlamaWeights } from '../../src/model/llama-graph.ts';

type Vec = Float64Array;

function rmsNorm(x: Vec, weight: Float32Array, eps: number): Vec {
  let sum = 0;
  for (const v of x) sum += v * v;
  const inv = 1 / Math.sqrt(sum / x.length + eps);
  return x.map((v, i) => v * inv * weight[i]);
}

/** y = W x + b with W [out, in]. */
function apply(l: Linear, x: Vec, out: number): Vec {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = l.bias ? l.bias[o] : 0;
    for (let i = 0; i < x.length; i++) s += l.weight[o * x.length + i] * x[i];
    y[o] = s;
  }
  return y;
}

/** rotate_half RoPE on each head of `x` ([heads * headDim]) at `position`. */
function rope(x: Vec, heads: number, headDim: number, position: number, theta: number): Vec {
  const out = new Float64Array(x.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const angle = position / theta ** ((2 * i) / headDim);
      const a = x[h * headDim + i];
      const b = x[h * headDim + half + i];
      out[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[h * headDim + half + i] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }
  return out;
}

/** Logits [S, vocab] for `tokens`. */
export function referenceLogits(arch: Architecture, w: LlamaWeights, tokens: readonly number[]): Float64Array[] {
  const { hiddenSize: d, numHeads: nh, numKvHeads: nkv, headDim: hd, intermediateSize: f, vocabSize: v } = arch;
  const group = nh / nkv;
  let xs: Vec[] = tokens.map((t) => Float64Array.from(w.embedTokens.subarray(t * d, (t + 1) * d)));
  for (const layer of w.layers) {
    const hs = xs.map((x) => rmsNorm(x, layer.inputLayernorm, arch.rmsNormEps));
    const qs = hs.map((h, p) => rope(apply(layer.q, h, nh * hd), nh, hd, p, arch.ropeTheta));
    const ks = hs.map((h, p) => rope(apply(layer.k, h, nkv * hd), nkv, hd, p, arch.ropeTheta));
    const vs = hs.map((h) => apply(layer.v, h, nkv * hd));
    xs = xs.map((x, p) => {
      const attended = new Float64Array(nh * hd);
      for (let h = 0; h < nh; h++) {
        const kv = Math.floor(h / group);
        const scores = ks.slice(0, p + 1).map((k) => {
          let s = 0;
          for (let i = 0; i < hd; i++) s += qs[p][h * hd + i] * k[kv * hd + i];
          return s / Math.sqrt(hd);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, t) => {
          for (let i = 0; i < hd; i++) attended[h * hd + i] += (e / total) * vs[t][kv * hd + i];
        });
      }
      const projected = apply(layer.o, attended, d);
      const afterAttention = x.map((value, i) => value + projected[i]);
      const h2 = rmsNorm(afterAttention, layer.postAttentionLayernorm, arch.rmsNormEps);
      const gate = apply(layer.gate, h2, f);
      const up = apply(layer.up, h2, f);
      const swiglu = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = apply(layer.down, swiglu, d);
      return afterAttention.map((value, i) => value + down[i]);
    });
  }
  const head = arch.tieWordEmbeddings ? w.embedTokens : w.lmHead!;
  return xs.map((x) => apply({ weight: head }, rmsNorm(x, w.norm, arch.rmsNormEps), v));
}
