/**
 * The page's side of the lab worker: each method posts one command and resolves with the event that
 * ends it. Aborting a call's signal cancels the run in the worker; the promise then rejects with the
 * signal's reason, as the core's own functions do.
 */
import type { EvalResult } from '../eval/result.ts';
import type { Device, Dtype } from '../model/language-model.ts';
import { isFinal, type Command, type EvaluateSpec, type FinalEvent, type HaltFlag, type LoadSpec, type LoadedModel, type LocalModel, type WorkerEvent } from '../worker/protocol.ts';

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
  ): Promise<Extract<FinalEvent, { type: T }>> {
    signal?.throwIfAborted();
    const request = this.nextRequest++;
    const halt = crossOriginIsolated ? new SharedArrayBuffer(4) : null;
    const command = body(halt);
    return new Promise((resolve, reject) => {
      const cancel = () => {
        if (halt) Atomics.store(new Int32Array(halt), 0, 1);
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
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
