/** The Augment panel's run: the augmentation piece of a dataset, from the store when the same one was made before. */
import { validateSettings } from '../augment/augmentation.ts';
import { augmentationPiece } from '../experiment/augmentation-piece.ts';
import { datasetPiece } from '../experiment/dataset-piece.ts';
import { modelKey } from '../experiment/piece-keys.ts';
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
  const writer = spec.mode === 'oracle' ? null : held();
  const store = await labStore();
  return busy(async () => {
    const dataset = await datasetPiece(spec.dataset, { store });
    // The same piece an experiment on this dataset and model makes: either finds the other's in the store.
    const { key, augmentation, cached } = await augmentationPiece(
      {
        dataset,
        mode: spec.mode,
        settings,
        seed: spec.seed,
        generator: writer && { key: modelKey({ model: writer.loaded }), model: async () => writer.model },
      },
      {
        store,
        signal: controller.signal,
        report: { progress: progressRelay(report, checkHalt) },
        onGeneration: ({ source, text }) => report({ type: 'generation', source, text }),
      },
    );
    return { key, augmentation, cached };
  });
}
