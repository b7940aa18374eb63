/**
 * The lab's experiments as page state: the one run in progress (started by the Demo, the Experiment panel
 * or a resume, shown by whichever of them is on screen) and the experiments opened for Compare. One run
 * at a time: the worker holds one model, and a second run would only slow the first.
 */
import type { ExperimentEvent, ExperimentStage } from '../../experiment/runner.ts';
import type { ExperimentSpec } from '../../experiment/spec.ts';
import type { Dataset } from '../../data/format.ts';
import type { EngineDevice } from '../../engine/backend.ts';
import type { TrainProgress } from '../../train/trainer.ts';
import { LongRunError } from '../../train/settings.ts';
import type { OpenedExperiment } from '../../worker/protocol.ts';
import { isAbort, type LabWorker, type TrainingRun } from '../worker-client.ts';
import { STAGES, expectedPieces } from './pieces.ts';

export interface StageProgress {
  stage: ExperimentStage;
  /** Pieces this stage makes or finds, over all seeds. */
  expected: number;
  /** Pieces finished so far, made or found. */
  finished: number;
  /** Of those, found in the store. */
  cached: number;
  /** The piece being made now; `resumedAt` is the first step of a training resumed from a checkpoint. */
  current?: { label: string; seed: number; done: number; total: number; resumedAt?: number };
}

export interface ActiveRun {
  spec: ExperimentSpec;
  /** What started it, e.g. "Demo": said in every place that shows the run. */
  origin: string;
  /** What starting it changed in the lab (another model loaded), said beside the run and its outcome. */
  note?: string;
  stages: StageProgress[];
  /** Pieces found in the store, as "seed 1 · evaluate base". */
  fromCache: string[];
  /** Loss of every training step of the adapter being trained. */
  losses: number[];
  /** The adapter being trained: what its training will do, and its last step. */
  plan?: Extract<ExperimentEvent, { type: 'train-plan' }>;
  last?: TrainProgress;
  /** The latest outputs of a model writing an augmentation. */
  generations: { source: string; text: string }[];
  paused: boolean;
  stopping: boolean;
}

/** How the last run ended, for the line under its progress bars and Compare's "from cache" marks. */
export interface RunOutcome {
  key: string;
  origin: string;
  note?: string;
  status: 'done' | 'cancelled' | 'failed';
  message: string;
  /** `${seed}/${condition}` of every result read from the store instead of computed. */
  cachedResults: string[];
  seconds: number;
}

/** At most this many experiments are open in Compare: two side by side, and the one before. */
const OPEN_LIMIT = 3;
/** How many of the latest generations a run keeps for the page to show. */
const GENERATIONS_SHOWN = 5;

export interface RunOptions {
  /** What starting it changed for the user (the Demo's model swap). */
  note?: string;
  /** A training run estimated over the time limit was agreed to. */
  confirmed?: boolean;
  /** Whether the finished experiment opens in Compare (the Learn step's presses show their results in its own table). */
  show?: boolean;
  /** Every event of the run, for a panel that shows more than the progress bars. */
  onEvent?: (event: ExperimentEvent) => void;
  /** run-experiment's `dataset`: an imported dataset the spec names by its hash. */
  dataset?: Dataset;
  /** Only the datasets and augmentations (the Learn step's Augment). */
  stopAfter?: 'augment';
}

class ExperimentSession {
  active = $state<ActiveRun>();
  outcome = $state<RunOutcome>();
  /** Experiments open in Compare, the most recently opened first. */
  opened = $state.raw<OpenedExperiment[]>([]);
  private handle?: TrainingRun<unknown>;
  private controller?: AbortController;

  /**
   * Runs (or resumes) an experiment in the worker, then reads it back (and opens it in Compare unless
   * `show` is false); undefined when it did not finish. A training run estimated over the time limit asks
   * first, and runs again confirmed when the user agrees.
   */
  async run(lab: LabWorker, spec: ExperimentSpec, device: EngineDevice, origin: string, options: RunOptions = {}): Promise<OpenedExperiment | undefined> {
    const { note, confirmed = false, show = true } = options;
    if (this.active) throw new Error(`an experiment is already running (${this.active.origin}): wait for it or cancel it`);
    const expected = expectedPieces(spec);
    const active: ActiveRun = {
      spec,
      origin,
      note,
      stages: STAGES.map((stage) => ({ stage, expected: expected[stage], finished: 0, cached: 0 })),
      fromCache: [],
      losses: [],
      generations: [],
      paused: false,
      stopping: false,
    };
    this.active = active;
    const run = this.active;
    const cachedResults: string[] = [];
    const started = performance.now();
    const controller = new AbortController();
    this.controller = controller;
    const handle = lab.runExperiment(spec, device, {
      signal: controller.signal,
      onEvent: (event) => {
        this.follow(run, event, cachedResults);
        options.onEvent?.(event);
      },
      onPaused: () => (run.paused = true),
      confirmed,
      dataset: options.dataset,
      stopAfter: options.stopAfter,
    });
    this.handle = handle;
    const seconds = () => (performance.now() - started) / 1000;
    let unconfirmed: string | undefined;
    try {
      const outcome = await handle.done;
      const total = outcome.results.length;
      const pieces = run.stages.reduce((sum, s) => sum + s.finished, 0);
      this.outcome = {
        key: outcome.key,
        origin,
        note,
        status: 'done',
        message:
          run.fromCache.length === pieces
            ? `Every piece (${pieces}) came from the cache: nothing was computed again.`
            : `${total} results; ${run.fromCache.length} of ${pieces} pieces came from the cache.`,
        cachedResults,
        seconds: seconds(),
      };
      return show ? await this.open(lab, outcome.key) : await lab.openExperiment(outcome.key);
    } catch (err) {
      if (err instanceof LongRunError) unconfirmed = err.message;
      const cancelled = isAbort(err) || run.stopping;
      this.outcome = {
        key: '',
        origin,
        note,
        status: cancelled ? 'cancelled' : 'failed',
        message: cancelled ? 'Cancelled. Everything finished before it is saved; running it again resumes.' : (err as Error).message,
        cachedResults,
        seconds: seconds(),
      };
    } finally {
      this.active = undefined;
      this.handle = undefined;
      this.controller = undefined;
    }
    // What finished before the refusal is in the store: the confirmed run picks up from there.
    return unconfirmed !== undefined && confirm(unconfirmed) ? this.run(lab, spec, device, origin, { ...options, confirmed: true }) : undefined;
  }

  private follow(run: ActiveRun, event: ExperimentEvent, cachedResults: string[]) {
    if (event.type === 'result') {
      if (event.cached) cachedResults.push(`${event.seed}/${event.condition}`);
      return;
    }
    if (event.type === 'generation') {
      run.generations = [...run.generations.slice(1 - GENERATIONS_SHOWN), { source: event.source, text: event.text }];
      return;
    }
    if (event.type === 'train-plan') {
      run.plan = event;
      return;
    }
    const stage = run.stages.find((s) => s.stage === (event.type === 'train-step' ? 'train' : event.stage))!;
    switch (event.type) {
      case 'stage':
        if (event.status === 'start') {
          stage.current = { label: event.label, seed: event.seed, done: 0, total: 1 };
          if (event.stage === 'train') ((run.losses = []), (run.last = undefined), (run.plan = undefined));
        } else {
          stage.finished++;
          stage.current = undefined;
          if (event.status === 'cached') {
            stage.cached++;
            run.fromCache.push(`seed ${event.seed} · ${event.stage} ${event.label}`);
          }
        }
        break;
      case 'progress':
        stage.current = { label: event.label, seed: event.seed, done: event.done, total: event.total };
        break;
      case 'train-step': {
        // A training resumed from a checkpoint reports its first step past 1.
        const first = stage.current?.label === event.label && stage.current.seed === event.seed && stage.current.done > 0 ? stage.current : undefined;
        const resumedAt = first ? first.resumedAt : event.progress.step > 1 ? event.progress.step : undefined;
        stage.current = { label: event.label, seed: event.seed, done: event.progress.step, total: event.progress.totalSteps, resumedAt };
        run.losses.push(event.progress.loss);
        run.last = event.progress;
        break;
      }
    }
  }

  pause() {
    this.handle?.pause();
  }

  resume() {
    if (this.active) this.active.paused = false;
    this.handle?.resume();
  }

  cancel() {
    if (this.active) this.active.stopping = true;
    this.handle?.stopTraining();
    this.controller?.abort();
  }

  /** Reads an experiment from the store and puts it first in Compare. */
  async open(lab: LabWorker, key: string): Promise<OpenedExperiment> {
    const experiment = await lab.openExperiment(key);
    this.opened = [experiment, ...this.opened.filter((e) => e.record.key !== key)].slice(0, OPEN_LIMIT);
    return experiment;
  }

  close(key: string) {
    this.opened = this.opened.filter((e) => e.record.key !== key);
  }
}

export const session = new ExperimentSession();
