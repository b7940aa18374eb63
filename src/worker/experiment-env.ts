/**
 * The page's ExperimentEnv, inside the lab worker: the base model is the ONNX Runtime model the student
 * loaded, training reads the same weights into the jax-js engine from the app's models/ folder, an adapted
 * model is the engine with the adapter (as the Fine-tune panel scores ft), and the store is IndexedDB.
 */
import type { ExperimentEnv } from '../experiment/runner.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { openIdbStore } from '../store/idb-store.ts';
import type { GlonStore } from '../experiment/store.ts';
import type { EngineDevice } from '../engine/backend.ts';
import { JaxLanguageModel } from '../engine/jax-language-model.ts';
import type { EngineModel } from '../engine/load.ts';

let opened: Promise<GlonStore> | undefined;

/** The lab's IndexedDB store, opened on first use and kept for the worker's life. */
export function labStore(): Promise<GlonStore> {
  opened ??= openIdbStore().catch((err: unknown) => {
    opened = undefined;
    throw err;
  });
  return opened;
}

export interface PageEnvParts {
  store: GlonStore;
  device: EngineDevice;
  /** The model the worker holds; the experiment's model must be the one loaded. */
  base(): LanguageModel;
  /** The loaded model's weights in the engine on `device`, read once and kept by the worker. */
  engine(device: EngineDevice): Promise<EngineModel>;
}

export function pageExperimentEnv(parts: PageEnvParts): ExperimentEnv {
  const { store, device } = parts;
  return {
    store,
    device,
    base: async () => parts.base(),
    engine: () => parts.engine(device),
    async adapted(adapter) {
      const engine = await parts.engine(device);
      const model = new JaxLanguageModel({ id: engine.id, device, dtype: engine.dtype, weights: engine.weights, tokenizer: engine.tokenizer, adapter });
      return { model, dispose: () => model.dispose() };
    },
  };
}
