/**
 * The experiments glon ships: the canonical small study of `npm run reproduce` (the paper's four data
 * families, its main conditions, five seeds, on the embedded stories260K) and the page's Demo.
 */
import type { Dtype } from '../model/language-model.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec, type ExperimentSpec } from './spec.ts';

const STORIES = { id: 'stories260K', dtype: 'fp32' } as const;

/** The paper's kinds, in the order its findings are told. */
export const CANONICAL_KINDS = ['reversal', 'syllogism', 'hierarchy', 'celebrity'] as const;

export const CANONICAL_STUDY: readonly ExperimentSpec[] = CANONICAL_KINDS.map((kind) =>
  parseExperimentSpec({
    format: EXPERIMENT_FORMAT,
    name: `canonical study: ${kind}`,
    dataset: { kind, preset: 'small' },
    model: STORIES,
    conditions: ['base', 'icl', 'ft', 'ft+local', 'ft+global', 'ft+oracle'],
    // Five: the fewest seeds whose spread gives an interval for this kind of dataset (src/eval/t-interval.ts).
    seeds: [1, 2, 3, 4, 5],
  }),
);

/**
 * The page's Demo: one seed, the conditions that tell the story, sized for a talk: half the small
 * preset's facts and one local sample per sentence (the full Demo measured 2.5-4 min in a tab on 2 cores).
 */
export const DEMO_EXPERIMENT: ExperimentSpec = parseExperimentSpec({
  format: EXPERIMENT_FORMAT,
  name: 'demo: simple reversals',
  dataset: { kind: 'reversal', preset: 'small', params: { facts: 12 } },
  model: STORIES,
  conditions: ['base', 'icl', 'ft', 'ft+local', 'ft+oracle'],
  seeds: [1],
  augment: { local: { samples: 1 } },
});

/** The same experiment on another model (a folder name or hub id); every key changes with it. */
export function withModel(spec: ExperimentSpec, id: string, dtype: Dtype = spec.model.dtype): ExperimentSpec {
  return parseExperimentSpec({ ...spec, model: { id, dtype } });
}
