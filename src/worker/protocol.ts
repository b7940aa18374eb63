/**
 * Everything the page and the lab worker say to each other. One union of commands and one of events:
 * a message the other side does not expect fails type-checking instead of being ignored at run time.
 * Each command carries a request number; every event it causes repeats it.
 */
import type { Dataset } from '../data/format.ts';
import type { EvalResult } from '../eval/result.ts';
import type { Device, Dtype } from '../model/language-model.ts';
import type { EngineDevice } from '../train/backend.ts';
import type { TrainParams, TrainProgress } from '../train/trainer.ts';

/** A model folder the app serves, with the dtypes whose files it holds. */
export interface LocalModel {
  id: string;
  dtypes: Dtype[];
  /** Bytes to fetch per dtype: its ONNX file plus config and tokenizer. */
  bytes: Partial<Record<Dtype, number>>;
}

/** The model the worker holds, as the page shows it. */
export interface LoadedModel {
  id: string;
  device: Device;
  dtype: Dtype;
  contextLength: number;
  /** Whether the tokenizer has a chat template (the `chat` prompt template needs one). */
  chat: boolean;
  /** Whether it came from the app's own models/ folder (else from the hub). */
  local: boolean;
}

export interface LoadSpec {
  id: string;
  dtype: Dtype;
  /** Whether the hub may be contacted; offline loading never tries the network. */
  allowRemote: boolean;
}

export interface EvaluateSpec {
  dataset: Dataset;
  condition: string;
  template: string;
  seed: number;
}

/** A LoRA run on the loaded model's weights, then the `ft` condition scored with its adapter. */
export interface TrainSpec {
  dataset: Dataset;
  params: TrainParams;
  device: EngineDevice;
  /** Template and seed of the `ft` evaluation that follows the training. */
  template: string;
  seed: number;
}

/** How the training behind an `ft` result went. */
export interface TrainSummary {
  status: 'done' | 'cancelled';
  steps: number;
  totalSteps: number;
  /** Mean loss of every finished step. */
  losses: number[];
  seconds: number;
  device: EngineDevice;
}

/**
 * A shared Int32Array's buffer: the page raises its slot 0 to stop a run (to HALT.training to end a
 * training run but evaluate its adapter, to HALT.all to stop any run) and sets slot 1 to pause training.
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
/** Stop a training run after its current step, keeping its adapter; stop any run altogether. */
export const HALT = { training: 1, all: 2 } as const;

export type Command =
  | { type: 'list-models'; request: number }
  | { type: 'load'; request: number; spec: LoadSpec; halt: HaltFlag }
  | { type: 'evaluate'; request: number; spec: EvaluateSpec; halt: HaltFlag }
  | { type: 'train'; request: number; spec: TrainSpec; halt: HaltFlag }
  /** Stops the run started by request `target` altogether; it ends with a `cancelled` event. */
  | { type: 'cancel'; request: number; target: number }
  /** Ends the training of run `target` after its current step; it evaluates the adapter of that step. */
  | { type: 'stop-training'; request: number; target: number }
  /** Pause and resume the training run started by request `target`, between two of its steps. */
  | { type: 'pause'; request: number; target: number }
  | { type: 'resume'; request: number; target: number };

export type WorkerEvent =
  /** `dtypes`: every dtype glon can load, the choice for a hub model, whose files are checked when it loads. */
  | { type: 'models'; request: number; models: LocalModel[]; device: Device; dtypes: Dtype[] }
  /** Bytes of one model file fetched so far. */
  | { type: 'load-progress'; request: number; file: string; loaded: number; total: number }
  | { type: 'loaded'; request: number; model: LoadedModel }
  | { type: 'progress'; request: number; stage: string; done: number; total: number }
  | { type: 'result'; request: number; result: EvalResult }
  /** Training is about to start: the examples' shape and what the estimate expects of it. */
  | { type: 'train-start'; request: number; device: EngineDevice; examples: number; length: number; totalSteps: number; estimateSeconds: number; estimateBytes: number }
  | { type: 'train-step'; request: number; progress: TrainProgress }
  /** The run stands still after the step it just reported, until resumed. */
  | { type: 'train-paused'; request: number }
  /** Training ended (done or cancelled); the `ft` evaluation of its adapter follows with `progress` events. */
  | { type: 'train-end'; request: number; training: TrainSummary }
  | { type: 'trained'; request: number; result: EvalResult; training: TrainSummary }
  | { type: 'cancelled'; request: number }
  /**
   * `restart`: loading a model failed inside the runtime. After ONNX Runtime fails to create a session,
   * its WASM instance refuses every later model too (seen with onnxruntime-web 1.31 in chromium), so
   * the page replaces the worker.
   */
  | { type: 'error'; request: number; message: string; restart: boolean };

/** Events that end a request; the others report on it while it runs. */
export type FinalEvent = Extract<WorkerEvent, { type: 'models' | 'loaded' | 'result' | 'trained' | 'cancelled' | 'error' }>;

const FINAL_TYPES: ReadonlySet<WorkerEvent['type']> = new Set<FinalEvent['type']>(['models', 'loaded', 'result', 'trained', 'cancelled', 'error']);

export function isFinal(event: WorkerEvent): event is FinalEvent {
  return FINAL_TYPES.has(event.type);
}
