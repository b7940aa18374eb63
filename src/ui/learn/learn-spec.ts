/**
 * The experiment a press of a Learn-step button runs. Its seeds start at the dataset's own seed, which
 * drives everything (the dataset, the augmentation, the adapter's initialisation, the documents ICL keeps),
 * so the page has one seed and a press shares its pieces with every other run on the same dataset. A
 * dataset its generator makes again from its kind, preset, parameters and seed is named by them; any other
 * (an edited or foreign file) by its content hash, and is sent along to be stored.
 */
import type { AugmentMode, GlobalSettings, LocalSettings } from '../../augment/augmentation.ts';
import { serializeDataset, type Dataset } from '../../data/format.ts';
import { generateDataset, kindTitle } from '../../data/generate.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { Condition } from '../../eval/conditions.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec, type ExperimentSpec } from '../../experiment/spec.ts';
import type { TrainSettings } from '../../train/settings.ts';
import { seedsFrom } from '../experiment/panel-spec.ts';
import { datasetChoice } from '../url-state.ts';

export interface LearnChoice {
  conditions: Condition[];
  /** The prompt template of the evaluations; `plain` by default. */
  template?: string;
  /** How many seeds, counted up from the dataset's (an Experiment over several datasets of its kind); 1 by default. */
  seeds?: number;
  train?: Partial<TrainSettings>;
  splitting?: ExperimentSpec['splitting'];
  augment?: { local: LocalSettings; global: GlobalSettings };
  prune?: Partial<Record<AugmentMode, number[]>>;
  /** The experiment's name; by default the dataset, its seed and the conditions. */
  name?: string;
}

export interface LearnRun {
  spec: ExperimentSpec;
  /** The dataset to store with the run, when the spec names it by its hash. */
  dataset?: Dataset;
}

/** Whether the dataset's generator makes exactly this dataset again from what a link states of it. */
function regenerable(dataset: Dataset): ReturnType<typeof datasetChoice> {
  const choice = datasetChoice(dataset);
  if (!choice) return undefined;
  try {
    const again = generateDataset({ kind: choice.kind, seed: dataset.seed, preset: choice.preset, params: choice.params });
    return serializeDataset(again) === serializeDataset(dataset) ? choice : undefined;
  } catch {
    return undefined;
  }
}

export async function learnSpec(dataset: Dataset, model: { id: string; dtype: ExperimentSpec['model']['dtype'] }, choice: LearnChoice): Promise<LearnRun> {
  const count = choice.seeds ?? 1;
  const seeds = seedsFrom(dataset.seed, count);
  if (!seeds) throw new Error(`seeds: how many, a whole number from 1 to 100, got ${count}`);
  const name = choice.name ?? `${kindTitle(dataset.kind)}, seed ${seeds.length > 1 ? `${seeds[0]}-${seeds.at(-1)}` : dataset.seed}: ${choice.conditions.join(', ')}`;
  const generated = regenerable(dataset);
  const common = {
    format: EXPERIMENT_FORMAT,
    name,
    model: { id: model.id, dtype: model.dtype },
    conditions: choice.conditions,
    seeds,
    template: choice.template,
    train: choice.train ?? {},
    splitting: choice.splitting,
    augment: choice.augment,
    prune: choice.prune,
  };
  if (generated)
    return { spec: parseExperimentSpec({ ...common, dataset: { kind: generated.kind, preset: generated.preset, params: generated.params } }) };
  if (count !== 1) throw new Error('this dataset was not made by a generator here (an imported file): an experiment on it has one seed');
  const hash = await sha256Hex(serializeDataset(dataset));
  const preset = dataset.params.preset === 'paper' ? 'paper' : 'small';
  return { spec: parseExperimentSpec({ ...common, dataset: { kind: dataset.kind, preset, hash } }), dataset };
}
