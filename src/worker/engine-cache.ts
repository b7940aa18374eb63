/**
 * The held model's weights in the jax-js engine, read on the first training run from the same files
 * ONNX Runtime read, and kept for the next run on the same model and device.
 */
import { hubFileUrl, type HubModel } from '../hub/hub.ts';
import { openModelCache } from '../hub/hub-download.ts';
import { startEngine, type EngineDevice } from '../engine/backend.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { fetchEngineModel, type EngineModel } from '../engine/load.ts';
import type { LoadedModel } from './protocol.ts';
import { MODELS_PATH } from './served-models.ts';

/** Reads the model's files where ONNX Runtime read them: the cache of its hub download, or the app's models/ folder. */
function modelFileReader(loaded: LoadedModel, hub: HubModel | undefined): (file: string, signal?: AbortSignal) => Promise<Response> {
  if (!hub) return (file, signal) => fetch(`${MODELS_PATH}${loaded.id}/${file}`, { signal });
  return async (file) => (await (await openModelCache()).match(hubFileUrl(hub, file))) ?? new Response(null, { status: 404 });
}

export class EngineCache {
  private held: { model: EngineModel; device: EngineDevice } | undefined;

  /** `loaded` (read from `hub`, or the models/ folder without one) in the engine on `device`. */
  async on(loaded: LoadedModel, hub: HubModel | undefined, device: EngineDevice, signal: AbortSignal): Promise<EngineModel> {
    const held = this.held;
    if (held && held.model.id === loaded.id && held.model.dtype === loaded.dtype && held.device === device) return held.model;
    this.release();
    await startEngine(device);
    this.held = { model: await fetchEngineModel(modelFileReader(loaded, hub), { id: loaded.id, dtype: loaded.dtype, localModelPath: MODELS_PATH }, signal), device };
    return this.held.model;
  }

  release(): void {
    if (this.held) disposeEngineWeights(this.held.model.weights);
    this.held = undefined;
  }
}
