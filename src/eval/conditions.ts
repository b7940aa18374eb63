/**
 * The one list of evaluation conditions: what each puts before a test prompt, and, for the fine-tuned
 * ones, what the LoRA adapter scoring it was trained on. The caller trains and loads that model;
 * evaluate() only builds the context.
 */
import type { AugmentMode } from '../augment/augmentation.ts';

export interface ConditionInfo {
  description: string;
  /** Whether the dataset's training documents are placed in the context. */
  trainingInContext: boolean;
  /** Whether the scoring model carries an adapter fine-tuned on the training documents. */
  adapted: boolean;
  /** Augmentations whose sentences are added to the fine-tuning set (each sentence its own example). */
  augmentations: readonly AugmentMode[];
  /** Whether the training documents are split into sentences (which way is a setting of the experiment). */
  splitSentences: boolean;
  /** Written by rules, not by the model: an upper bound, labelled "ceiling" wherever it is shown. */
  ceiling: boolean;
}

const plain = { trainingInContext: false, adapted: false, augmentations: [], splitSentences: false, ceiling: false } as const;
const tuned = { ...plain, adapted: true } as const;

export const CONDITIONS = {
  base: { ...plain, description: 'the test prompt alone: what the model knows without the facts' },
  icl: { ...plain, trainingInContext: true, description: 'in-context learning: the training documents, then the test prompt' },
  ft: { ...tuned, description: 'fine-tuning: the test prompt alone, scored with a LoRA adapter trained on the documents' },
  'ft+local': {
    ...tuned,
    augmentations: ['local'],
    description: "fine-tuning on the documents plus the model's own rephrasings and inferences from each sentence alone",
  },
  'ft+global': {
    ...tuned,
    augmentations: ['global'],
    description: "fine-tuning on the documents plus the model's inferences linking each document to the others in context",
  },
  'ft+local+global': {
    ...tuned,
    augmentations: ['local', 'global'],
    description: 'fine-tuning on the documents plus both local and global augmentations',
  },
  'ft+oracle': {
    ...tuned,
    augmentations: ['oracle'],
    ceiling: true,
    description: 'fine-tuning on the documents plus every inference written out by rules (a ceiling, not the model’s own work)',
  },
  'ft-split': {
    ...tuned,
    splitSentences: true,
    description: 'fine-tuning on the documents split into sentences (independent or cumulative examples)',
  },
} as const satisfies Record<string, ConditionInfo>;

export type Condition = keyof typeof CONDITIONS;

export const CONDITION_NAMES = Object.keys(CONDITIONS) as Condition[];

export function conditionInfo(name: string): ConditionInfo {
  if (!Object.hasOwn(CONDITIONS, name))
    throw new Error(`unknown condition "${name}" (one of: ${CONDITION_NAMES.join(', ')})`);
  return CONDITIONS[name as Condition];
}

/** The augmentations a condition trains on that are not made yet: it can run once there are none. */
export function missingAugmentations(condition: Condition, made: Partial<Record<AugmentMode, unknown>>): AugmentMode[] {
  return CONDITIONS[condition].augmentations.filter((mode) => made[mode] === undefined);
}
