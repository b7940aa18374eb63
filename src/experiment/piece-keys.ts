/**
 * The content key of every piece an experiment makes, from the inputs that produce it. The runner looks
 * pieces up by these keys; a bundle import recomputes them, so a record whose content or inputs were
 * edited no longer matches its key.
 */
import { pruneAugmentation } from '../augment/augment.ts';
import type { Augmentation, AugmentMode } from '../augment/augmentation.ts';
import { sha256Hex } from '../util/hash.ts';
import { conditionInfo } from '../eval/conditions.ts';
import { RESULT_FORMAT } from '../eval/result.ts';
import { contentKey, pieceKey } from './content-keys.ts';
import type { TrainExample } from '../train/batches.ts';
import type { Splitting } from '../train/examples.ts';
import type { TrainParams } from '../train/settings.ts';
import type { ExperimentSpec } from './spec.ts';

/** A base model as keys name it: its id (a model folder's name, or a hub id) and the weights' dtype. */
export const modelKey = (spec: Pick<ExperimentSpec, 'model'>): string => `${spec.model.id}@${spec.model.dtype}`;

export function experimentKey(spec: ExperimentSpec): Promise<string> {
  return contentKey(spec);
}

/** The fine-tuning set a condition trains on: splitting and augmentations, which conditions may share. */
export interface TrainingPlan {
  splitting: Splitting;
  modes: AugmentMode[];
  conditions: string[];
}

export function trainingPlans(spec: ExperimentSpec): TrainingPlan[] {
  const plans = new Map<string, TrainingPlan>();
  for (const condition of spec.conditions) {
    const info = conditionInfo(condition);
    if (!info.adapted) continue;
    const splitting: Splitting = info.splitSentences ? spec.splitting : 'none';
    const modes = [...info.augmentations];
    const id = JSON.stringify([splitting, modes]);
    const plan = plans.get(id) ?? { splitting, modes, conditions: [] };
    plan.conditions.push(condition);
    plans.set(id, plan);
  }
  return [...plans.values()];
}

/** What an augmentation of `mode` is made with: the model's own generations, or the oracle's rules. */
export function augmentInputs(spec: ExperimentSpec, mode: AugmentMode) {
  return mode === 'oracle' ? { settings: {}, generator: null } : { settings: spec.augment[mode], generator: modelKey(spec) };
}

export function augmentationKey(spec: ExperimentSpec, datasetHash: string, mode: AugmentMode, seed: number): Promise<string> {
  const { settings, generator } = augmentInputs(spec, mode);
  return augmentationKeyOf({ datasetHash, generator, mode, settings, seed });
}

/** The same key from its inputs, for an augmentation made outside an experiment (the Learn step's Augment). */
export function augmentationKeyOf(inputs: { datasetHash: string; generator: string | null; mode: AugmentMode; settings: unknown; seed: number }): Promise<string> {
  const { datasetHash, generator, mode, settings, seed } = inputs;
  return pieceKey('augmenter', { dataset: datasetHash, model: generator, mode, settings, seed });
}

/** The sentences of an augmentation that fine-tuning adds: all but those the spec prunes. */
export function keptAugmentation(spec: Pick<ExperimentSpec, 'prune'>, augmentation: Augmentation): Augmentation {
  return pruneAugmentation(augmentation, spec.prune?.[augmentation.mode] ?? []);
}

export const trainParams = (spec: ExperimentSpec, seed: number): TrainParams => ({ ...spec.train, seed });

/** What an adapter is trained from, wherever it is trained (an experiment, `glon train`, the page). */
export interface AdapterInputs {
  datasetHash: string;
  /** modelKey of the base model. */
  model: string;
  params: TrainParams;
  examples: readonly TrainExample[];
}

export async function adapterKeyOf(inputs: AdapterInputs): Promise<string> {
  const { datasetHash, model, params, examples } = inputs;
  return pieceKey('trainer', { dataset: datasetHash, model, params, examples: await sha256Hex(JSON.stringify(examples)) });
}

export function adapterKey(spec: ExperimentSpec, datasetHash: string, seed: number, examples: TrainExample[]): Promise<string> {
  return adapterKeyOf({ datasetHash, model: modelKey(spec), params: trainParams(spec, seed), examples });
}

/** What a result is scored from, wherever it is scored (an experiment, `glon eval`, the page). */
export interface ResultInputs {
  datasetHash: string;
  /** modelKey of the base model. */
  model: string;
  condition: string;
  /** The adapter's key, for the fine-tuned conditions. */
  adapter: string | null;
  template: string;
  seed: number;
}

export function resultKeyOf(inputs: ResultInputs): Promise<string> {
  const { datasetHash, model, condition, adapter, template, seed } = inputs;
  // The format is part of the key: a result made under older rules is never read as a current one.
  return pieceKey('scorer', { format: RESULT_FORMAT, dataset: datasetHash, model, condition, adapter, template, seed });
}

export function resultKey(spec: ExperimentSpec, datasetHash: string, condition: string, seed: number, adapter: string | null): Promise<string> {
  return resultKeyOf({ datasetHash, model: modelKey(spec), condition, adapter, template: spec.template, seed });
}
