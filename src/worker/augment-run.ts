/** The Augment panel's run: sentences about a dataset's documents, from the store when the same ones were made before. */
import { augment } from '../augment/augment.ts';
import { validateSettings } from '../augment/augmentation.ts';
import { serializeDataset } from '../data/format.ts';
import { sha256Hex } from '../data/hash.ts';
import { augmentationKeyOf, modelKey } from '../experiment/piece-keys.ts';
import { labStore } from './experiment-env.ts';
import type { HeldModel } from './load-model.ts';
import { haltChecker } from './halt-flag.ts';
import type { CommandFields } from './protocol.ts';
import { progressRelay, type RunTools } from './run-tools.ts';

export interface AugmentTools extends RunTools {
  /** The held model, which writes the sentences of every mode but oracle; throws when none is loaded. */
  held: () => Pick<HeldModel, 'model' | 'loaded'>;
}

export async function augmentRun({ spec, halt }: CommandFields<'augment'>, { controller, report, busy, held }: AugmentTools) {
  const checkHalt = haltChecker(halt, controller);
  const settings = validateSettings(spec.mode, spec.settings);
  const generator = spec.mode === 'oracle' ? null : held();
  const store = await labStore();
  const hash = await sha256Hex(serializeDataset(spec.dataset));
  // The runner's key for the same piece: an experiment on this dataset and model finds it in the store.
  const key = await augmentationKeyOf({
    datasetHash: hash,
    generator: generator && modelKey({ model: generator.loaded }),
    mode: spec.mode,
    settings,
    seed: spec.seed,
  });
  const found = await store.get('augmentations', key);
  if (found) return { key, augmentation: found.augmentation, cached: true };
  return busy(async () => {
    const augmentation = await augment(spec.dataset, spec.mode, generator?.model ?? null, settings, {
      seed: spec.seed,
      signal: controller.signal,
      onProgress: progressRelay(report, checkHalt),
      onGeneration: ({ source, text }) => report({ type: 'generation', source, text }),
    });
    const savedAt = new Date().toISOString();
    await store.putMany([
      { store: 'datasets', record: { key: hash, dataset: spec.dataset, savedAt } },
      { store: 'augmentations', record: { key, augmentation, savedAt } },
    ]);
    return { key, augmentation, cached: false };
  });
}
