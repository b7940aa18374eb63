/**
 * The training benchmark inside the browser, in a Web Worker like the lab's: stories260K from the app's
 * models/ folder, LoRA steps at 8x64 on jax-js's WASM backend, which runs its kernels on a pool of worker
 * threads when the page is cross-origin isolated (SharedArrayBuffer) and on this thread otherwise.
 */
import { startEngine } from '../engine/backend.ts';
import { median, trainTimer } from './bench.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { fetchEngineModel } from '../engine/load.ts';

export interface BrowserBenchResult {
  tokensPerSecond: number;
  secondsPerStep: number;
  dispatchesPerStep: number;
  /** What jax-js's WASM backend checks before starting its worker pool, and the pool's size. */
  threads: { crossOriginIsolated: boolean; sharedMemory: boolean; workers: number };
}

const SHAPE = { batch: 8, length: 64 };

self.onmessage = async (e: MessageEvent<{ steps: number }>) => {
  try {
    await startEngine('wasm');
    const model = await fetchEngineModel((file, signal) => fetch(`/models/stories260K/${file}`, { signal }), {
      id: 'stories260K',
      dtype: 'fp32',
      localModelPath: '/models/',
    });
    const timer = trainTimer(model.weights, 'wasm', SHAPE.batch, SHAPE.length);
    await timer.run(1);
    const run = await timer.run(e.data.steps);
    timer.dispose();
    disposeEngineWeights(model.weights);
    const secondsPerStep = median(run.seconds);
    const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined';
    const result: BrowserBenchResult = {
      tokensPerSecond: (SHAPE.batch * SHAPE.length) / secondsPerStep,
      secondsPerStep,
      dispatchesPerStep: run.dispatches / e.data.steps,
      threads: { crossOriginIsolated: self.crossOriginIsolated, sharedMemory, workers: sharedMemory ? navigator.hardwareConcurrency || 4 : 1 },
    };
    self.postMessage(result);
  } catch (error) {
    self.postMessage({ error: String((error as Error).stack ?? error) });
  }
};
