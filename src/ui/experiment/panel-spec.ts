/**
 * The experiment the Learn step's Experiment panel describes: its seeds read from the text a student
 * types, and the spec its choices make, or the one line that says what keeps them from making one.
 */
import { KINDS } from '../../data/generate.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec, type ExperimentSpec } from '../../experiment/spec.ts';
import type { DatasetChoice } from '../url-state.ts';

/** "1, 2 3" → [1, 2, 3], repeats dropped; undefined when empty or any part is not a whole number. */
export function parseSeedList(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v) => !Number.isInteger(v))) return undefined;
  return [...new Set(values)];
}

export interface PanelChoices extends Pick<ExperimentSpec, 'model' | 'conditions' | 'template' | 'train' | 'splitting' | 'augment'> {
  /** The kind, preset and parameters of the dataset made in Data; each seed makes its own. */
  dataset: DatasetChoice;
  /** parseSeedList's reading of the seeds field. */
  seeds: number[] | undefined;
}

export function panelExperiment(choices: PanelChoices): { spec?: ExperimentSpec; problem?: string } {
  const { dataset, seeds, conditions } = choices;
  if (!seeds) return { problem: 'Seeds: whole numbers separated by commas, such as "1, 2".' };
  if (conditions.length === 0) return { problem: 'Choose at least one condition.' };
  try {
    return {
      spec: parseExperimentSpec({
        format: EXPERIMENT_FORMAT,
        name: `${KINDS.find((k) => k.kind === dataset.kind)?.title ?? dataset.kind} (${dataset.preset})`,
        dataset: { kind: dataset.kind, preset: dataset.preset, params: dataset.params },
        model: choices.model,
        conditions,
        seeds,
        template: choices.template,
        train: choices.train,
        splitting: choices.splitting,
        augment: choices.augment,
      }),
    };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}
