/**
 * How many pieces each stage of an experiment makes or finds in the store, so a stage's progress bar
 * knows its end before the runner reaches it: a dataset per seed, each augmentation mode its conditions
 * need per seed, an adapter per distinct training set per seed, a result per condition per seed.
 */
import { conditionInfo } from '../../eval/conditions.ts';
import type { ExperimentStage } from '../../experiment/runner.ts';
import type { ExperimentSpec } from '../../experiment/spec.ts';

export const STAGES: readonly ExperimentStage[] = ['dataset', 'augment', 'train', 'evaluate'];

export function expectedPieces(spec: Pick<ExperimentSpec, 'conditions' | 'seeds'>): Record<ExperimentStage, number> {
  const adapted = spec.conditions.map(conditionInfo).filter((info) => info.adapted);
  const modes = new Set(adapted.flatMap((info) => info.augmentations));
  // Conditions with the same splitting and augmentations train on the same set: one adapter serves them.
  const trainingSets = new Set(adapted.map((info) => JSON.stringify([info.splitSentences, [...info.augmentations]])));
  const seeds = spec.seeds.length;
  return { dataset: seeds, augment: seeds * modes.size, train: seeds * trainingSets.size, evaluate: seeds * spec.conditions.length };
}
