/**
 * The training benchmark inside the browser, in a Web Worker like the lab's: stories260K from the app's
 * models/ folder, LoRA steps (8x64 unless the page is told otherwise) on jax-js's WASM backend, which splits large kernels across this
 * thread and worker threads when the page is cross-origin isolated (SharedArrayBuffer) and runs them on this
 * thread otherwise.
 */
import { startEngine, wasmKernelThreads } from '../engine/backend.ts';
import { median, trainTimer } from './bench.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { fetchEngineModel } from '../engine/load.ts';

export interface BrowserBenchResult {
  tokensPerSecond: number;
  secondsPerStep: number;
  dispatchesPerStep: number;
  /** Whether the page is cross-origin isolated, and how many threads jax-js's WASM kernels run on. */
  threads: { crossOriginIsolated: boolean; kernelThreads: number };
}

self.onmessage = async (e: MessageEvent<{ steps: number; batch: number; length: number }>) => {
  try {
    await startEngine('wasm');
    const model = await fetchEngineModel((file, signal) => fetch(`/models/stories260K/${file}`, { signal }), {
      id: 'stories260K',
      dtype: 'fp32',
      localModelPath: '/models/',
    });
    const { batch, length } = e.data;
    const timer = trainTimer(model.weights, 'wasm', batch, length);
    await timer.run(1);
    const run = await timer.run(e.data.steps);
    timer.dispose();
    disposeEngineWeights(model.weights);
    const secondsPerStep = median(run.seconds);
    const result: BrowserBenchResult = {
      tokensPerSecond: (batch * length) / secondsPerStep,
      secondsPerStep,
      dispatchesPerStep: run.dispatches / e.data.steps,
      threads: { crossOriginIsolated: self.crossOriginIsolated, kernelThreads: wasmKernelThreads() },
    };
    self.postMessage(result);
  } catch (error) {
    self.postMessage({ error: String((error as Error).stack ?? error) });
  }
};
