/**
 * The worker's reading of a run's halt flag (HaltFlag in protocol.ts), at every progress report: ONNX
 * Runtime's runs keep the worker from reading its messages, so the shared flag is how the page reaches it.
 */
import type { TrainControl } from '../train/control.ts';
import { HALT, HALT_SLOT, PAUSE_SLOT, type HaltFlag } from './protocol.ts';

/** Aborts `controller` once the page has raised the command's halt flag. */
export function haltChecker(halt: HaltFlag, controller: AbortController): () => void {
  const flag = halt && new Int32Array(halt);
  return () => {
    if (flag && Atomics.load(flag, HALT_SLOT) >= HALT.all) controller.abort();
  };
}

/** Reads the halt flag of a run that trains: stop everything, stop training, or pause. */
export function trainingFlag(halt: HaltFlag, controller: AbortController, control: TrainControl): () => void {
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
