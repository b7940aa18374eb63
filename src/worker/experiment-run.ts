/** An experiment on the held model, run (or resumed: every finished piece is a cache hit) while holding its Web Lock. */
import { serializeDataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import { experimentKey, modelKey } from '../experiment/piece-keys.ts';
import { runExperiment } from '../experiment/runner.ts';
import type { EngineDevice } from '../engine/backend.ts';
import { labStore, pageExperimentEnv } from './experiment-env.ts';
import { trainingFlag } from './halt-flag.ts';
import type { HeldModel } from './load-model.ts';
import type { CommandFields } from './protocol.ts';
import { runLock } from './run-lock.ts';
import type { TrainingTools } from './run-tools.ts';

/** How the page confirms a run estimated over the time limit (its confirm dialog shows the message). */
export const CONFIRM_ADVICE = 'confirm (OK) to start it anyway';

export interface ExperimentTools extends TrainingTools {
  /** The held model; throws when none is loaded. */
  held: () => Pick<HeldModel, 'model' | 'loaded'>;
}

export async function experimentRun(
  { spec, device, confirmed, dataset, stopAfter, halt }: CommandFields<'run-experiment'>,
  { controller, control, engine, report, busy, held }: ExperimentTools,
) {
  const checkFlag = trainingFlag(halt, controller, control);
  const holding = held();
  if (holding.loaded.id !== spec.model.id || holding.loaded.dtype !== spec.model.dtype)
    throw new Error(`the experiment uses ${modelKey(spec)}, but ${modelKey({ model: holding.loaded })} is loaded: load it in the Model step first`);
  const store = await labStore();
  const key = await experimentKey(spec);
  if (dataset && spec.dataset.hash) {
    if ((await sha256Hex(serializeDataset(dataset))) !== spec.dataset.hash) throw new Error("the dataset sent is not the one the experiment names by its hash");
    await store.put('datasets', { key: spec.dataset.hash, dataset, savedAt: new Date().toISOString() });
  }
  const env = pageExperimentEnv({
    store,
    device,
    base: () => held().model,
    engine: (on: EngineDevice) => engine(on, controller.signal),
  });
  return busy(() =>
    navigator.locks.request(runLock(key), { ifAvailable: true }, async (lock) => {
      if (!lock) throw new Error('this experiment is running in another tab of this browser');
      return runExperiment(spec, env, {
        signal: controller.signal,
        control,
        confirmLongRuns: confirmed ? undefined : CONFIRM_ADVICE,
        stopAfter,
        onEvent: (event) => {
          checkFlag();
          report({ type: 'experiment-event', event });
          if (event.type === 'train-step' && control.paused) report({ type: 'train-paused' });
        },
      });
    }),
  );
}
