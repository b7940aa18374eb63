/**
 * Runs an experiment: for each seed, the dataset, the augmentations its conditions need, one LoRA adapter
 * per distinct training set, and an evaluation per condition. Every piece is named by a content key of its
 * inputs, looked up in the store first and written as soon as it exists (training also every few seconds as
 * a checkpoint), so a repeated run is all cache hits and an interrupted one resumes where it stood.
 * Runs the same in the page's worker and in Node: the environment supplies the models and the store.
 */
import type { Augmentation, AugmentMode } from '../augment/augmentation.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { conditionInfo } from '../eval/conditions.ts';
import type { EvalResult } from '../eval/result.ts';
import { TrainControl } from '../train/control.ts';
import { trainingExamples } from '../train/examples.ts';
import type { EngineDevice } from '../engine/backend.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import type { TrainProgress } from '../train/trainer.ts';
import type { GlonStore } from './store.ts';
import { adapterPiece, type TrainingEnv } from './adapter-piece.ts';
import { augmentationPiece } from './augmentation-piece.ts';
import { datasetPiece, type DatasetPiece } from './dataset-piece.ts';
import { ExperimentJournal } from './journal.ts';
import type { PieceReport } from './piece.ts';
import { adapterKeyOf, augmentInputs, experimentKey, keptAugmentation, modelKey, resultKeyOf, trainParams, trainingPlans, type TrainingPlan } from './piece-keys.ts';
import { resultPiece } from './result-piece.ts';
import { seedDataset, type ExperimentSpec } from './spec.ts';
import { summarize, type Summary } from './summary.ts';

/** The store, and the models every piece is made with; `engine` and `device` train (adapter-piece.ts). */
export interface ExperimentEnv extends TrainingEnv {
  store: GlonStore;
  /** The base model (ONNX Runtime): base/icl scoring and the augmentation generator. Loaded once. */
  base(): Promise<LanguageModel>;
  /** A LanguageModel scoring the base model with this adapter; disposed after use. */
  adapted(adapter: LoraAdapter, adapterKey: string): Promise<{ model: LanguageModel; dispose(): Promise<void> }>;
}

export type ExperimentStage = 'dataset' | 'augment' | 'train' | 'evaluate';

export type ExperimentEvent =
  | { type: 'stage'; stage: ExperimentStage; seed: number; label: string; status: 'start' | 'cached' | 'done'; key: string }
  | { type: 'progress'; stage: ExperimentStage; seed: number; label: string; done: number; total: number }
  /** A model's raw output while it writes an augmentation, for a student to watch. */
  | { type: 'generation'; seed: number; mode: AugmentMode; source: string; text: string }
  /** What a training run is about to do, as estimated before its first step (training only, never a cache hit). */
  | { type: 'train-plan'; seed: number; label: string; examples: number; length: number; totalSteps: number; estimateSeconds: number; estimateBytes: number; device: EngineDevice }
  | { type: 'train-step'; seed: number; label: string; progress: TrainProgress }
  /** A training run continues from its checkpoint of `step`, left by an interrupted run. */
  | { type: 'resume'; stage: 'train'; seed: number; label: string; step: number; totalSteps: number }
  | { type: 'result'; seed: number; condition: string; result: EvalResult; cached: boolean };

export interface RunExperimentOptions {
  signal?: AbortSignal;
  /** Pause, resume or cancel the training in progress; cancelling also stops the experiment. */
  control?: TrainControl;
  onEvent?: (event: ExperimentEvent) => void;
  /** Steps between training checkpoints; by default about CHECKPOINT_SECONDS (adapter-piece.ts) of estimated work. */
  checkpointEvery?: number;
  /** When set, a training run estimated over CONFIRM_SECONDS is refused, saying how to confirm it (CLI: "pass --yes"). */
  confirmLongRuns?: string;
  /**
   * 'augment': make (or find) the datasets and augmentations only, no training or scoring: a piece of the
   * experiment, which a later full run of the same spec finds in the store (the Learn step's Augment).
   */
  stopAfter?: 'augment';
}

export interface ExperimentOutcome {
  key: string;
  results: EvalResult[];
  summary: Summary;
  /** How many results came from the store. */
  cached: number;
}

/** One run of an experiment: what every seed's pieces are made with, and where they are reported. */
interface Run {
  spec: ExperimentSpec;
  env: ExperimentEnv;
  options: RunExperimentOptions;
  journal: ExperimentJournal;
  control: TrainControl;
  signal: AbortSignal;
  emit(event: ExperimentEvent): void;
}

interface Scored {
  condition: string;
  result: EvalResult;
  cached: boolean;
}

export async function runExperiment(spec: ExperimentSpec, env: ExperimentEnv, options: RunExperimentOptions = {}): Promise<ExperimentOutcome> {
  const key = await experimentKey(spec);
  const control = options.control ?? new TrainControl();
  // One signal for every stage; an outside abort also ends the training loop at its next step.
  const signal = options.signal ? AbortSignal.any([options.signal, control.signal]) : control.signal;
  const stopTraining = () => control.cancel();
  options.signal?.addEventListener('abort', stopTraining, { once: true });
  const journal = new ExperimentJournal(env.store, key, spec, options.stopAfter);
  const run: Run = { spec, env, options, journal, control, signal, emit: (event) => options.onEvent?.(event) };
  try {
    await journal.save();
    await journal.log('info', `experiment "${spec.name}" started`);
    const scored = new Map<number, Scored[]>();
    for (const seed of spec.seeds) scored.set(seed, await runSeed(run, seed));
    // A run that stops after the augmentations has no results.
    const ordered = spec.seeds.flatMap((seed) => spec.conditions.flatMap((c) => scored.get(seed)!.find((s) => s.condition === c) ?? []));
    const results = ordered.map((s) => s.result);
    const fromCache = ordered.filter((s) => s.cached).length;
    const summary = summarize(results, { ceiling: (condition) => conditionInfo(condition).ceiling });
    await journal.save({ status: 'done', stage: 'done' });
    await journal.log('info', `experiment "${spec.name}" done: ${results.length} results, ${fromCache} from the store`);
    return { key, results, summary, cached: fromCache };
  } catch (err) {
    const cancelled = signal.aborted;
    const message = cancelled ? 'cancelled' : ((err as Error)?.message ?? String(err));
    // The store may be what failed: the run's own error is the one to report.
    await journal
      .save(cancelled ? { status: 'cancelled' } : { status: 'failed', error: message })
      .then(() => journal.log(cancelled ? 'warn' : 'error', `experiment "${spec.name}" ${cancelled ? 'cancelled' : 'failed'} at ${journal.record.stage}: ${message}`))
      .catch(() => undefined);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stopTraining);
  }
}

/** A seed's dataset, the base and ICL results, the augmentations, then each training set's adapter and results. */
async function runSeed(run: Run, seed: number): Promise<Scored[]> {
  const { spec, env, journal, options } = run;
  const dataset = await datasetFor(run, seed);
  await journal.own('datasets', dataset.key);
  const piecesOnly = options.stopAfter === 'augment';
  const scored: Scored[] = [];
  for (const condition of spec.conditions.filter((c) => !piecesOnly && !conditionInfo(c).adapted))
    scored.push(await score(run, dataset, seed, condition, null, () => env.base()));

  const plans = trainingPlans(spec);
  const augmentations = new Map<AugmentMode, Augmentation>();
  for (const mode of new Set(plans.flatMap((p) => p.modes))) augmentations.set(mode, await augmentationFor(run, dataset, mode, seed));
  if (piecesOnly) return scored;
  for (const plan of plans) scored.push(...(await trainAndScore(run, dataset, seed, plan, augmentations)));
  return scored;
}

/** The dataset the spec names by hash (an imported or edited one, read from the store), else the one its seed generates. */
async function datasetFor(run: Run, seed: number): Promise<DatasetPiece> {
  const { spec, env } = run;
  const report = reportFor(run, 'dataset', seed, spec.dataset.kind);
  const named = spec.dataset.hash;
  if (named === undefined) return datasetPiece(seedDataset(spec, seed), { store: env.store, report });
  const found = await env.store.get('datasets', named);
  if (!found) throw new Error(`the experiment's dataset ${named.slice(0, 12)} is not in the store`);
  await report.cached?.(named);
  return { dataset: found.dataset, key: named };
}

/** Reports a piece as the run's stage events and log lines, and its stage in the record. */
function reportFor(run: Run, stage: ExperimentStage, seed: number, label: string): PieceReport {
  const what = `seed ${seed} · ${stage} ${label}`;
  return {
    async cached(key) {
      run.emit({ type: 'stage', stage, seed, label, status: 'cached', key });
      await run.journal.log('info', `${what}: from the store (${key.slice(0, 12)})`);
    },
    async start(key) {
      await run.journal.save({ stage: `seed ${seed}: ${stage} ${label}` });
      run.emit({ type: 'stage', stage, seed, label, status: 'start', key });
    },
    async done(key) {
      run.emit({ type: 'stage', stage, seed, label, status: 'done', key });
      await run.journal.log('info', `${what}: done (${key.slice(0, 12)})`);
    },
    progress: (p) => run.emit({ type: 'progress', stage, seed, label, done: p.done, total: p.total }),
  };
}

async function augmentationFor(run: Run, dataset: DatasetPiece, mode: AugmentMode, seed: number): Promise<Augmentation> {
  const { spec, env, journal, signal } = run;
  const { settings, generator } = augmentInputs(spec, mode);
  const piece = await augmentationPiece(
    { dataset, mode, settings, seed, generator: generator === null ? null : { key: generator, model: () => env.base() } },
    {
      store: env.store,
      signal,
      report: reportFor(run, 'augment', seed, mode),
      onGeneration: ({ source, text }) => run.emit({ type: 'generation', seed, mode, source, text }),
    },
  );
  await journal.own('augmentations', piece.key);
  if (piece.augmentation.sentences.length === 0)
    await journal.log('warn', `seed ${seed} · augment ${mode}: no sentence was kept, so its conditions train on the documents alone`);
  return piece.augmentation;
}

async function score(
  run: Run,
  dataset: DatasetPiece,
  seed: number,
  condition: string,
  adapter: string | null,
  scorer: () => Promise<LanguageModel>,
): Promise<Scored> {
  const { spec, env, journal, signal } = run;
  const piece = await resultPiece({ dataset, model: modelKey(spec), condition, adapter, template: spec.template, seed }, scorer, {
    store: env.store,
    signal,
    report: reportFor(run, 'evaluate', seed, condition),
  });
  await journal.own('results', piece.key);
  run.emit({ type: 'result', seed, condition, result: piece.result, cached: piece.cached });
  return { condition, result: piece.result, cached: piece.cached };
}

/** One training set: its adapter (trained, resumed or read) only when a result needs it, then its conditions' results. */
async function trainAndScore(run: Run, dataset: DatasetPiece, seed: number, plan: TrainingPlan, augmentations: Map<AugmentMode, Augmentation>): Promise<Scored[]> {
  const { spec, env, options, journal, control } = run;
  const { store } = env;
  const examples = trainingExamples(dataset.dataset, {
    splitting: plan.splitting,
    augmentations: plan.modes.map((m) => keptAugmentation(spec, augmentations.get(m)!)),
  });
  const inputs = { datasetHash: dataset.key, model: modelKey(spec), params: trainParams(spec, seed), examples };
  const adapterKey = await adapterKeyOf(inputs);
  const label = plan.conditions.join(', ');
  const report = reportFor(run, 'train', seed, label);
  const storedResults = new Set(await store.keys('results'));
  const resultKeys = await Promise.all(
    plan.conditions.map((condition) => resultKeyOf({ ...inputs, condition, adapter: adapterKey, template: spec.template, seed })),
  );
  const adapterStored = (await store.keys('adapters')).includes(adapterKey);
  let adapter: LoraAdapter | undefined;
  // A fully cached training set never touches the engine.
  if (resultKeys.some((k) => !storedResults.has(k))) {
    const piece = await adapterPiece(inputs, env, {
      store,
      control,
      report,
      checkpointEvery: options.checkpointEvery,
      refuseLongRuns: options.confirmLongRuns,
      onPrepared: ({ examples, length, totalSteps, estimate }) =>
        run.emit({ type: 'train-plan', seed, label, examples: examples.length, length, totalSteps, estimateSeconds: estimate.seconds, estimateBytes: estimate.bytes, device: env.device }),
      async onResume(checkpoint) {
        run.emit({ type: 'resume', stage: 'train', seed, label, step: checkpoint.step, totalSteps: checkpoint.totalSteps });
        await journal.log('info', `seed ${seed} · train ${label}: resuming from the checkpoint of step ${checkpoint.step}`);
      },
      onStep: (progress) => run.emit({ type: 'train-step', seed, label, progress }),
    });
    adapter = piece.adapter;
  } else if (adapterStored) await report.cached?.(adapterKey);

  let loaded: { model: LanguageModel; dispose(): Promise<void> } | undefined;
  const scored: Scored[] = [];
  try {
    for (const condition of plan.conditions)
      scored.push(
        await score(run, dataset, seed, condition, adapterKey, async () => {
          loaded ??= await env.adapted(adapter!, adapterKey);
          return loaded.model;
        }),
      );
  } finally {
    await loaded?.dispose();
  }
  if (adapter || adapterStored) await journal.own('adapters', adapterKey);
  return scored;
}
