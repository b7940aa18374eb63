/** What the worker lends each run it dispatches to the modules beside it. */
import type { EngineDevice } from '../engine/backend.ts';
import type { TrainControl } from '../train/control.ts';
import type { EngineModel } from '../engine/load.ts';
import type { EventBody } from './protocol.ts';

export interface RunTools {
  /** Aborted by `cancel`, or by the halt flag at the next progress report. */
  controller: AbortController;
  /** Posts an event of this run; the dispatcher adds its request number. */
  report: (event: EventBody) => void;
  /** Marks the held model in use while `work` runs: a load or a probe meanwhile is refused. */
  busy: <T>(work: () => Promise<T>) => Promise<T>;
}

/** A run that trains: pause, resume and stop-training reach it through `control`. */
export interface TrainingTools extends RunTools {
  control: TrainControl;
  /** The held model's weights in the engine on `device`. */
  engine: (device: EngineDevice, signal: AbortSignal) => Promise<EngineModel>;
}
