/**
 * The lab's worker: holds the loaded model and runs the core (loading, evaluation) off the page's main
 * thread, so the page stays responsive. Every run gets its own AbortController, which `cancel` aborts.
 */
import { evaluate } from '../eval/evaluate.ts';
import { pickDevice } from '../model/device.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { loadModel } from '../model/load.ts';
import { DTYPES, availableDtypes, requiredFiles } from '../model/model-files.ts';
import { ORT_WASM_PATHS } from '../model/ort-wasm-paths.ts';
import { MODELS_INDEX_FILE, indexSizer, parseModelsIndex, type LocalModelFiles } from './models-index.ts';
import type { Command, EvaluateSpec, HaltFlag, LoadSpec, LoadedModel, LocalModel, WorkerEvent } from './protocol.ts';

const MODELS_PATH = `${import.meta.env.BASE_URL}models/`;

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent) => scope.postMessage(event);

let model: LanguageModel | undefined;
const runs = new Map<number, AbortController>();
let evaluating = 0;

/** A failure inside the model runtime, after which this worker cannot load models any more. */
class RuntimeSpent extends Error {}

async function localModels(): Promise<LocalModelFiles[]> {
  const response = await fetch(MODELS_PATH + MODELS_INDEX_FILE);
  if (!response.ok) throw new Error(`cannot list the app's models: ${MODELS_PATH}${MODELS_INDEX_FILE} answered ${response.status}`);
  return parseModelsIndex(await response.json()).models;
}

async function describeLocal(files: LocalModelFiles): Promise<LocalModel> {
  const dtypes = await availableDtypes(indexSizer(files));
  const bytes = Object.fromEntries(dtypes.map((d) => [d, requiredFiles(d).reduce((sum, file) => sum + (files.files[file] ?? 0), 0)]));
  return { id: files.id, dtypes, bytes };
}

/** Aborts `controller` once the page has raised the command's halt flag. */
function haltChecker(halt: HaltFlag, controller: AbortController): () => void {
  const flag = halt && new Int32Array(halt);
  return () => {
    if (flag && Atomics.load(flag, 0) !== 0) controller.abort();
  };
}

async function load(request: number, spec: LoadSpec, signal: AbortSignal, checkHalt: () => void): Promise<LoadedModel> {
  if (evaluating > 0) throw new Error('a run is using the current model: cancel it before loading another');
  const local = (await localModels()).find((m) => m.id === spec.id);
  if (!local && !spec.allowRemote)
    throw new Error(`${spec.id} is not in this app's models/ folder, and loading from the hub needs "allow network"`);
  // One model at a time: free the old one before the new one takes its memory.
  const previous = model;
  model = undefined;
  await previous?.dispose();
  const lm = await loadModel({
    id: spec.id,
    dtype: spec.dtype,
    allowRemote: spec.allowRemote,
    // A model the app serves is read from there only; anything else comes from the hub.
    ...(local ? { localModelPath: MODELS_PATH, sizer: indexSizer(local) } : {}),
    wasmPaths: ORT_WASM_PATHS,
    signal,
    onProgress: ({ file, loaded, total }) => {
      checkHalt();
      post({ type: 'load-progress', request, file, loaded, total });
    },
  }).catch((err: unknown) => {
    throw signal.aborted ? err : new RuntimeSpent((err as Error).message);
  });
  model = lm;
  return {
    id: lm.id,
    device: lm.device,
    dtype: lm.dtype,
    contextLength: lm.contextLength,
    chat: lm.applyChatTemplate([{ role: 'user', content: '' }]) !== undefined,
    local: local !== undefined,
  };
}

async function run(request: number, spec: EvaluateSpec, signal: AbortSignal, checkHalt: () => void) {
  if (!model) throw new Error('no model is loaded: load one in the Model step first');
  evaluating++;
  try {
    return await evaluate(spec.dataset, model, {
      condition: spec.condition,
      template: spec.template,
      seed: spec.seed,
      signal,
      onProgress: ({ stage, done, total }) => {
        checkHalt();
        post({ type: 'progress', request, stage, done, total });
      },
    });
  } finally {
    evaluating--;
  }
}

async function handle(command: Exclude<Command, { type: 'cancel' }>) {
  const { request } = command;
  const controller = new AbortController();
  runs.set(request, controller);
  try {
    switch (command.type) {
      case 'list-models':
        post({
          type: 'models',
          request,
          models: await Promise.all((await localModels()).map(describeLocal)),
          device: await pickDevice(),
          dtypes: [...DTYPES],
        });
        break;
      case 'load':
        post({ type: 'loaded', request, model: await load(request, command.spec, controller.signal, haltChecker(command.halt, controller)) });
        break;
      case 'evaluate':
        post({ type: 'result', request, result: await run(request, command.spec, controller.signal, haltChecker(command.halt, controller)) });
        break;
    }
  } catch (err) {
    if (controller.signal.aborted) post({ type: 'cancelled', request });
    else post({ type: 'error', request, message: err instanceof Error ? err.message : String(err), restart: err instanceof RuntimeSpent });
  } finally {
    runs.delete(request);
  }
}

scope.onmessage = ({ data }: MessageEvent<Command>) => {
  if (data.type === 'cancel') runs.get(data.target)?.abort();
  else void handle(data);
};
