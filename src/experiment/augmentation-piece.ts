/**
 * The augmentation piece: sentences the model infers from a dataset's documents (or the oracle's, by
 * rule), stored under the key of the dataset, the generator, the mode, its settings and the seed.
 */
import { augment } from '../augment/augment.ts';
import type { Augmentation, AugmentMode, AugmentSettings } from '../augment/augmentation.ts';
import type { Generation } from '../augment/generations.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { DatasetPiece } from './dataset-piece.ts';
import { savedNow, storedOrMade, type PieceContext } from './piece.ts';
import { augmentationKeyOf } from './piece-keys.ts';

export interface AugmentationInputs {
  dataset: DatasetPiece;
  mode: AugmentMode;
  settings: AugmentSettings;
  seed: number;
  /** The model that writes the sentences (its modelKey, and how to load it), or null for the oracle's rules. */
  generator: { key: string; model(): Promise<LanguageModel> } | null;
}

export interface AugmentationPiece {
  augmentation: Augmentation;
  key: string;
  cached: boolean;
}

export async function augmentationPiece(
  inputs: AugmentationInputs,
  context: PieceContext & { onGeneration?: (generation: Generation) => void } = {},
): Promise<AugmentationPiece> {
  const { dataset, mode, settings, seed, generator } = inputs;
  const { store } = context;
  const key = await augmentationKeyOf({ datasetHash: dataset.key, generator: generator?.key ?? null, mode, settings, seed });
  const { value, cached } = await storedOrMade(
    key,
    context.report,
    async () => (await store?.get('augmentations', key))?.augmentation,
    async () => {
      const made = await augment(dataset.dataset, mode, generator && (await generator.model()), settings, {
        seed,
        signal: context.signal,
        onProgress: context.report?.progress,
        onGeneration: context.onGeneration,
      });
      await store?.put('augmentations', { key, augmentation: made, savedAt: savedNow() });
      return made;
    },
  );
  return { augmentation: value, key, cached };
}
