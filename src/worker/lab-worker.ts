/**
 * The lab's worker: holds the loaded model and runs the core (loading, evaluation, LoRA training,
 * augmentation, whole experiments over the IndexedDB store) off the page's main thread, so the page stays
 * responsive. Every run gets its own AbortController, which `cancel` aborts; a run that trains also has a
 * TrainControl for pause, resume and stop-training.
 */
import { augment } from '../augment/augment.ts';
import { validateSettings } from '../augment/augmentation.ts';
import { serializeDataset } from '../data/format.ts';
import { sha256Hex } from '../data/hash.ts';
import { conditionInfo } from '../eval/conditions.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { EvalResult } from '../eval/result.ts';
import { exportBundle, importBundle } from '../experiment/bundle.ts';
import { experimentKey, modelKey } from '../experiment/piece-keys.ts';
import { runExperiment } from '../experiment/runner.ts';
import type { ExperimentSpec } from '../experiment/spec.ts';
import { summarize } from '../experiment/summary.ts';
import { pieceKey } from '../store/keys.ts';
import type { StoreName } from '../store/store.ts';
import { trainingExamples } from '../train/examples.ts';
import { startEngine, type EngineDevice } from '../train/backend.ts';
import { batchLength, tokenizeExamples } from '../train/batches.ts';
import { TrainControl } from '../train/control.ts';
import { estimateTraining } from '../train/estimate.ts';
import { JaxLanguageModel } from '../train/jax-language-model.ts';
import { disposeEngineWeights } from '../train/llama.ts';
import { fetchEngineModel, type EngineModel } from '../train/load.ts';
import { trainLora } from '../train/trainer.ts';
import { LongRunError, checkRunLength, checkTotalSteps, checkTrainParams } from '../train/settings.ts';
import { pickDevice, probeGpu } from '../model/device.ts';
import type { Dtype, LanguageModel } from '../model/language-model.ts';
import { loadModel } from '../model/load.ts';
import { hubFileUrl, type HubModel } from '../model/hub.ts';
import { cacheSizer, cachedHubModels, downloadHubModel, openModelCache } from '../model/hub-download.ts';
import { runContextProbe } from '../eval/context-probe.ts';
import { DTYPES, DTYPE_FILES } from '../model/dtypes.ts';
import { availableDtypes, filesOfDtype } from '../model/model-files.ts';
import { ORT_WASM_PATHS } from '../model/ort-wasm-paths.ts';
import { labStore, pageExperimentEnv } from './experiment-env.ts';
import { MODELS_INDEX_FILE, indexSizer, parseModelsIndex, type LocalModelFiles } from './models-index.ts';
import {
  HALT,
  HALT_SLOT,
  PAUSE_SLOT,
  type AugmentSpec,
  type Command,
  type EvaluateSpec,
  type ExperimentListing,
  type HaltFlag,
  type LoadSpec,
  type LoadedModel,
  type LocalModel,
  type OpenedExperiment,
  type TrainSpec,
  type TrainSummary,
  type WorkerEvent,
} from './protocol.ts';

const MODELS_PATH = `${import.meta.env.BASE_URL}models/`;

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent) => scope.postMessage(event);

let model: LanguageModel | undefined;
let loaded: LoadedModel | undefined;
/** Where the loaded model's files are read from again for training: the app's models/ folder, or the cache of a hub download. */
let hub: HubModel | undefined;
/** The loaded model's weights in the jax-js engine, read on the first training run and kept for the next. */
let engine: { model: EngineModel; device: EngineDevice } | undefined;

interface RunHandle {
  controller: AbortController;
  control?: TrainControl;
}
const runs = new Map<number, RunHandle>();
let evaluating = 0;

/**
 * The context probe in flight. It only advises, so anything else that uses the model (a load, a run) stops
 * it rather than wait for it or interleave ONNX Runtime calls with it.
 */
let probing: { controller: AbortController; done: Promise<unknown> } | undefined;

async function stopProbe(): Promise<void> {
  probing?.controller.abort();
  await probing?.done;
}

/** A failure inside the model runtime, after which this worker cannot load models any more. */
class RuntimeSpent extends Error {}

async function localModels(): Promise<LocalModelFiles[]> {
  const response = await fetch(MODELS_PATH + MODELS_INDEX_FILE);
  if (!response.ok) throw new Error(`cannot list the app's models: ${MODELS_PATH}${MODELS_INDEX_FILE} answered ${response.status}`);
  return parseModelsIndex(await response.json()).models;
}

async function describeLocal(files: LocalModelFiles): Promise<LocalModel> {
  const dtypes = await availableDtypes(indexSizer(files));
  return { id: files.id, dtypes, bytes: bytesPerDtype(dtypes, files.files) };
}

/** Bytes per dtype: its ONNX file and everything it needs (external data included). */
function bytesPerDtype(dtypes: readonly Dtype[], sizes: Record<string, number>): LocalModel['bytes'] {
  const paths = Object.keys(sizes);
  return Object.fromEntries(dtypes.map((d) => [d, filesOfDtype(d, paths).reduce((sum, file) => sum + (sizes[file] ?? 0), 0)]));
}

/** Models downloaded from a hub into this browser, which load with the network off. */
async function downloadedModels(served: readonly LocalModelFiles[]): Promise<LocalModel[]> {
  if (typeof caches === 'undefined') return [];
  const cached = await cachedHubModels(await openModelCache());
  return cached
    .filter((m) => !served.some((s) => s.id === m.id))
    .map((m) => ({ id: m.id, dtypes: m.dtypes, bytes: bytesPerDtype(m.dtypes, m.files), hub: m.endpoint }));
}

async function listModels(): Promise<LocalModel[]> {
  const served = await localModels();
  return [...(await Promise.all(served.map(describeLocal))), ...(await downloadedModels(served))];
}

/** Aborts `controller` once the page has raised the command's halt flag. */
function haltChecker(halt: HaltFlag, controller: AbortController): () => void {
  const flag = halt && new Int32Array(halt);
  return () => {
    if (flag && Atomics.load(flag, HALT_SLOT) >= HALT.all) controller.abort();
  };
}

async function load(request: number, spec: LoadSpec, signal: AbortSignal, checkHalt: () => void): Promise<LoadedModel> {
  await stopProbe();
  if (evaluating > 0) throw new Error('a run is using the current model: cancel it before loading another');
  const local = (await localModels()).find((m) => m.id === spec.id);
  const fromHub: HubModel | undefined = local ? undefined : { endpoint: spec.hub, id: spec.id, revision: 'main' };
  const cache = fromHub && (await openModelCache());
  if (cache && !spec.allowRemote && !(await cache.match(hubFileUrl(fromHub, DTYPE_FILES[spec.dtype]))))
    throw new Error(`${spec.id} (${spec.dtype}) is not in this app's models/ folder nor downloaded from ${spec.hub} into this browser: loading it from the hub needs "Allow network"`);
  // One model at a time: free the old one before the new one takes its memory.
  const previous = model;
  model = undefined;
  loaded = undefined;
  hub = undefined;
  await previous?.dispose();
  if (engine) disposeEngineWeights(engine.model.weights);
  engine = undefined;
  const onProgress = ({ file, loaded, total }: { file: string; loaded: number; total: number }) => {
    checkHalt();
    post({ type: 'load-progress', request, file, loaded, total });
  };
  // Anything the app does not serve comes from the hub into this browser's cache first, then loads from there.
  if (cache && spec.allowRemote) await downloadHubModel(fromHub, spec.dtype, cache, { signal, onProgress });
  const lm = await loadModel({
    id: spec.id,
    dtype: spec.dtype,
    allowRemote: false,
    device: await pickDevice(spec.preference),
    // transformers.js looks in its cache (where the download went, under the hub's URLs) before any folder.
    localModelPath: MODELS_PATH,
    ...(cache ? { remoteHost: `${fromHub.endpoint}/`, sizer: cacheSizer(cache, fromHub) } : { sizer: indexSizer(local!) }),
    wasmPaths: ORT_WASM_PATHS,
    signal,
    onProgress,
  }).catch((err: unknown) => {
    throw signal.aborted ? err : new RuntimeSpent((err as Error).message);
  });
  model = lm;
  hub = fromHub;
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

/** What the student can expect of ICL with the loaded model, before any long run. */
async function probe(request: number, signal: AbortSignal, checkHalt: () => void) {
  const { model } = requireModel();
  if (evaluating > 0) throw new Error('not run: a run is using the model');
  evaluating++;
  try {
    return await runContextProbe(model, {
      signal,
      onProgress: ({ stage, done, total }) => {
        checkHalt();
        const half = stage.endsWith('icl') ? total : 0;
        post({ type: 'probe-progress', request, done: half + done, total: 2 * total });
      },
    });
  } finally {
    evaluating--;
  }
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

/** Reads the loaded model's files where ONNX Runtime read them: the cache of its hub download, or the app's models/ folder. */
function modelFileReader(): (file: string, signal?: AbortSignal) => Promise<Response> {
  const from = hub;
  if (!from) return (file, signal) => fetch(`${MODELS_PATH}${loaded!.id}/${file}`, { signal });
  return async (file) => (await (await openModelCache()).match(hubFileUrl(from, file))) ?? new Response(null, { status: 404 });
}

/** The loaded model in the jax-js engine on `device`, from the same files ONNX Runtime read it from. */
async function engineOn(device: EngineDevice, signal: AbortSignal): Promise<EngineModel> {
  if (!loaded) throw new Error('no model is loaded: load one in the Model step first');
  if (engine && engine.model.id === loaded.id && engine.model.dtype === loaded.dtype && engine.device === device) return engine.model;
  if (engine) disposeEngineWeights(engine.model.weights);
  engine = undefined;
  await startEngine(device);
  engine = { model: await fetchEngineModel(modelFileReader(), { id: loaded.id, dtype: loaded.dtype, localModelPath: MODELS_PATH }, signal), device };
  return engine.model;
}

/** Reads the halt flag of a run that trains: stop everything, stop training, or pause. */
function trainingFlag(halt: HaltFlag, controller: AbortController, control: TrainControl): () => void {
  const flag = halt && new Int32Array(halt);
  // Cancelling everything also ends the training loop at its next step.
  controller.signal.addEventListener('abort', () => control.cancel(), { once: true });
  return () => {
    if (!flag) return;
    const stop = Atomics.load(flag, HALT_SLOT);
    if (stop >= HALT.all) controller.abort();
    if (stop >= HALT.training) control.cancel();
    else if (Atomics.load(flag, PAUSE_SLOT) !== 0) control.pause();
  };
}

/** How the page confirms a run estimated over the time limit (its confirm dialog shows the message). */
const CONFIRM_ADVICE = 'confirm (OK) to start it anyway';

/** Trains a LoRA adapter on the documents (split, or with augmentations, as the condition says), then scores that condition. */
async function train(request: number, spec: TrainSpec, handle: RunHandle & { control: TrainControl }, halt: HaltFlag) {
  const { controller, control } = handle;
  const checkFlag = trainingFlag(halt, controller, control);
  if (!conditionInfo(spec.condition).adapted) throw new Error(`${spec.condition} is not a fine-tuned condition`);
  checkTrainParams(spec.params);
  evaluating++;
  try {
    const engineModel = await engineOn(spec.device, controller.signal);
    const { config } = engineModel.weights;
    const examples = tokenizeExamples(
      trainingExamples(spec.dataset, { splitting: spec.splitting, augmentations: spec.augmentations }),
      engineModel.tokenizer,
      config.maxPositions,
    );
    const length = batchLength(examples);
    const totalSteps = Math.ceil(examples.length / spec.params.batchSize) * spec.params.epochs;
    const estimate = estimateTraining({ config, batch: spec.params.batchSize, length, steps: totalSteps, lora: spec.params, device: spec.device });
    if (!estimate.fits) throw new Error(estimate.message);
    checkTotalSteps(totalSteps);
    checkRunLength(estimate.seconds, totalSteps, spec.confirmed, CONFIRM_ADVICE);
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
        condition: spec.condition,
        template: spec.template,
        seed: spec.seed,
        signal: controller.signal,
        onProgress: ({ stage, done, total }) => {
          checkFlag();
          post({ type: 'progress', request, stage, done, total });
        },
      });
      if (training.status === 'cancelled')
        result.notes.push(`${spec.condition}: training was cancelled; scored with the adapter of step ${training.steps} of ${totalSteps}`);
      return { result, training };
    } finally {
      await adapted.dispose();
    }
  } finally {
    evaluating--;
  }
}

function requireModel(): { model: LanguageModel; loaded: LoadedModel } {
  if (!model || !loaded) throw new Error('no model is loaded: load one in the Model step first');
  return { model, loaded };
}

/** Sentences about the dataset's documents, from the store when the same ones were made before. */
async function augmentDataset(request: number, spec: AugmentSpec, signal: AbortSignal, checkHalt: () => void) {
  const settings = validateSettings(spec.mode, spec.settings);
  const generator = spec.mode === 'oracle' ? null : requireModel();
  const store = await labStore();
  const hash = await sha256Hex(serializeDataset(spec.dataset));
  // The runner's key for the same piece: an experiment on this dataset and model finds it in the store.
  const key = await pieceKey('augmenter', {
    dataset: hash,
    model: generator && modelKey({ model: generator.loaded }),
    mode: spec.mode,
    settings,
    seed: spec.seed,
  });
  const found = await store.get('augmentations', key);
  if (found) return { key, augmentation: found.augmentation, cached: true };
  evaluating++;
  try {
    const augmentation = await augment(spec.dataset, spec.mode, generator?.model ?? null, settings, {
      seed: spec.seed,
      signal,
      onProgress: ({ stage, done, total }) => {
        checkHalt();
        post({ type: 'progress', request, stage, done, total });
      },
      onGeneration: ({ source, text }) => post({ type: 'generation', request, source, text }),
    });
    const savedAt = new Date().toISOString();
    await store.putMany([
      { store: 'datasets', record: { key: hash, dataset: spec.dataset, savedAt } },
      { store: 'augmentations', record: { key, augmentation, savedAt } },
    ]);
    return { key, augmentation, cached: false };
  } finally {
    evaluating--;
  }
}

const runLock = (key: string) => `glon-run-${key}`;

/**
 * Runs an experiment on the loaded model while holding its Web Lock, which tells the next visit that a
 * 'running' record whose lock is free was interrupted. Re-running a spec resumes it.
 */
async function experiment(
  request: number,
  spec: ExperimentSpec,
  device: EngineDevice,
  confirmed: boolean,
  handle: RunHandle & { control: TrainControl },
  halt: HaltFlag,
) {
  const { controller, control } = handle;
  const checkFlag = trainingFlag(halt, controller, control);
  const held = requireModel();
  if (held.loaded.id !== spec.model.id || held.loaded.dtype !== spec.model.dtype)
    throw new Error(`the experiment uses ${modelKey(spec)}, but ${modelKey({ model: held.loaded })} is loaded: load it in the Model step first`);
  const store = await labStore();
  const key = await experimentKey(spec);
  const env = pageExperimentEnv({
    store,
    device,
    base: () => requireModel().model,
    engine: (on) => engineOn(on, controller.signal),
  });
  evaluating++;
  try {
    return await navigator.locks.request(runLock(key), { ifAvailable: true }, async (lock) => {
      if (!lock) throw new Error('this experiment is running in another tab of this browser');
      return runExperiment(spec, env, {
        signal: controller.signal,
        control,
        confirmLongRuns: confirmed ? undefined : CONFIRM_ADVICE,
        onEvent: (event) => {
          checkFlag();
          post({ type: 'experiment-event', request, event });
          if (event.type === 'train-step' && control.paused) post({ type: 'train-paused', request });
        },
      });
    });
  } finally {
    evaluating--;
  }
}

async function heldLocks(): Promise<Set<string>> {
  const { held = [] } = await navigator.locks.query();
  return new Set(held.map((lock) => lock.name ?? ''));
}

async function listExperiments(): Promise<ExperimentListing[]> {
  const store = await labStore();
  const held = await heldLocks();
  const records = await Promise.all((await store.keys('experiments')).map((key) => store.get('experiments', key)));
  return records
    .filter((record) => record !== undefined)
    .map((record) => ({ record, interrupted: record.status === 'running' && !held.has(runLock(record.key)) }))
    .sort((a, b) => b.record.updatedAt.localeCompare(a.record.updatedAt));
}

async function openExperiment(key: string): Promise<OpenedExperiment> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) throw new Error(`no experiment ${key.slice(0, 12)} in this browser's store`);
  const present = <T>(values: (T | undefined)[]) => values.filter((v): v is T => v !== undefined);
  const results = present(await Promise.all(record.results.map(async (k) => (await store.get('results', k))?.result)));
  const datasets = present(await Promise.all(record.datasets.map((k) => store.get('datasets', k))));
  const augmentations = present(await Promise.all(record.augmentations.map(async (k) => (await store.get('augmentations', k))?.augmentation)));
  const order = (r: EvalResult) => record.spec.seeds.indexOf(r.seed) * record.spec.conditions.length + record.spec.conditions.indexOf(r.condition as never);
  results.sort((a, b) => order(a) - order(b));
  return {
    record,
    results,
    datasets: Object.fromEntries(datasets.map((d) => [d.key, d.dataset])),
    augmentations,
    summary: results.length > 0 ? await summarize(results, { ceiling: (c) => conditionInfo(c).ceiling }) : null,
  };
}

async function markFailed(key: string): Promise<void> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) throw new Error(`no experiment ${key.slice(0, 12)} in this browser's store`);
  if (record.status !== 'running' || (await heldLocks()).has(runLock(key))) throw new Error('only an interrupted run can be marked failed');
  await store.put('experiments', {
    ...record,
    status: 'failed',
    error: `interrupted: the page was closed during "${record.stage}"`,
    updatedAt: new Date().toISOString(),
  });
}

/** Removes an experiment with its logs, and every piece of it no other experiment names. */
async function deleteExperiment(key: string): Promise<void> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) return;
  if ((await heldLocks()).has(runLock(key))) throw new Error('the experiment is running: cancel it first');
  const pieces = ['datasets', 'augmentations', 'adapters', 'results'] as const;
  const others = (await Promise.all((await store.keys('experiments')).filter((k) => k !== key).map((k) => store.get('experiments', k)))).filter(
    (r) => r !== undefined,
  );
  const used = new Set(others.flatMap((r) => pieces.flatMap((piece) => r[piece])));
  const doomed: [StoreName, string][] = pieces.flatMap((piece) => record[piece].filter((k) => !used.has(k)).map((k): [StoreName, string] => [piece, k]));
  for (const log of await store.find('logs', 'experiment', key)) doomed.push(['logs', log.key]);
  for (const [name, k] of doomed) await store.delete(name, k);
  await store.delete('experiments', key);
}

type RunCommand = Exclude<Command, { type: 'cancel' | 'stop-training' | 'pause' | 'resume' }>;
const TRAINING_COMMANDS: ReadonlySet<RunCommand['type']> = new Set(['train', 'run-experiment']);

async function handle(command: RunCommand) {
  const { request } = command;
  const controller = new AbortController();
  const entry: RunHandle = { controller, ...(TRAINING_COMMANDS.has(command.type) ? { control: new TrainControl() } : {}) };
  runs.set(request, entry);
  try {
    switch (command.type) {
      case 'list-models':
        post({
          type: 'models',
          request,
          models: await listModels(),
          gpu: await probeGpu(),
          dtypes: [...DTYPES],
        });
        break;
      case 'load':
        post({ type: 'loaded', request, model: await load(request, command.spec, controller.signal, haltChecker(command.halt, controller)) });
        break;
      case 'probe': {
        await stopProbe();
        const done = probe(request, controller.signal, haltChecker(command.halt, controller));
        probing = { controller, done: done.catch(() => undefined) };
        post({ type: 'probed', request, verdict: await done });
        break;
      }
      case 'evaluate':
        await stopProbe();
        post({ type: 'result', request, result: await run(request, command.spec, controller.signal, haltChecker(command.halt, controller)) });
        break;
      case 'train':
        await stopProbe();
        post({ type: 'trained', request, ...(await train(request, command.spec, entry as RunHandle & { control: TrainControl }, command.halt)) });
        break;
      case 'augment':
        await stopProbe();
        post({ type: 'augmented', request, ...(await augmentDataset(request, command.spec, controller.signal, haltChecker(command.halt, controller))) });
        break;
      case 'run-experiment': {
        await stopProbe();
        const outcome = await experiment(request, command.spec, command.device, command.confirmed, entry as RunHandle & { control: TrainControl }, command.halt);
        post({ type: 'experiment-done', request, ...outcome });
        break;
      }
      case 'list-experiments':
        post({ type: 'experiments', request, experiments: await listExperiments(), usage: await (await labStore()).usage() });
        break;
      case 'open-experiment':
        post({ type: 'experiment', request, experiment: await openExperiment(command.key) });
        break;
      case 'mark-failed':
        await markFailed(command.key);
        post({ type: 'ok', request });
        break;
      case 'delete-experiment':
        await deleteExperiment(command.key);
        post({ type: 'ok', request });
        break;
      case 'export-bundle':
        post({ type: 'bundle', request, text: await exportBundle(await labStore(), command.key) });
        break;
      case 'import-bundle':
        post({ type: 'imported', request, imported: await importBundle(await labStore(), command.text) });
        break;
    }
  } catch (err) {
    if (controller.signal.aborted) post({ type: 'cancelled', request });
    else
      post({
        type: 'error',
        request,
        message: err instanceof Error ? err.message : String(err),
        restart: err instanceof RuntimeSpent,
        confirm: err instanceof LongRunError,
      });
  } finally {
    runs.delete(request);
    if (probing?.controller === controller) probing = undefined;
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
