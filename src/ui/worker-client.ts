/**
 * The page's side of the lab worker: each method posts one command and resolves with the event that
 * ends it. Aborting a call's signal cancels the run in the worker; the promise then rejects with the
 * signal's reason, as the core's own functions do. `busy` says, for every component, whether a run holds
 * the worker.
 */
import type { Dataset } from '../data/format.ts';
import type { ImportedBundle } from '../experiment/bundle.ts';
import type { ExperimentEvent, ExperimentOutcome } from '../experiment/runner.ts';
import type { ExperimentSpec } from '../experiment/spec.ts';
import type { GpuFacts } from '../model/device.ts';
import type { ProbeVerdict } from '../eval/context-probe.ts';
import type { Dtype } from '../model/language-model.ts';
import type { EngineDevice } from '../engine/backend.ts';
import { LongRunError } from '../train/settings.ts';
import { WorkerBusy } from './busy.svelte.ts';
import {
  HALT,
  HALT_FLAG_BYTES,
  HALT_SLOT,
  PAUSE_SLOT,
  REPLY_OF,
  isFinal,
  type Command,
  type ExperimentListing,
  type FinalEvent,
  type HaltFlag,
  type LoadSpec,
  type LoadedModel,
  type LocalModel,
  type OpenedExperiment,
  type Reply,
  type RunCommand,
  type Usage,
  type WorkerEvent,
} from '../worker/protocol.ts';

type ProgressEvent<T extends WorkerEvent['type']> = Omit<Extract<WorkerEvent, { type: T }>, 'type' | 'request'>;
/** A run command as a call writes it; the client numbers it. */
type CommandBody = RunCommand extends infer C ? (C extends RunCommand ? Omit<C, 'request'> : never) : never;

interface Pending {
  onEvent: (event: WorkerEvent) => void;
  settle: (event: FinalEvent) => void;
}

export interface CallOptions<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
}

/** A run in the worker that trains, with its controls. */
export interface TrainingRun<T> {
  done: Promise<T>;
  pause(): void;
  resume(): void;
  /** Ends the training after its current step; the experiment stops there, its last checkpoint kept. */
  stopTraining(): void;
}

export interface ExperimentCallOptions {
  signal?: AbortSignal;
  onEvent?: (event: ExperimentEvent) => void;
  /** The run stands still after its last reported training step. */
  onPaused?: () => void;
  /** The user agreed to training runs estimated over the time limit (see the run-experiment command). */
  confirmed?: boolean;
  /** The dataset the spec names by its hash, saved in the worker's store before the run. */
  dataset?: Dataset;
  /** Only the datasets and augmentations: a piece of the experiment (the Learn step's Augment). */
  stopAfter?: 'augment';
}

export class LabWorker {
  /** Whether a run holds the worker, read by every button that would start one. */
  readonly busy = new WorkerBusy();
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

  /** Posts the command `body` writes (with the call's halt flag) and resolves with its reply, REPLY_OF[type]. */
  private call<C extends RunCommand['type']>(
    body: (halt: HaltFlag) => CommandBody & { type: C },
    signal: AbortSignal | undefined,
    onEvent: (event: WorkerEvent) => void = () => {},
    onStart: (request: number, halt: HaltFlag) => void = () => {},
  ): Promise<Reply<C>> {
    signal?.throwIfAborted();
    const request = this.nextRequest++;
    const halt = crossOriginIsolated ? new SharedArrayBuffer(HALT_FLAG_BYTES) : null;
    const command = body(halt);
    const expected: FinalEvent['type'] = REPLY_OF[command.type];
    onStart(request, halt);
    this.busy.start(request, command.type);
    return new Promise((resolve, reject) => {
      const cancel = () => {
        if (halt) Atomics.store(new Int32Array(halt), HALT_SLOT, HALT.all);
        this.worker.postMessage({ type: 'cancel', request: this.nextRequest++, target: request } satisfies Command);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.pending.set(request, {
        onEvent,
        settle: (event) => {
          this.busy.end(request);
          signal?.removeEventListener('abort', cancel);
          if (event.type === expected) resolve(event as Reply<C>);
          else if (event.type === 'cancelled') reject(signal?.reason ?? new DOMException('cancelled', 'AbortError'));
          else if (event.type === 'error') reject(event.confirm ? new LongRunError(event.message) : new Error(event.message));
          else reject(new Error(`the lab worker answered "${event.type}" to "${command.type}"`));
        },
      });
      this.worker.postMessage({ ...command, request } as Command);
    });
  }

  async listModels(): Promise<{ models: LocalModel[]; gpu: GpuFacts; dtypes: Dtype[] }> {
    const { models, gpu, dtypes } = await this.call(() => ({ type: 'list-models' }), undefined);
    return { models, gpu, dtypes };
  }

  /** Downloads the model into this browser's cache first when it comes from the hub (and the spec allows it). */
  async load(spec: LoadSpec, options: CallOptions<ProgressEvent<'load-progress'>> = {}): Promise<LoadedModel> {
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'load-progress') options.onProgress?.({ file: event.file, loaded: event.loaded, total: event.total });
    };
    return (await this.call((halt) => ({ type: 'load', spec, halt }), options.signal, onEvent)).model;
  }

  /** The context probe on the loaded model (src/eval/context-probe.ts). */
  async probe(options: CallOptions<ProgressEvent<'probe-progress'>> = {}): Promise<ProbeVerdict> {
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'probe-progress') options.onProgress?.({ done: event.done, total: event.total });
    };
    return (await this.call((halt) => ({ type: 'probe', halt }), options.signal, onEvent)).verdict;
  }

  /** Runs (or resumes) an experiment on the loaded model; every stage is reported, cache hits included. */
  runExperiment(spec: ExperimentSpec, device: EngineDevice, options: ExperimentCallOptions = {}): TrainingRun<ExperimentOutcome> {
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'experiment-event') options.onEvent?.(event.event);
      else if (event.type === 'train-paused') options.onPaused?.();
    };
    const { confirmed = false, dataset, stopAfter } = options;
    return this.training((halt) => ({ type: 'run-experiment', spec, device, confirmed, dataset, stopAfter, halt }), options.signal, onEvent, ({ key, results, summary, cached }) => ({
      key,
      results,
      summary,
      cached,
    }));
  }

  private training<C extends 'run-experiment', R>(
    body: (halt: HaltFlag) => CommandBody & { type: C },
    signal: AbortSignal | undefined,
    onEvent: (event: WorkerEvent) => void,
    pick: (event: Reply<C>) => R,
  ): TrainingRun<R> {
    let target = 0;
    let flag: Int32Array | null = null;
    const done = this.call<C>(body, signal, onEvent, (request, halt) => {
      target = request;
      flag = halt && new Int32Array(halt);
    }).then(pick);
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

  async listExperiments(): Promise<{ experiments: ExperimentListing[]; usage: Usage }> {
    const { experiments, usage } = await this.call(() => ({ type: 'list-experiments' }), undefined);
    return { experiments, usage };
  }

  async openExperiment(key: string): Promise<OpenedExperiment> {
    return (await this.call(() => ({ type: 'open-experiment', key }), undefined)).experiment;
  }

  async markFailed(key: string): Promise<void> {
    await this.call(() => ({ type: 'mark-failed', key }), undefined);
  }

  async deleteExperiment(key: string): Promise<void> {
    await this.call(() => ({ type: 'delete-experiment', key }), undefined);
  }

  async exportBundle(key: string): Promise<string> {
    return (await this.call(() => ({ type: 'export-bundle', key }), undefined)).text;
  }

  async importBundle(text: string): Promise<ImportedBundle> {
    return (await this.call(() => ({ type: 'import-bundle', text }), undefined)).imported;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
