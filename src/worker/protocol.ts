/**
 * Everything the page and the lab worker say to each other. One union of commands and one of events:
 * a message the other side does not expect fails type-checking instead of being ignored at run time.
 * Each command carries a request number; every event it causes repeats it.
 */
import type { Augmentation } from '../augment/augmentation.ts';
import type { Dataset } from '../data/format.ts';
import type { ImportedBundle } from '../experiment/bundle.ts';
import type { ExperimentEvent } from '../experiment/runner.ts';
import type { ExperimentSpec } from '../experiment/spec.ts';
import type { Summary } from '../experiment/summary.ts';
import type { EvalResult } from '../eval/result.ts';
import type { DevicePreference, GpuFacts } from '../model/device.ts';
import type { ProbeVerdict } from '../eval/context-probe.ts';
import type { Device, Dtype } from '../model/language-model.ts';
import type { AdapterTraining, ExperimentRecord } from '../experiment/store.ts';
import type { EngineDevice } from '../engine/backend.ts';

/** A model folder the app serves, or one downloaded from a hub into this browser, with the dtypes whose files it holds. */
export interface LocalModel {
  id: string;
  dtypes: Dtype[];
  /** Bytes to fetch per dtype: its ONNX file plus config and tokenizer. */
  bytes: Partial<Record<Dtype, number>>;
  /** The hub address it was downloaded from; absent for a folder the app serves. */
  hub?: string;
}

/** The model the worker holds, as the page shows it. */
export interface LoadedModel {
  id: string;
  device: Device;
  dtype: Dtype;
  contextLength: number;
  /** Whether the tokenizer has a chat template (the `chat` prompt template needs one). */
  chat: boolean;
  /** Whether it came from the app's own models/ folder (else from the hub, through this browser's cache). */
  local: boolean;
}

export interface LoadSpec {
  id: string;
  dtype: Dtype;
  /** Whether the hub may be contacted; offline loading never tries the network. */
  allowRemote: boolean;
  /** The person's choice of backend; without one, the worker's rule picks (src/model/device.ts). */
  preference?: DevicePreference;
  /** The hub's address (https://huggingface.co or a mirror) for a model the app does not serve. */
  hub: string;
}

/** A stored experiment as the Storage panel lists it. */
export interface ExperimentListing {
  record: ExperimentRecord;
  /** Status 'running' but nobody holds its lock: the tab that ran it was closed mid-run. */
  interrupted: boolean;
}

/** An experiment read back from the store, for Compare. */
export interface OpenedExperiment {
  record: ExperimentRecord;
  /** In the spec's order (seed by seed, condition by condition); a run that stopped early has fewer. */
  results: EvalResult[];
  /** The dataset of each seed, by its hash: the item inspector shows the facts an item derives from. */
  datasets: Record<string, Dataset>;
  augmentations: Augmentation[];
  /** How each of its adapters was trained, in the record's order. */
  trainings: AdapterTraining[];
  /** Over seeds; null before the first result. */
  summary: Summary | null;
}

export type Usage = { used: number; quota: number } | null;

/**
 * A shared Int32Array's buffer: the page raises its slot 0 to stop a run (to HALT.training to end the
 * training in progress after its current step, which ends the experiment; to HALT.all to stop any run)
 * and sets slot 1 to pause training.
 * ONNX Runtime's WASM runs resolve as microtasks, so while a run scores, the worker never reads its
 * message queue and a `cancel` message waits until the run is over; the worker reads this flag at every
 * progress report instead. Null when the page is not cross-origin isolated (no SharedArrayBuffer): then
 * only the messages stop or pause a run.
 */
export type HaltFlag = SharedArrayBuffer | null;

/** Slots of the halt flag, and what slot 0 holds. */
export const HALT_SLOT = 0;
export const PAUSE_SLOT = 1;
export const HALT_FLAG_BYTES = 8;
/** Stop the training in progress after its current step (its last checkpoint kept); stop any run altogether. */
export const HALT = { training: 1, all: 2 } as const;

/** A command that starts a run in the worker; it ends with the event REPLY_OF names (or `cancelled`, or `error`). */
export type RunCommand =
  | { type: 'list-models'; request: number }
  | { type: 'load'; request: number; spec: LoadSpec; halt: HaltFlag }
  /** Whether the loaded model uses facts in its context (src/eval/context-probe.ts); the Model step asks after each load. */
  | { type: 'probe'; request: number; halt: HaltFlag }
  /**
   * Runs (or resumes: every finished piece is a cache hit) an experiment on the loaded model, holding its
   * Web Lock. `confirmed`: the user agreed to training runs estimated over CONFIRM_SECONDS; without it such
   * a run is refused with `confirm`. `dataset`: the dataset a spec names by its hash (an imported file),
   * saved in the store first. `stopAfter`: as in the runner (the Learn step's Augment).
   */
  | {
      type: 'run-experiment';
      request: number;
      spec: ExperimentSpec;
      device: EngineDevice;
      confirmed: boolean;
      dataset?: Dataset;
      stopAfter?: 'augment';
      halt: HaltFlag;
    }
  | { type: 'list-experiments'; request: number }
  | { type: 'open-experiment'; request: number; key: string }
  /** An interrupted run the student chose not to resume. */
  | { type: 'mark-failed'; request: number; key: string }
  /** The experiment's record and logs, and whatever it made that no other experiment uses. */
  | { type: 'delete-experiment'; request: number; key: string }
  | { type: 'export-bundle'; request: number; key: string }
  | { type: 'import-bundle'; request: number; text: string };

/** A command about a run already started (request `target`); it has no reply of its own. */
export type ControlCommand =
  /** Stops the run started by request `target` altogether; it ends with a `cancelled` event. */
  | { type: 'cancel'; request: number; target: number }
  /** Ends the training of run `target` after its current step; it evaluates the adapter of that step. */
  | { type: 'stop-training'; request: number; target: number }
  /** Pause and resume the training (of a train or run-experiment request `target`), between two of its steps. */
  | { type: 'pause'; request: number; target: number }
  | { type: 'resume'; request: number; target: number };

export type Command = RunCommand | ControlCommand;

export type WorkerEvent =
  /** `dtypes`: every dtype glon can load, the choice for a hub model, whose files are checked when it loads. */
  | { type: 'models'; request: number; models: LocalModel[]; gpu: GpuFacts; dtypes: Dtype[] }
  /** Bytes of one model file fetched so far. */
  | { type: 'load-progress'; request: number; file: string; loaded: number; total: number }
  /** The context probe: items scored so far without the facts, then with them. */
  | { type: 'probe-progress'; request: number; done: number; total: number }
  | { type: 'probed'; request: number; verdict: ProbeVerdict }
  | { type: 'loaded'; request: number; model: LoadedModel }
  /** The run stands still after the step it just reported, until resumed. */
  | { type: 'train-paused'; request: number }
  | { type: 'experiment-event'; request: number; event: ExperimentEvent }
  | { type: 'experiment-done'; request: number; key: string; results: EvalResult[]; summary: Summary; cached: number }
  | { type: 'experiments'; request: number; experiments: ExperimentListing[]; usage: Usage }
  | { type: 'experiment'; request: number; experiment: OpenedExperiment }
  | { type: 'bundle'; request: number; text: string }
  | { type: 'imported'; request: number; imported: ImportedBundle }
  /** A request with nothing to return is done. */
  | { type: 'ok'; request: number }
  | { type: 'cancelled'; request: number }
  /**
   * `restart`: loading a model failed inside the runtime. After ONNX Runtime fails to create a session,
   * its WASM instance refuses every later model too (seen with onnxruntime-web 1.31 in chromium), so
   * the page replaces the worker. `confirm`: the run may start once the user confirms it (see run-experiment).
   */
  | { type: 'error'; request: number; message: string; restart: boolean; confirm?: boolean };

/** The event that answers each run command. */
export interface Replies {
  'list-models': 'models';
  load: 'loaded';
  probe: 'probed';
  'run-experiment': 'experiment-done';
  'list-experiments': 'experiments';
  'open-experiment': 'experiment';
  'mark-failed': 'ok';
  'delete-experiment': 'ok';
  'export-bundle': 'bundle';
  'import-bundle': 'imported';
}

/** Replies at run time; its type makes it list every run command, each with the reply Replies gives it. */
export const REPLY_OF: { readonly [C in RunCommand['type']]: Replies[C] } = {
  'list-models': 'models',
  load: 'loaded',
  probe: 'probed',
  'run-experiment': 'experiment-done',
  'list-experiments': 'experiments',
  'open-experiment': 'experiment',
  'mark-failed': 'ok',
  'delete-experiment': 'ok',
  'export-bundle': 'bundle',
  'import-bundle': 'imported',
};

export type CommandOf<C extends RunCommand['type']> = Extract<RunCommand, { type: C }>;
/** What the sender fills in: the command without its request number, which the client assigns. */
export type CommandFields<C extends RunCommand['type']> = Omit<CommandOf<C>, 'type' | 'request'>;
export type Reply<C extends RunCommand['type']> = Extract<WorkerEvent, { type: Replies[C] }>;
/** What a handler returns: its reply without the type and request number the dispatcher adds. */
export type ReplyBody<C extends RunCommand['type']> = Omit<Reply<C>, 'type' | 'request'>;
/** The worker's work for every run command, each returning its reply's body: a missing command does not compile. */
export type Handlers<Run> = { [C in RunCommand['type']]: (command: CommandOf<C>, run: Run) => Promise<ReplyBody<C>> };
/** Any event before the dispatcher stamps it with the request it belongs to. */
export type EventBody = WorkerEvent extends infer E ? (E extends WorkerEvent ? Omit<E, 'request'> : never) : never;

/** Events that end a request: its reply, or `cancelled`, or `error`; the others report on it while it runs. */
export type FinalEvent = Extract<WorkerEvent, { type: Replies[keyof Replies] | 'cancelled' | 'error' }>;

const FINAL_TYPES: ReadonlySet<WorkerEvent['type']> = new Set([...Object.values(REPLY_OF), 'cancelled', 'error']);

export function isFinal(event: WorkerEvent): event is FinalEvent {
  return FINAL_TYPES.has(event.type);
}
