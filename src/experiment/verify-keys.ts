/**
 * Checks that every record an experiment carries sits under the key its inputs give, recomputed the way
 * the runner computes it (piece-keys.ts): the experiment from its spec, each dataset by regenerating it
 * from the spec, each augmentation, adapter and result from the spec, its seed and the pieces it was made
 * from. A record edited by hand, or moved from another experiment, no longer matches and is named.
 */
import type { Augmentation } from '../augment/augmentation.ts';
import { serializeDataset, type Dataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import { conditionInfo } from '../eval/conditions.ts';
import type { EvalResult } from '../eval/result.ts';
import { contentKey } from './content-keys.ts';
import { trainingExamples } from '../train/examples.ts';
import { adapterKey, augmentInputs, augmentationKey, experimentKey, keptAugmentation, resultKey, trainingPlans } from './piece-keys.ts';
import { seedDataset, type ExperimentSpec } from './spec.ts';

export interface CarriedPieces {
  datasets: { key: string; dataset: Dataset }[];
  augmentations: { key: string; augmentation: Augmentation }[];
  adapters: { key: string; config: string; training: { examples: number } }[];
  results: { key: string; result: EvalResult }[];
}

/** Raised with the record's place in the bundle ("results[2]") and what does not match. */
export class KeyMismatch extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

interface SeedPieces {
  dataset: Dataset;
  hash: string;
  /** Adapter key -> what it was trained on, for the training sets whose augmentations the bundle carries. */
  adapters: Map<string, { examples: number; conditions: string[] }>;
}

export async function verifyPieceKeys(experiment: { key: string; spec: ExperimentSpec }, pieces: CarriedPieces): Promise<void> {
  const { spec } = experiment;
  if ((await experimentKey(spec)) !== experiment.key)
    throw new KeyMismatch('experiment', 'its key is not the content key of its spec (the spec was changed)');

  const carriedAugmentations = new Map(pieces.augmentations.map((r) => [r.key, r.augmentation]));
  const seeds = new Map<number, SeedPieces>();
  for (const seed of spec.seeds) {
    const named = spec.dataset.hash && pieces.datasets.find((d) => d.key === spec.dataset.hash);
    if (spec.dataset.hash && !named) throw new KeyMismatch('datasets', `the bundle does not carry the experiment's dataset ${spec.dataset.hash.slice(0, 12)}`);
    // A carried dataset's key is checked against its content before this (bundle.ts).
    const dataset = named ? named.dataset : seedDataset(spec, seed);
    const hash = named ? named.key : await sha256Hex(serializeDataset(dataset));
    const adapters = new Map<string, { examples: number; conditions: string[] }>();
    for (const plan of trainingPlans(spec)) {
      const used = await Promise.all(plan.modes.map(async (mode) => carriedAugmentations.get(await augmentationKey(spec, hash, mode, seed))));
      if (used.some((a) => a === undefined)) continue; // its adapter cannot be in the bundle either
      const kept = (used as Augmentation[]).map((augmentation) => keptAugmentation(spec, augmentation));
      const examples = trainingExamples(dataset, { splitting: plan.splitting, augmentations: kept });
      // Two plans can train on the same examples (no augmentation kept, or documents of one sentence): one adapter.
      const key = await adapterKey(spec, hash, seed, examples);
      const shared = adapters.get(key);
      adapters.set(key, { examples: examples.length, conditions: [...(shared?.conditions ?? []), ...plan.conditions] });
    }
    seeds.set(seed, { dataset, hash, adapters });
  }
  const seedOf = (where: string, seed: number, datasetHash: string): SeedPieces => {
    const found = seeds.get(seed);
    if (!found) throw new KeyMismatch(where, `made for seed ${seed}, which is not one of the experiment's seeds`);
    if (found.hash !== datasetHash) throw new KeyMismatch(where, `made from dataset ${datasetHash.slice(0, 12)}, not the one the spec generates for seed ${seed}`);
    return found;
  };
  const mismatch = (where: string, what: string) =>
    new KeyMismatch(where, `its key is not the one its inputs give (${what}): the record was edited or belongs to another experiment`);

  const generated = new Set([...seeds.values()].map((s) => s.hash));
  pieces.datasets.forEach((record, i) => {
    if (!generated.has(record.key)) throw new KeyMismatch(`datasets[${i}]`, "not a dataset the experiment's spec generates (or names) for any of its seeds");
  });

  for (const [i, { key, augmentation }] of pieces.augmentations.entries()) {
    const where = `augmentations[${i}]`;
    const { hash } = seedOf(where, augmentation.seed, augmentation.dataset.hash);
    const what = `seed ${augmentation.seed}, mode ${augmentation.mode}`;
    if (key !== (await augmentationKey(spec, hash, augmentation.mode, augmentation.seed))) throw mismatch(where, what);
    if ((await contentKey(augmentation.settings)) !== (await contentKey(augmentInputs(spec, augmentation.mode).settings)))
      throw new KeyMismatch(where, `its settings are not the experiment's ${augmentation.mode} settings`);
  }

  const trainedBy = new Map([...seeds.values()].flatMap((s) => [...s.adapters]));
  for (const [i, record] of pieces.adapters.entries()) {
    const where = `adapters[${i}]`;
    const trained = trainedBy.get(record.key);
    if (!trained) throw new KeyMismatch(where, "its key matches none of the experiment's training sets (the record or the augmentations it was trained on were edited)");
    if (record.training.examples !== trained.examples)
      throw new KeyMismatch(where, `it says it trained on ${record.training.examples} examples, but its training set has ${trained.examples}`);
    const config = JSON.parse(record.config) as { r?: unknown; lora_alpha?: unknown };
    if (config.r !== spec.train.rank || config.lora_alpha !== spec.train.alpha)
      throw new KeyMismatch(where, `adapter_config.json has rank ${config.r} and alpha ${config.lora_alpha}, the experiment trains rank ${spec.train.rank} and alpha ${spec.train.alpha}`);
  }

  for (const [i, { key, result }] of pieces.results.entries()) {
    const where = `results[${i}]`;
    const { hash, adapters } = seedOf(where, result.seed, result.dataset.hash);
    const what = `seed ${result.seed}, condition ${result.condition}`;
    if (!(spec.conditions as readonly string[]).includes(result.condition)) throw new KeyMismatch(where, `condition ${result.condition} is not one of the experiment's conditions`);
    let adapter: string | null = null;
    if (conditionInfo(result.condition).adapted) {
      const found = [...adapters].find(([, a]) => a.conditions.includes(result.condition));
      if (!found) throw new KeyMismatch(where, `${what}: the bundle does not carry the augmentations its adapter was trained on`);
      adapter = found[0];
    }
    if (key !== (await resultKey(spec, hash, result.condition, result.seed, adapter)) || result.template !== spec.template) throw mismatch(where, what);
  }
}
