/**
 * Node only (CLI, tests, `npm run reproduce`): the experiment environment over a model folder on disk.
 * Base and ICL are scored by ONNX Runtime, training runs on jax-js WASM, and an adapted model is the adapter
 * merged into an fp32 ONNX file, scored by ONNX Runtime as `glon eval` does.
 */
import { basename, resolve } from 'node:path';
import type { Dtype, LanguageModel } from '../model/language-model.ts';
import { loadModelNode } from '../runtime/load-node.ts';
import { startEngine } from '../engine/backend.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { loadEngineModel, type EngineModel } from '../engine/load-node.ts';
import { loadMergedModel } from '../train/merged-model-node.ts';
import type { GlonStore } from './store.ts';
import type { ExperimentEnv } from './runner.ts';

export interface NodeEnvOptions {
  /** A model folder (transformers.js layout). */
  model: string;
  dtype: Dtype;
  store: GlonStore;
}

/** The models of a folder, each loaded on first use and kept; close() frees them. */
export function nodeModels(dir: string, dtype: Dtype): Omit<ExperimentEnv, 'store'> & { close(): Promise<void> } {
  let base: Promise<LanguageModel> | undefined;
  let engine: Promise<EngineModel> | undefined;
  return {
    device: 'wasm',
    base: () => (base ??= loadModelNode({ model: dir, dtype })),
    engine: () => (engine ??= startEngine('wasm').then(() => loadEngineModel(dir, dtype))),
    adapted: (adapter) => loadMergedModel(dir, dtype, adapter, { name: basename(resolve(dir)) }),
    async close() {
      // A model that failed to load has nothing to free; its error was the run's to report.
      await (await base?.catch(() => undefined))?.dispose();
      const loaded = await engine?.catch(() => undefined);
      if (loaded) disposeEngineWeights(loaded.weights);
      base = engine = undefined;
    },
  };
}

/** The models of the folder and the store (which stays open on close(): the caller owns it). */
export function nodeExperimentEnv(options: NodeEnvOptions): ExperimentEnv & { close(): Promise<void> } {
  return { ...nodeModels(options.model, options.dtype), store: options.store };
}
