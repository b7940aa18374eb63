/**
 * Oracle augmentation: the inferences an ideal reasoner would write from a dataset's training text, derived
 * by each kind's own logic instead of by a model. An upper bound for what augmentation can give, labelled
 * "ceiling" wherever it is shown. It reads the training side only, never the test items.
 */
import type { Dataset } from '../data/format.ts';
import type { AugmentedSentence } from './augmentation.ts';
import { celebrityOracle } from './oracle/celebrity.ts';
import { familyOracle } from './oracle/family.ts';
import { hierarchyOracle } from './oracle/hierarchy.ts';
import { reversalOracle } from './oracle/reversal.ts';
import type { TrainingSide } from './oracle/shared.ts';
import { syllogismOracle } from './oracle/syllogism.ts';

const RULES: Record<string, (dataset: TrainingSide) => AugmentedSentence[]> = {
  reversal: reversalOracle,
  syllogism: syllogismOracle,
  hierarchy: hierarchyOracle,
  family: familyOracle,
  celebrity: celebrityOracle,
};

/** Each sentence with `source`, the earliest training document among those stating its premises. */
export function oracleSentences(dataset: Dataset): AugmentedSentence[] {
  const rules = Object.hasOwn(RULES, dataset.kind) ? RULES[dataset.kind] : undefined;
  if (!rules)
    throw new Error(`oracle augmentation has no rules for dataset kind "${dataset.kind}" (it has rules for: ${Object.keys(RULES).join(', ')})`);
  const { kind, params, lexicon, train } = dataset;
  return rules({ kind, params, lexicon, train });
}
