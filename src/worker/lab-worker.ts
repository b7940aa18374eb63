/**
 * The lab's worker: holds the loaded model and runs the core (loading, evaluation, LoRA training) off the
 * page's main thread, so the page stays responsive. Every run gets its own AbortController, which
 * `cancel` aborts; a training run also has a TrainControl for pause, resume and stop-training.
 */
import { evaluate } from '../eval/evaluate.ts';
import { startEngine, type EngineDevice } from '../train/backend.ts';
import { batchLength, tokenizeExamples } from '../train/batches.ts';
import { TrainControl } from '../train/control.ts';
import { estimateTraining } from '../train/estimate.ts';
import { JaxLanguageModel } from '../train/jax-language-model.ts';
import { disposeEngineWeights } from '../train/llama.ts';
import { fetchEngineModel, type EngineModel } from '../train/load.ts';
import { checkTrainParams, trainLora } from '../train/trainer.ts';
import { pickDevice } from '../model/device.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { loadModel } from '../model/load.ts';
import { DTYPES, availableDtypes, requiredFiles } from '../model/model-files.ts';
import { ORT_WASM_PATHS } from '../model/ort-wasm-paths.ts';
import { MODELS_INDEX_FILE, indexSizer, parseModelsIndex, type LocalModelFiles } from './models-index.ts';
import {
  HALT,
  HALT_SLOT,
  PAUSE_SLOT,
  type Command,
  type EvaluateSpec,
  type HaltFlag,
  type LoadSpec,
  type LoadedModel,
  type LocalModel,
  type TrainSpec,
  type TrainSummary,
  type WorkerEvent,
} from './protocol.ts';

const MODELS_PATH = `${import.meta.env.BASE_URL}models/`;

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent) => scope.postMessage(event);

let model: LanguageModel | undefined;
let loaded: LoadedModel | undefined;
/** The loaded model's weights in the jax-js engine, read on the first training run and kept for the next. */
let engine: { model: EngineModel; device: EngineDevice } | undefined;

interface RunHandle {
  controller: AbortController;
  control?: TrainControl;
}
const runs = new Map<number, RunHandle>();
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
    if (flag && Atomics.load(flag, HALT_SLOT) >= HALT.all) controller.abort();
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
  loaded = undefined;
  await previous?.dispose();
  if (engine) disposeEngineWeights(engine.model.weights);
  engine = undefined;
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
  loaded = {
    id: lm.id,
    device: lm.device,
    dtype: lm.dtype,
    contextLength: lm.contextLength,
    chat: lm.applyChatTemplate([{ role: 'user', content: '' }]) !== undefined,
    local: local !== undefined,
  };
  return loaded;
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

/** The loaded model in the jax-js engine on `device`, from the same models/ folder ONNX Runtime read it from. */
async function engineOn(device: EngineDevice, signal: AbortSignal): Promise<EngineModel> {
  if (!loaded) throw new Error('no model is loaded: load one in the Model step first');
  if (!loaded.local) throw new Error(`fine-tuning in the page reads the weights from this app's models/ folder, and ${loaded.id} came from the hub`);
  if (engine && engine.model.id === loaded.id && engine.model.dtype === loaded.dtype && engine.device === device) return engine.model;
  if (engine) disposeEngineWeights(engine.model.weights);
  engine = undefined;
  await startEngine(device);
  engine = { model: await fetchEngineModel(MODELS_PATH, loaded.id, loaded.dtype, signal), device };
  return engine.model;
}

/** Trains a LoRA adapter on the dataset's documents, then scores the `ft` condition with it. */
async function train(request: number, spec: TrainSpec, handle: RunHandle & { control: TrainControl }, halt: HaltFlag) {
  const { controller, control } = handle;
  const flag = halt && new Int32Array(halt);
  const checkFlag = () => {
    if (!flag) return;
    const stop = Atomics.load(flag, HALT_SLOT);
    if (stop >= HALT.all) controller.abort();
    if (stop >= HALT.training) control.cancel();
    else if (Atomics.load(flag, PAUSE_SLOT) !== 0) control.pause();
  };
  // Cancelling everything also ends the training loop at its next step.
  controller.signal.addEventListener('abort', () => control.cancel(), { once: true });
  checkTrainParams(spec.params);
  evaluating++;
  try {
    const engineModel = await engineOn(spec.device, controller.signal);
    const { config } = engineModel.weights;
    const examples = tokenizeExamples(
      spec.dataset.train.map((doc) => ({ text: doc.text })),
      engineModel.tokenizer,
      config.maxPositions,
    );
    const length = batchLength(examples);
    const totalSteps = Math.ceil(examples.length / spec.params.batchSize) * spec.params.epochs;
    const estimate = estimateTraining({ config, batch: spec.params.batchSize, length, steps: totalSteps, lora: spec.params, device: spec.device });
    if (!estimate.fits) throw new Error(estimate.message);
    post({
      type: 'train-start',
      request,
      device: spec.device,
      examples: examples.length,
      length,
      totalSteps,
      estimateSeconds: estimate.seconds,
      estimateBytes: estimate.bytes,
    });
    const trained = await trainLora(engineModel.weights, examples, spec.params, {
      control,
      onStep: (progress) => {
        post({ type: 'train-step', request, progress });
        checkFlag();
        // The trainer waits before its next step: this is where the run stands still.
        if (control.paused) post({ type: 'train-paused', request });
      },
    });
    controller.signal.throwIfAborted();
    const training: TrainSummary = {
      status: trained.status,
      steps: trained.steps,
      totalSteps,
      losses: trained.losses,
      seconds: trained.seconds,
      device: spec.device,
    };
    // Cancelled before a step finished: the adapter is its initial zero update, i.e. the base model.
    if (trained.steps === 0) controller.abort();
    controller.signal.throwIfAborted();
    post({ type: 'train-end', request, training });

    const adapted = new JaxLanguageModel({
      id: engineModel.id,
      device: spec.device,
      dtype: engineModel.dtype,
      weights: engineModel.weights,
      tokenizer: engineModel.tokenizer,
      adapter: trained.adapter,
    });
    try {
      const result = await evaluate(spec.dataset, adapted, {
        condition: 'ft',
        template: spec.template,
        seed: spec.seed,
        signal: controller.signal,
        onProgress: ({ stage, done, total }) => {
          checkFlag();
          post({ type: 'progress', request, stage, done, total });
        },
      });
      if (training.status === 'cancelled')
        result.notes.push(`ft: training was cancelled; scored with the adapter of step ${training.steps} of ${totalSteps}`);
      return { result, training };
    } finally {
      await adapted.dispose();
    }
  } finally {
    evaluating--;
  }
}

async function handle(command: Exclude<Command, { type: 'cancel' | 'stop-training' | 'pause' | 'resume' }>) {
  const { request } = command;
  const controller = new AbortController();
  const entry: RunHandle = { controller, ...(command.type === 'train' ? { control: new TrainControl() } : {}) };
  runs.set(request, entry);
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
      case 'train':
        post({ type: 'trained', request, ...(await train(request, command.spec, entry as RunHandle & { control: TrainControl }, command.halt)) });
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
  switch (data.type) {
    case 'cancel':
      return runs.get(data.target)?.controller.abort();
    case 'stop-training':
      return runs.get(data.target)?.control?.cancel();
    case 'pause':
      return runs.get(data.target)?.control?.pause();
    case 'resume':
      return runs.get(data.target)?.control?.resume();
    default:
      void handle(data);
  }
};
