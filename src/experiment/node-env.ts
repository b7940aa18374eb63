/**
 * Node only (CLI, tests, `npm run reproduce`): the experiment environment over a model folder on disk.
 * Base and ICL are scored by ONNX Runtime, training runs on jax-js WASM, and an adapted model is the adapter
 * merged into an fp32 ONNX file, scored by ONNX Runtime as `glon eval` does.
 */
import { basename, resolve } from 'node:path';
import type { Dtype, LanguageModel } from '../model/language-model.ts';
import { loadModelNode } from '../model/load-node.ts';
import { startEngine } from '../train/backend.ts';
import { disposeEngineWeights } from '../train/llama.ts';
import { loadEngineModel, type EngineModel } from '../train/load-node.ts';
import { loadMergedModel } from '../train/merged-model-node.ts';
import type { GlonStore } from '../store/store.ts';
import type { ExperimentEnv } from './runner.ts';

export interface NodeEnvOptions {
  /** A model folder (transformers.js layout). */
  model: string;
  dtype: Dtype;
  store: GlonStore;
}

/** Loads each model on first use and keeps it; close() frees them (the store stays open: the caller owns it). */
export function nodeExperimentEnv(options: NodeEnvOptions): ExperimentEnv & { close(): Promise<void> } {
  const { model: dir, dtype, store } = options;
  let base: Promise<LanguageModel> | undefined;
  let engine: Promise<EngineModel> | undefined;
  return {
    store,
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
