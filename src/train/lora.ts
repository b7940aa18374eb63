/**
 * LoRA adapters: per layer and target projection, W + (alpha / rank) * A @ B with A [in, rank] drawn
 * Kaiming-uniform (PEFT's default, bound 1/sqrt(in)) and B zero, so a fresh adapter changes nothing.
 * Factors live here as plain Float32Arrays; the engine moves them onto the device.
 */
import { numpy as np } from '@jax-js/jax';
import type { Rng } from '../data/rng.ts';
import type { LlamaConfig } from '../model/llama-config.ts';
import { PROJECTIONS, type Projection } from '../model/onnx-weights.ts';
import type { LoraLayer } from './llama.ts';
import { loraSettingsSchema } from './settings.ts';
import { summarizeIssues } from '../data/format.ts';

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

export function projectionShape(c: LlamaConfig, p: Projection): [number, number] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const shapes: Record<Projection, [number, number]> = {
    q: [c.hiddenSize, q],
    k: [c.hiddenSize, kv],
    v: [c.hiddenSize, kv],
    o: [q, c.hiddenSize],
    gate: [c.hiddenSize, c.intermediateSize],
    up: [c.hiddenSize, c.intermediateSize],
    down: [c.intermediateSize, c.hiddenSize],
  };
  return shapes[p];
}

/** The bounds of the training settings (src/train/settings.ts), for an adapter from anywhere (a file, a bundle). */
export function checkLoraConfig(config: LoraConfig): void {
  const parsed = loraSettingsSchema.safeParse(config);
  if (!parsed.success) throw new RangeError(`LoRA ${summarizeIssues(parsed.error.issues)}`);
}

export function initLora(model: LlamaConfig, config: LoraConfig, rng: Rng): LoraAdapter {
  checkLoraConfig(config);
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

export function adapterToDevice(adapter: LoraAdapter): LoraLayer[] {
  const r = adapter.config.rank;
  return adapter.layers.map((layer) => {
    const out: LoraLayer = {};
    for (const [name, f] of Object.entries(layer) as [Projection, HostFactors][])
      out[name] = {
        a: np.array(f.a as Float32Array<ArrayBuffer>, { shape: [f.in, r], dtype: np.float32 }),
        b: np.array(f.b as Float32Array<ArrayBuffer>, { shape: [r, f.out], dtype: np.float32 }),
      };
    return out;
  });
}
