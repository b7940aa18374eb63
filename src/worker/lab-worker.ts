/**
 * The lab's worker: holds the loaded model and runs the core (loading, the context probe, and
 * experiments over the IndexedDB store: every evaluation, augmentation and LoRA training the page asks for
 * is one) off the page's main thread, so the page stays
 * responsive. This file is the worker's state and its dispatch; the modules beside it do the work. Every
 * run gets its own AbortController, which `cancel` aborts; a run that trains also has a TrainControl for
 * pause, resume and stop-training.
 */
import { runContextProbe } from '../eval/context-probe.ts';
import { exportBundle, importBundle } from '../experiment/bundle.ts';
import { probeGpu } from '../model/device.ts';
import { DTYPES } from '../model/dtypes.ts';
import type { EngineDevice } from '../engine/backend.ts';
import { TrainControl } from '../train/control.ts';
import { LongRunError } from '../train/settings.ts';
import { EngineCache } from './engine-cache.ts';
import { labStore } from './experiment-env.ts';
import { deleteExperiment, listExperiments, markFailed, openExperiment } from './experiment-records.ts';
import { experimentRun } from './experiment-run.ts';
import { haltChecker } from './halt-flag.ts';
import { RuntimeSpent, loadLabModel, type HeldModel } from './load-model.ts';
import { REPLY_OF, type Command, type CommandOf, type Handlers, type ReplyBody, type RunCommand, type WorkerEvent } from './protocol.ts';
import type { RunTools, TrainingTools } from './run-tools.ts';
import { listModels } from './served-models.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent) => scope.postMessage(event);

let held: HeldModel | undefined;
/** The loaded model's weights in the jax-js engine, read on the first training run and kept for the next. */
const engine = new EngineCache();

interface RunHandle {
  request: number;
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

async function busy<T>(work: () => Promise<T>): Promise<T> {
  evaluating++;
  try {
    return await work();
  } finally {
    evaluating--;
  }
}

function requireModel(): HeldModel {
  if (!held) throw new Error('no model is loaded: load one in the Model step first');
  return held;
}

async function engineOn(device: EngineDevice, signal: AbortSignal) {
  const { loaded, hub } = requireModel();
  return engine.on(loaded, hub, device, signal);
}

function tools(run: RunHandle): RunTools {
  return { controller: run.controller, report: (event) => post({ ...event, request: run.request }), busy };
}

function trainingTools(run: RunHandle): TrainingTools {
  run.control = new TrainControl();
  return { ...tools(run), control: run.control, engine: engineOn };
}

/** One handler per run command (Handlers makes a missing one a type error); each returns the body of its reply. */
const handlers: Handlers<RunHandle> = {
  'list-models': async () => ({ models: await listModels(), gpu: await probeGpu(), dtypes: [...DTYPES] }),
  async load({ spec, halt }, run) {
    await stopProbe();
    if (evaluating > 0) throw new Error('a run is using the current model: cancel it before loading another');
    const checkHalt = haltChecker(halt, run.controller);
    const { report } = tools(run);
    held = await loadLabModel(spec, {
      signal: run.controller.signal,
      onProgress: ({ file, loaded, total }) => {
        checkHalt();
        report({ type: 'load-progress', file, loaded, total });
      },
      release: async () => {
        const previous = held;
        held = undefined;
        await previous?.model.dispose();
        engine.release();
      },
    });
    return { model: held.loaded };
  },
  /** What the student can expect of ICL with the loaded model, before any long run. */
  async probe({ halt }, run) {
    await stopProbe();
    const checkHalt = haltChecker(halt, run.controller);
    const { report } = tools(run);
    const done = (async () => {
      const { model } = requireModel();
      if (evaluating > 0) throw new Error('not run: a run is using the model');
      return busy(() =>
        runContextProbe(model, {
          signal: run.controller.signal,
          onProgress: ({ stage, done, total }) => {
            checkHalt();
            const half = stage.endsWith('icl') ? total : 0;
            report({ type: 'probe-progress', done: half + done, total: 2 * total });
          },
        }),
      );
    })();
    probing = { controller: run.controller, done: done.catch(() => undefined) };
    return { verdict: await done };
  },
  async 'run-experiment'(command, run) {
    const training = trainingTools(run);
    await stopProbe();
    return experimentRun(command, { ...training, held: requireModel });
  },
  'list-experiments': async () => ({ experiments: await listExperiments(), usage: await (await labStore()).usage() }),
  'open-experiment': async ({ key }) => ({ experiment: await openExperiment(key) }),
  async 'mark-failed'({ key }) {
    await markFailed(key);
    return {};
  },
  async 'delete-experiment'({ key }) {
    await deleteExperiment(key);
    return {};
  },
  'export-bundle': async ({ key }) => ({ text: await exportBundle(await labStore(), key) }),
  'import-bundle': async ({ text }) => ({ imported: await importBundle(await labStore(), text) }),
};

function dispatch<C extends RunCommand['type']>(type: C, command: CommandOf<C>, run: RunHandle): Promise<ReplyBody<C>> {
  return handlers[type](command, run);
}

async function handle(command: RunCommand) {
  const { request } = command;
  const run: RunHandle = { request, controller: new AbortController() };
  runs.set(request, run);
  try {
    const body = await dispatch(command.type, command, run);
    // The handlers' type ties each body to its command's reply, a link the spread loses.
    post({ type: REPLY_OF[command.type], request, ...body } as WorkerEvent);
  } catch (err) {
    if (run.controller.signal.aborted) post({ type: 'cancelled', request });
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
    if (probing?.controller === run.controller) probing = undefined;
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
