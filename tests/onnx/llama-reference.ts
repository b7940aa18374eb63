/**
 * The Llama/Qwen2 forward pass written out plainly in float64 (as Hugging Face's modeling_llama.py computes
 * it): the oracle the ONNX graph is checked against. One unpadded sequence, positions 0..S-1.
 */
import type { LlamaConfig, Projection } from '../../src/model/llama-config.ts';
import type { LayerWeights, LlamaWeights, Matrix } from '../../src/model/llama-weights.ts';

type Vec = Float64Array;

function rmsNorm(x: Vec, weight: Float32Array, eps: number): Vec {
  let sum = 0;
  for (const v of x) sum += v * v;
  const inv = 1 / Math.sqrt(sum / x.length + eps);
  return x.map((v, i) => v * inv * weight[i]);
}

/** y = x W + b with W [in, out]. */
function apply(w: Matrix, x: Vec, bias?: Float32Array): Vec {
  const y = new Float64Array(w.cols);
  for (let o = 0; o < w.cols; o++) {
    let s = bias ? bias[o] : 0;
    for (let i = 0; i < x.length; i++) s += w.data[i * w.cols + o] * x[i];
    y[o] = s;
  }
  return y;
}

function project(layer: LayerWeights, p: Projection, x: Vec): Vec {
  return apply(layer[p], x, layer.bias?.[p]);
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
export function referenceLogits(config: LlamaConfig, w: LlamaWeights, tokens: readonly number[]): Float64Array[] {
  const { hiddenSize: d, numHeads: nh, numKvHeads: nkv, headDim: hd } = config;
  const group = nh / nkv;
  let xs: Vec[] = tokens.map((t) => Float64Array.from(w.embed.data.subarray(t * d, (t + 1) * d)));
  for (const layer of w.layers) {
    const hs = xs.map((x) => rmsNorm(x, layer.inputNorm, config.rmsNormEps));
    const qs = hs.map((h, p) => rope(project(layer, 'q', h), nh, hd, p, config.ropeTheta));
    const ks = hs.map((h, p) => rope(project(layer, 'k', h), nkv, hd, p, config.ropeTheta));
    const vs = hs.map((h) => project(layer, 'v', h));
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
      const projected = project(layer, 'o', attended);
      const afterAttention = x.map((value, i) => value + projected[i]);
      const h2 = rmsNorm(afterAttention, layer.postNorm, config.rmsNormEps);
      const gate = project(layer, 'gate', h2);
      const up = project(layer, 'up', h2);
      const swiglu = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = project(layer, 'down', swiglu);
      return afterAttention.map((value, i) => value + down[i]);
    });
  }
  return xs.map((x) => {
    const normed = rmsNorm(x, w.finalNorm, config.rmsNormEps);
    if (w.lmHead) return apply(w.lmHead, normed);
    // Tied: the logit of token t is row t of the embedding [vocab, hidden] dotted with the state.
    return Float64Array.from({ length: config.vocabSize }, (_, t) => normed.reduce((s, value, i) => s + value * w.embed.data[t * d + i], 0));
  });
}
