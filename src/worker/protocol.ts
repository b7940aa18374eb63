/**
 * Everything the page and the lab worker say to each other. One union of commands and one of events:
 * a message the other side does not expect fails type-checking instead of being ignored at run time.
 * Each command carries a request number; every event it causes repeats it.
 */
import type { Dataset } from '../data/format.ts';
import type { EvalResult } from '../eval/result.ts';
import type { Device, Dtype } from '../model/language-model.ts';

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

/**
 * A shared Int32Array's buffer that the page sets to 1 to stop a run. ONNX Runtime's WASM runs resolve
 * as microtasks, so while a run scores, the worker never reads its message queue and a `cancel` message
 * waits until the run is over; the worker reads this flag at every progress report instead. Null when
 * the page is not cross-origin isolated (no SharedArrayBuffer): then only `cancel` stops a run.
 */
export type HaltFlag = SharedArrayBuffer | null;

export type Command =
  | { type: 'list-models'; request: number }
  | { type: 'load'; request: number; spec: LoadSpec; halt: HaltFlag }
  | { type: 'evaluate'; request: number; spec: EvaluateSpec; halt: HaltFlag }
  /** Stops the run started by request `target`; it ends with a `cancelled` event. */
  | { type: 'cancel'; request: number; target: number };

export type WorkerEvent =
  /** `dtypes`: every dtype glon can load, the choice for a hub model, whose files are checked when it loads. */
  | { type: 'models'; request: number; models: LocalModel[]; device: Device; dtypes: Dtype[] }
  /** Bytes of one model file fetched so far. */
  | { type: 'load-progress'; request: number; file: string; loaded: number; total: number }
  | { type: 'loaded'; request: number; model: LoadedModel }
  | { type: 'progress'; request: number; stage: string; done: number; total: number }
  | { type: 'result'; request: number; result: EvalResult }
  | { type: 'cancelled'; request: number }
  /**
   * `restart`: loading a model failed inside the runtime. After ONNX Runtime fails to create a session,
   * its WASM instance refuses every later model too (seen with onnxruntime-web 1.31 in chromium), so
   * the page replaces the worker.
   */
  | { type: 'error'; request: number; message: string; restart: boolean };

/** Events that end a request; the others report on it while it runs. */
export type FinalEvent = Extract<WorkerEvent, { type: 'models' | 'loaded' | 'result' | 'cancelled' | 'error' }>;

export function isFinal(event: WorkerEvent): event is FinalEvent {
  return event.type !== 'load-progress' && event.type !== 'progress';
}
