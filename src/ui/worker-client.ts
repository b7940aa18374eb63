/**
 * The page's side of the lab worker: each method posts one command and resolves with the event that
 * ends it. Aborting a call's signal cancels the run in the worker; the promise then rejects with the
 * signal's reason, as the core's own functions do.
 */
import type { EvalResult } from '../eval/result.ts';
import type { Device, Dtype } from '../model/language-model.ts';
import {
  HALT,
  HALT_FLAG_BYTES,
  HALT_SLOT,
  PAUSE_SLOT,
  isFinal,
  type Command,
  type EvaluateSpec,
  type FinalEvent,
  type HaltFlag,
  type LoadSpec,
  type LoadedModel,
  type LocalModel,
  type TrainSpec,
  type TrainSummary,
  type WorkerEvent,
} from '../worker/protocol.ts';

type ProgressEvent<T extends WorkerEvent['type']> = Omit<Extract<WorkerEvent, { type: T }>, 'type' | 'request'>;
type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'request'> : never) : never;

interface Pending {
  onEvent: (event: WorkerEvent) => void;
  settle: (event: FinalEvent) => void;
}

export interface CallOptions<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
}

export interface TrainCallOptions {
  /** Aborting stops the run altogether: training and the evaluation after it. */
  signal?: AbortSignal;
  onEvent?: (event: Extract<WorkerEvent, { type: 'train-start' | 'train-step' | 'train-paused' | 'train-end' | 'progress' }>) => void;
}

/** A training run in the worker, with its controls. */
export interface TrainRun {
  done: Promise<{ result: EvalResult; training: TrainSummary }>;
  pause(): void;
  resume(): void;
  /** Ends the training after its current step; the adapter of that step is evaluated. */
  stopTraining(): void;
}

export class LabWorker {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;

  constructor() {
    this.start();
  }

  private start() {
    this.worker = new Worker(new URL('../worker/lab-worker.ts', import.meta.url), { type: 'module', name: 'glon-lab' });
    this.worker.onmessage = ({ data }: MessageEvent<WorkerEvent>) => {
      const call = this.pending.get(data.request);
      if (!call) return;
      if (!isFinal(data)) return call.onEvent(data);
      this.pending.delete(data.request);
      call.settle(data);
      if (data.type === 'error' && data.restart) this.restart();
    };
    // A worker that fails to start (or crashes) would otherwise leave every call waiting forever.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(`the lab worker stopped: ${event.message || 'it could not be started'}`);
    };
  }

  private failAll(message: string) {
    for (const [request, call] of this.pending) call.settle({ type: 'error', request, message, restart: false });
    this.pending.clear();
  }

  /** A fresh worker, when the old one says its model runtime is unusable (see the `error` event). */
  private restart() {
    this.worker.terminate();
    this.failAll('the lab worker was restarted');
    this.start();
  }

  private call<T extends FinalEvent['type']>(
    body: (halt: HaltFlag) => CommandBody,
    expected: T,
    signal: AbortSignal | undefined,
    onEvent: (event: WorkerEvent) => void = () => {},
    onStart: (request: number, halt: HaltFlag) => void = () => {},
  ): Promise<Extract<FinalEvent, { type: T }>> {
    signal?.throwIfAborted();
    const request = this.nextRequest++;
    const halt = crossOriginIsolated ? new SharedArrayBuffer(HALT_FLAG_BYTES) : null;
    const command = body(halt);
    onStart(request, halt);
    return new Promise((resolve, reject) => {
      const cancel = () => {
        if (halt) Atomics.store(new Int32Array(halt), HALT_SLOT, HALT.all);
        this.worker.postMessage({ type: 'cancel', request: this.nextRequest++, target: request } satisfies Command);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.pending.set(request, {
        onEvent,
        settle: (event) => {
          signal?.removeEventListener('abort', cancel);
          if (event.type === expected) resolve(event as Extract<FinalEvent, { type: T }>);
          else if (event.type === 'cancelled') reject(signal?.reason ?? new DOMException('cancelled', 'AbortError'));
          else if (event.type === 'error') reject(new Error(event.message));
          else reject(new Error(`the lab worker answered "${event.type}" to "${command.type}"`));
        },
      });
      this.worker.postMessage({ ...command, request } as Command);
    });
  }

  async listModels(): Promise<{ models: LocalModel[]; device: Device; dtypes: Dtype[] }> {
    const { models, device, dtypes } = await this.call(() => ({ type: 'list-models' }), 'models', undefined);
    return { models, device, dtypes };
  }

  async load(spec: LoadSpec, options: CallOptions<ProgressEvent<'load-progress'>> = {}): Promise<LoadedModel> {
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'load-progress') options.onProgress?.({ file: event.file, loaded: event.loaded, total: event.total });
    };
    return (await this.call((halt) => ({ type: 'load', spec, halt }), 'loaded', options.signal, onEvent)).model;
  }

  async evaluate(spec: EvaluateSpec, options: CallOptions<ProgressEvent<'progress'>> = {}): Promise<EvalResult> {
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'progress') options.onProgress?.({ stage: event.stage, done: event.done, total: event.total });
    };
    return (await this.call((halt) => ({ type: 'evaluate', spec, halt }), 'result', options.signal, onEvent)).result;
  }

  /** Trains a LoRA adapter on the dataset's documents in the worker, then evaluates the `ft` condition with it. */
  train(spec: TrainSpec, options: TrainCallOptions = {}): TrainRun {
    let target = 0;
    let flag: Int32Array | null = null;
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'train-start' || event.type === 'train-step' || event.type === 'train-paused' || event.type === 'train-end' || event.type === 'progress')
        options.onEvent?.(event);
    };
    const done = this.call((halt) => ({ type: 'train', spec, halt }), 'trained', options.signal, onEvent, (request, halt) => {
      target = request;
      flag = halt && new Int32Array(halt);
    }).then(({ result, training }) => ({ result, training }));
    // The flag reaches a worker busy with a step; the message one waiting on a pause.
    const send = (type: 'pause' | 'resume' | 'stop-training') => this.worker.postMessage({ type, request: this.nextRequest++, target } satisfies Command);
    return {
      done,
      pause: () => {
        if (flag) Atomics.store(flag, PAUSE_SLOT, 1);
        send('pause');
      },
      resume: () => {
        if (flag) Atomics.store(flag, PAUSE_SLOT, 0);
        send('resume');
      },
      stopTraining: () => {
        if (flag) Atomics.compareExchange(flag, HALT_SLOT, 0, HALT.training);
        send('stop-training');
      },
    };
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
