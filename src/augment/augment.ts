/**
 * One entry for every augmentation mode: generate (or, for oracle, derive by rule), split into sentences,
 * filter, and record what produced the result. Oracle sentences are deduplicated but not test-filtered:
 * they are the ceiling, the inferences written out by rule.
 */
import { serializeDataset, type Dataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import type { LanguageModel } from '../model/language-model.ts';
import {
  AUGMENTATION_FORMAT,
  validateSettings,
  type AugmentMode,
  type AugmentSettings,
  type Augmentation,
  type AugmentedSentence,
} from './augmentation.ts';
import type { AugmentOptions, Generation } from './generations.ts';
import { generateGlobal } from './global.ts';
import { generateLocal } from './local.ts';
import { oracleSentences } from './oracle.ts';
import { filterSentences, normalizeSentence, splitSentences } from './sentences.ts';

export type { AugmentOptions } from './generations.ts';

/** Every sentence of every generation, with the generation's source document. */
export function candidateSentences(generations: readonly Generation[]): AugmentedSentence[] {
  return generations.flatMap((g) => splitSentences(g.text).map((text) => ({ text, source: g.source })));
}

function dedupe(sentences: readonly AugmentedSentence[]): { kept: AugmentedSentence[]; dropped: Record<string, number> } {
  const seen = new Set<string>();
  const kept = sentences.filter((s) => {
    const key = normalizeSentence(s.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const duplicates = sentences.length - kept.length;
  return { kept, dropped: duplicates ? { duplicate: duplicates } : {} };
}

function needModel(model: LanguageModel | null, mode: AugmentMode): LanguageModel {
  if (!model) throw new Error(`${mode} augmentation needs a model to write it`);
  return model;
}

export async function augment(
  dataset: Dataset,
  mode: AugmentMode,
  model: LanguageModel | null,
  settings: AugmentSettings,
  options: AugmentOptions,
): Promise<Augmentation> {
  const started = new Date();
  const t0 = performance.now();
  const head: Pick<Augmentation, 'format' | 'dataset' | 'seed' | 'pruned'> = {
    format: AUGMENTATION_FORMAT,
    dataset: { kind: dataset.kind, seed: dataset.seed, hash: await sha256Hex(serializeDataset(dataset)) },
    seed: options.seed,
    pruned: 0,
  };
  const timing = () => ({ started: started.toISOString(), seconds: (performance.now() - t0) / 1000 });
  const modelKey = (m: LanguageModel) => `${m.id}@${m.dtype}`;

  switch (mode) {
    case 'local': {
      const generator = needModel(model, mode);
      const local = validateSettings(mode, settings);
      const { kept, dropped } = filterSentences(candidateSentences(await generateLocal(dataset, generator, local, options)), dataset);
      return { ...head, mode, model: modelKey(generator), settings: local, sentences: kept, dropped, notes: [], timing: timing() };
    }
    case 'global': {
      const generator = needModel(model, mode);
      const global = validateSettings(mode, settings);
      const { generations, notes } = await generateGlobal(dataset, generator, global, options);
      const { kept, dropped } = filterSentences(candidateSentences(generations), dataset);
      return { ...head, mode, model: modelKey(generator), settings: global, sentences: kept, dropped, notes, timing: timing() };
    }
    case 'oracle': {
      validateSettings(mode, settings);
      const { kept, dropped } = dedupe(oracleSentences(dataset));
      return { ...head, mode, model: null, settings: {}, sentences: kept, dropped, notes: [], timing: timing() };
    }
  }
}

/** The augmentation without the sentences at `removed` (indexes into its sentences), counted as pruned. */
export function pruneAugmentation(augmentation: Augmentation, removed: Iterable<number>): Augmentation {
  const drop = new Set(removed);
  for (const i of drop)
    if (!Number.isInteger(i) || i < 0 || i >= augmentation.sentences.length)
      throw new RangeError(`cannot prune sentence ${i}: the augmentation has ${augmentation.sentences.length} sentences`);
  return {
    ...augmentation,
    sentences: augmentation.sentences.filter((_, i) => !drop.has(i)),
    pruned: augmentation.pruned + drop.size,
  };
}
