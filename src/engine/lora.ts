/**
 * LoRA adapters: per layer and target projection, W + (alpha / rank) * A @ B with A [in, rank] drawn
 * Kaiming-uniform (PEFT's default, bound 1/sqrt(in)) and B zero, so a fresh adapter changes nothing.
 * Factors live here as plain Float32Arrays; the engine moves them onto the device.
 */
import { numpy as np } from '@jax-js/jax';
import type { Rng } from '../util/rng.ts';
import { PROJECTIONS, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';

export interface LoraConfig {
  rank: number;
  alpha: number;
  dropout: number;
  targets: readonly Projection[];
}

export interface HostFactors {
  /** [in, rank] row-major. */
  a: Float32Array;
  /** [rank, out] row-major. */
  b: Float32Array;
  in: number;
  out: number;
}

/** An adapter off the device: what is saved, loaded and handed between threads. */
export interface LoraAdapter {
  config: LoraConfig;
  layers: Partial<Record<Projection, HostFactors>>[];
}

export function initLora(model: LlamaConfig, config: LoraConfig, rng: Rng): LoraAdapter {
  const layers = Array.from({ length: model.numLayers }, (_, i) => {
    const layer: Partial<Record<Projection, HostFactors>> = {};
    for (const target of PROJECTIONS.filter((p) => config.targets.includes(p))) {
      const [inDim, outDim] = projectionShape(model, target);
      const draw = rng.fork(`lora/${i}/${target}`);
      const bound = 1 / Math.sqrt(inDim);
      const a = Float32Array.from({ length: inDim * config.rank }, () => (2 * draw.next() - 1) * bound);
      layer[target] = { a, b: new Float32Array(config.rank * outDim), in: inDim, out: outDim };
    }
    return layer;
  });
  return { config, layers };
}

export function loraScale(config: LoraConfig): number {
  return config.alpha / config.rank;
}

/**
 * Where each LoRA factor sits in the one parameter vector that training updates and the forward reads.
 * One vector instead of a list of 2 x layers x targets arrays: the optimizer then runs a handful of kernels
 * instead of hundreds. Per layer, the A factors are one [targets, maxIn, rank] block and the B factors one
 * [targets, rank, maxOut] block, each factor zero-padded to the largest in/out size, so a layer's deltas
 * A @ B for all its targets are one batched matmul. The padding never receives a gradient (the forward reads
 * only the real rows and columns of A @ B), so it stays zero.
 */
export interface LoraLayout {
  layers: number;
  targets: readonly Projection[];
  rank: number;
  /** [in, out] of each target. */
  shapes: Readonly<Partial<Record<Projection, readonly [number, number]>>>;
  maxIn: number;
  maxOut: number;
  /** Numbers per layer: the A block, then the B block. */
  perLayer: number;
  size: number;
}

export function loraLayout(config: LlamaConfig, lora: LoraConfig): LoraLayout {
  const shapes: Partial<Record<Projection, [number, number]>> = {};
  for (const t of lora.targets) shapes[t] = projectionShape(config, t);
  const maxIn = Math.max(...lora.targets.map((t) => shapes[t]![0]));
  const maxOut = Math.max(...lora.targets.map((t) => shapes[t]![1]));
  const perLayer = lora.targets.length * lora.rank * (maxIn + maxOut);
  return { layers: config.numLayers, targets: lora.targets, rank: lora.rank, shapes, maxIn, maxOut, perLayer, size: perLayer * config.numLayers };
}

/** Index in the parameter vector of row `row`, column `col` of factor A or B of `target` in `layer`. */
export function factorIndex(layout: LoraLayout, layer: number, target: Projection, factor: 'a' | 'b', row: number, col: number): number {
  const slot = layout.targets.indexOf(target);
  const base = layer * layout.perLayer;
  const { rank: r, maxIn, maxOut } = layout;
  return factor === 'a' ? base + (slot * maxIn + row) * r + col : base + layout.targets.length * maxIn * r + (slot * r + row) * maxOut + col;
}

/** The adapter's factors in layout order (zero padding included), as one host vector. */
export function packLora(adapter: LoraAdapter, layout: LoraLayout): Float32Array<ArrayBuffer> {
  const out = new Float32Array(layout.size);
  for (let l = 0; l < layout.layers; l++)
    for (const t of layout.targets) {
      const f = adapter.layers[l][t]!;
      for (let i = 0; i < f.in; i++) out.set(f.a.subarray(i * layout.rank, (i + 1) * layout.rank), factorIndex(layout, l, t, 'a', i, 0));
      for (let k = 0; k < layout.rank; k++) out.set(f.b.subarray(k * f.out, (k + 1) * f.out), factorIndex(layout, l, t, 'b', k, 0));
    }
  return out;
}

export function unpackLora(theta: Float32Array, layout: LoraLayout, config: LoraConfig): LoraAdapter {
  const r = layout.rank;
  const layers = Array.from({ length: layout.layers }, (_, l) => {
    const layer: Partial<Record<Projection, HostFactors>> = {};
    for (const t of layout.targets) {
      const [i, o] = layout.shapes[t]!;
      const a = new Float32Array(i * r);
      const b = new Float32Array(r * o);
      for (let row = 0; row < i; row++) a.set(theta.subarray(factorIndex(layout, l, t, 'a', row, 0), factorIndex(layout, l, t, 'a', row, r)), row * r);
      for (let k = 0; k < r; k++) b.set(theta.subarray(factorIndex(layout, l, t, 'b', k, 0), factorIndex(layout, l, t, 'b', k, o)), k * o);
      layer[t] = { a, b, in: i, out: o };
    }
    return layer;
  });
  return { config, layers };
}

/** One layer's factors on the device: A [targets, maxIn, rank] and B [targets, rank, maxOut]. */
export interface LayerFactors {
  a: np.Array;
  b: np.Array;
}

/** LoRA as the forward reads it: each layer's factor blocks (views of the parameter vector) and their layout. */
export interface DeviceLora {
  layout: LoraLayout;
  layers: LayerFactors[];
}

/** The parameter vector (borrowed) cut into each layer's blocks: slices, which are views, not copies. */
export function loraViews(theta: np.Array, layout: LoraLayout): DeviceLora {
  const { rank: r, maxIn, maxOut, perLayer } = layout;
  const n = layout.targets.length;
  const layers = Array.from({ length: layout.layers }, (_, l) => {
    const at = l * perLayer;
    const split = at + n * maxIn * r;
    return {
      a: theta.ref.slice([at, split]).reshape([n, maxIn, r]),
      b: theta.ref.slice([split, at + perLayer]).reshape([n, r, maxOut]),
    };
  });
  return { layout, layers };
}
