/**
 * Runs an experiment: for each seed, the dataset, the augmentations its conditions need, one LoRA adapter
 * per distinct training set, and an evaluation per condition. Every piece is named by a content key of its
 * inputs, looked up in the store first and written as soon as it exists (training also every few seconds as
 * a checkpoint), so a repeated run is all cache hits and an interrupted one resumes where it stood.
 * Runs the same in the page's worker and in Node: the environment supplies the models and the store.
 */
import type { Dataset } from '../data/format.ts';
import { serializeDataset } from '../data/format.ts';
import { generateDataset } from '../data/generate.ts';
import { sha256Hex } from '../data/hash.ts';
import type { LanguageModel, Progress } from '../model/language-model.ts';
import { augment } from '../augment/augment.ts';
import type { Augmentation, AugmentMode } from '../augment/augmentation.ts';
import { conditionInfo } from '../eval/conditions.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { EvalResult } from '../eval/result.ts';
import { decodeAdapter, encodeAdapter } from '../train/adapter-files.ts';
import type { EngineDevice } from '../train/backend.ts';
import { batchLength, tokenizeExamples, type TrainExample } from '../train/batches.ts';
import { TrainControl } from '../train/control.ts';
import { estimateTraining } from '../train/estimate.ts';
import { trainingExamples } from '../train/examples.ts';
import type { EngineModel } from '../train/load.ts';
import type { LoraAdapter } from '../train/lora.ts';
import { trainLora, type TrainProgress } from '../train/trainer.ts';
import { checkRunLength, checkTotalSteps, type TrainParams } from '../train/settings.ts';
import type { ExperimentRecord, GlonStore } from '../store/store.ts';
import { contentKey } from '../store/keys.ts';
import { adapterKey as pieceAdapterKey, augmentInputs, augmentationKey, experimentKey, keptAugmentation, resultKey, trainParams, trainingPlans } from './piece-keys.ts';
import type { ExperimentSpec } from './spec.ts';
import { summarize, type Summary } from './summary.ts';

export interface ExperimentEnv {
  store: GlonStore;
  /** The base model (ONNX Runtime): base/icl scoring and the augmentation generator. Loaded once. */
  base(): Promise<LanguageModel>;
  /** jax-js weights + tokenizer for training. Loaded once. */
  engine(): Promise<EngineModel>;
  /** A LanguageModel scoring the base model with this adapter; disposed after use. */
  adapted(adapter: LoraAdapter, adapterKey: string): Promise<{ model: LanguageModel; dispose(): Promise<void> }>;
  device: EngineDevice;
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
  /** Steps between training checkpoints; by default about CHECKPOINT_SECONDS of estimated work. */
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

/** A killed run loses at most about this much training. */
export const CHECKPOINT_SECONDS = 5;

const now = () => new Date().toISOString();

export async function runExperiment(spec: ExperimentSpec, env: ExperimentEnv, options: RunExperimentOptions = {}): Promise<ExperimentOutcome> {
  const { store } = env;
  const key = await experimentKey(spec);
  const control = options.control ?? new TrainControl();
  // One signal for every stage; an outside abort also ends the training loop at its next step.
  const signal = options.signal ? AbortSignal.any([options.signal, control.signal]) : control.signal;
  const stopTraining = () => control.cancel();
  options.signal?.addEventListener('abort', stopTraining, { once: true });
  const emit = (event: ExperimentEvent) => options.onEvent?.(event);

  const record: ExperimentRecord = {
    key,
    spec,
    status: 'running',
    stage: 'starting',
    results: [],
    datasets: [],
    augmentations: [],
    adapters: [],
    ...(options.stopAfter ? { stopAfter: options.stopAfter } : {}),
    startedAt: now(),
    updatedAt: now(),
  };
  const saveRecord = (change: Partial<ExperimentRecord>) => {
    Object.assign(record, change, { updatedAt: now() });
    return store.put('experiments', structuredClone(record));
  };
  /** What the experiment made or reused, named in its record as soon as it exists (its bundle carries these). */
  const own = (list: 'datasets' | 'augmentations' | 'adapters' | 'results', pieceKey: string) => {
    if (!record[list].includes(pieceKey)) record[list].push(pieceKey);
    return saveRecord({});
  };
  let logged = 0;
  const log = async (level: 'info' | 'warn' | 'error', message: string) => {
    const at = now();
    await store.put('logs', { key: await contentKey({ experiment: key, at, n: logged++, message }), experiment: key, at, level, message });
  };

  async function announceCached(stage: ExperimentStage, seed: number, label: string, pieceKey: string): Promise<void> {
    emit({ type: 'stage', stage, seed, label, status: 'cached', key: pieceKey });
    await log('info', `seed ${seed} · ${stage} ${label}: from the store (${pieceKey.slice(0, 12)})`);
  }

  /** Looked up first; made, stored and announced otherwise. */
  async function cached<T>(
    stage: ExperimentStage,
    seed: number,
    label: string,
    pieceKey: string,
    lookup: () => Promise<T | undefined>,
    make: () => Promise<T>,
  ): Promise<T> {
    const found = await lookup();
    if (found !== undefined) {
      await announceCached(stage, seed, label, pieceKey);
      return found;
    }
    await saveRecord({ stage: `seed ${seed}: ${stage} ${label}` });
    emit({ type: 'stage', stage, seed, label, status: 'start', key: pieceKey });
    const made = await make();
    emit({ type: 'stage', stage, seed, label, status: 'done', key: pieceKey });
    await log('info', `seed ${seed} · ${stage} ${label}: done (${pieceKey.slice(0, 12)})`);
    return made;
  }

  const progress = (stage: ExperimentStage, seed: number, label: string) => (p: Progress) =>
    emit({ type: 'progress', stage, seed, label, done: p.done, total: p.total });

  async function datasetFor(seed: number): Promise<{ dataset: Dataset; hash: string }> {
    const named = spec.dataset.hash;
    if (named !== undefined) {
      const found = await store.get('datasets', named);
      if (!found) throw new Error(`the experiment's dataset ${named.slice(0, 12)} is not in the store`);
      await announceCached('dataset', seed, spec.dataset.kind, named);
      await own('datasets', named);
      return { dataset: found.dataset, hash: named };
    }
    const dataset = generateDataset({ kind: spec.dataset.kind, seed, preset: spec.dataset.preset, params: spec.dataset.params });
    const hash = await sha256Hex(serializeDataset(dataset));
    await cached(
      'dataset',
      seed,
      spec.dataset.kind,
      hash,
      async () => (await store.get('datasets', hash))?.dataset,
      async () => {
        await store.put('datasets', { key: hash, dataset, savedAt: now() });
        return dataset;
      },
    );
    await own('datasets', hash);
    return { dataset, hash };
  }

  async function augmentationFor(dataset: Dataset, hash: string, mode: AugmentMode, seed: number): Promise<Augmentation> {
    const { settings } = augmentInputs(spec, mode);
    const augKey = await augmentationKey(spec, hash, mode, seed);
    const augmentation = await cached(
      'augment',
      seed,
      mode,
      augKey,
      async () => (await store.get('augmentations', augKey))?.augmentation,
      async () => {
        const made = await augment(dataset, mode, mode === 'oracle' ? null : await env.base(), settings, {
          seed,
          signal,
          onProgress: progress('augment', seed, mode),
          onGeneration: ({ source, text }) => emit({ type: 'generation', seed, mode, source, text }),
        });
        await store.put('augmentations', { key: augKey, augmentation: made, savedAt: now() });
        return made;
      },
    );
    await own('augmentations', augKey);
    if (augmentation.sentences.length === 0)
      await log('warn', `seed ${seed} · augment ${mode}: no sentence was kept, so its conditions train on the documents alone`);
    return augmentation;
  }

  /** Trains (or resumes) the adapter of one training set and stores it; cancelled training stops the run. */
  async function train(examples: TrainExample[], params: TrainParams, adapterKey: string, seed: number, label: string): Promise<LoraAdapter> {
    const engine = await env.engine();
    const tokenized = tokenizeExamples(examples, engine.tokenizer, engine.weights.config.maxPositions);
    const length = batchLength(tokenized);
    const totalSteps = Math.ceil(tokenized.length / params.batchSize) * params.epochs;
    const estimate = estimateTraining({ config: engine.weights.config, batch: params.batchSize, length, steps: totalSteps, lora: params, device: env.device });
    if (!estimate.fits) throw new Error(estimate.message);
    checkTotalSteps(totalSteps);
    if (options.confirmLongRuns) checkRunLength(estimate.seconds, totalSteps, false, options.confirmLongRuns);
    const checkpointEvery = options.checkpointEvery ?? Math.max(1, Math.round(CHECKPOINT_SECONDS / estimate.secondsPerStep));
    emit({ type: 'train-plan', seed, label, examples: tokenized.length, length, totalSteps, estimateSeconds: estimate.seconds, estimateBytes: estimate.bytes, device: env.device });
    const resumeFrom = (await store.get('checkpoints', adapterKey))?.checkpoint;
    if (resumeFrom) {
      emit({ type: 'resume', stage: 'train', seed, label, step: resumeFrom.step, totalSteps: resumeFrom.totalSteps });
      await log('info', `seed ${seed} · train ${label}: resuming from the checkpoint of step ${resumeFrom.step}`);
    }
    const trained = await trainLora(engine.weights, tokenized, params, {
      control,
      resumeFrom,
      checkpointEvery,
      onCheckpoint: (checkpoint) => store.put('checkpoints', { key: adapterKey, checkpoint, savedAt: now() }),
      onStep: (p) => emit({ type: 'train-step', seed, label, progress: p }),
    });
    if (trained.status === 'cancelled') signal.throwIfAborted();
    const files = encodeAdapter(trained.adapter, engine.id);
    await store.put('adapters', {
      key: adapterKey,
      weights: files.weights,
      config: files.config,
      training: {
        status: trained.status,
        steps: trained.steps,
        totalSteps,
        losses: trained.losses,
        seconds: trained.seconds,
        device: env.device,
        examples: examples.length,
      },
      savedAt: now(),
    });
    await store.delete('checkpoints', adapterKey);
    return trained.adapter;
  }

  async function resultFor(
    dataset: Dataset,
    hash: string,
    condition: string,
    seed: number,
    adapterKey: string | null,
    scorer: () => Promise<LanguageModel>,
  ): Promise<{ result: EvalResult; cached: boolean }> {
    const pieceKey = await resultKey(spec, hash, condition, seed, adapterKey);
    let fromStore = false;
    const result = await cached(
      'evaluate',
      seed,
      condition,
      pieceKey,
      async () => {
        const found = (await store.get('results', pieceKey))?.result;
        fromStore = found !== undefined;
        return found;
      },
      async () => {
        const made = await evaluate(dataset, await scorer(), {
          condition,
          template: spec.template,
          seed,
          signal,
          onProgress: progress('evaluate', seed, condition),
        });
        await store.put('results', { key: pieceKey, result: made, savedAt: now() });
        return made;
      },
    );
    await own('results', pieceKey);
    emit({ type: 'result', seed, condition, result, cached: fromStore });
    return { result, cached: fromStore };
  }

  const results = new Map<string, EvalResult>();
  let fromCache = 0;
  const keep = (seed: number, condition: string, r: { result: EvalResult; cached: boolean }) => {
    results.set(`${seed}/${condition}`, r.result);
    if (r.cached) fromCache++;
  };

  try {
    await saveRecord({});
    await log('info', `experiment "${spec.name}" started`);
    const plans = trainingPlans(spec);
    for (const seed of spec.seeds) {
      const { dataset, hash } = await datasetFor(seed);

      const piecesOnly = options.stopAfter === 'augment';
      for (const condition of spec.conditions.filter((c) => !piecesOnly && !conditionInfo(c).adapted))
        keep(seed, condition, await resultFor(dataset, hash, condition, seed, null, () => env.base()));

      const augmentations = new Map<AugmentMode, Augmentation>();
      for (const mode of new Set(plans.flatMap((p) => p.modes))) augmentations.set(mode, await augmentationFor(dataset, hash, mode, seed));
      if (piecesOnly) continue;

      for (const plan of plans) {
        const examples = trainingExamples(dataset, {
          splitting: plan.splitting,
          augmentations: plan.modes.map((m) => keptAugmentation(spec, augmentations.get(m)!)),
        });
        const params = trainParams(spec, seed);
        const adapterKey = await pieceAdapterKey(spec, hash, seed, examples);
        const label = plan.conditions.join(', ');
        const storedResults = new Set(await store.keys('results'));
        const resultKeys = await Promise.all(plan.conditions.map((c) => resultKey(spec, hash, c, seed, adapterKey)));
        const adapterStored = (await store.keys('adapters')).includes(adapterKey);
        let adapter: LoraAdapter | undefined;
        // The adapter is read (or trained) only when a result needs it: a fully cached run never touches the engine.
        if (resultKeys.some((k) => !storedResults.has(k)))
          adapter = await cached(
            'train',
            seed,
            label,
            adapterKey,
            async () => {
              const saved = adapterStored ? await store.get('adapters', adapterKey) : undefined;
              return saved && decodeAdapter({ weights: saved.weights, config: saved.config }, (await env.engine()).weights.config);
            },
            () => train(examples, params, adapterKey, seed, label),
          );
        else if (adapterStored) await announceCached('train', seed, label, adapterKey);
        let loaded: { model: LanguageModel; dispose(): Promise<void> } | undefined;
        try {
          for (const condition of plan.conditions)
            keep(
              seed,
              condition,
              await resultFor(dataset, hash, condition, seed, adapterKey, async () => {
                loaded ??= await env.adapted(adapter!, adapterKey);
                return loaded.model;
              }),
            );
        } finally {
          await loaded?.dispose();
        }
        if (adapter || adapterStored) await own('adapters', adapterKey);
      }
    }

    const ordered = spec.seeds.flatMap((seed) => spec.conditions.flatMap((c) => results.get(`${seed}/${c}`) ?? []));
    const summary = summarize(ordered, { ceiling: (condition) => conditionInfo(condition).ceiling });
    await saveRecord({ status: 'done', stage: 'done' });
    await log('info', `experiment "${spec.name}" done: ${ordered.length} results, ${fromCache} from the store`);
    return { key, results: ordered, summary, cached: fromCache };
  } catch (err) {
    const cancelled = signal.aborted;
    const message = cancelled ? 'cancelled' : ((err as Error)?.message ?? String(err));
    // The store may be what failed: the run's own error is the one to report.
    await saveRecord(cancelled ? { status: 'cancelled' } : { status: 'failed', error: message })
      .then(() => log(cancelled ? 'warn' : 'error', `experiment "${spec.name}" ${cancelled ? 'cancelled' : 'failed'} at ${record.stage}: ${message}`))
      .catch(() => undefined);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stopTraining);
  }
}
