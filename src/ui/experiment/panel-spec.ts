/**
 * The rules of the Learn step's Experiment panel: which seeds its count of datasets means, what keeps its
 * choices from making an experiment, and the name the experiment gets.
 */
import { kindTitle } from '../../data/generate.ts';
import type { Dataset } from '../../data/format.ts';

/** `count` datasets: the Data step's seed and the ones after it; undefined unless count is a whole number from 1 to 100. */
export function seedsFrom(first: number, count: number): number[] | undefined {
  if (!Number.isInteger(count) || count < 1 || count > 100) return undefined;
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The one line that says what keeps the panel's choices from making an experiment, or undefined. */
export function panelProblem(seeds: readonly number[] | undefined, conditions: readonly string[]): string | undefined {
  if (!seeds) return 'Seeds: how many, a whole number from 1 to 100.';
  if (conditions.length === 0) return 'Choose at least one condition.';
  return undefined;
}

/** "Simple reversals (small)": the dataset's kind as the page titles it, and its preset (or "imported"). */
export function experimentName(dataset: Pick<Dataset, 'kind' | 'params'>): string {
  return `${kindTitle(dataset.kind)} (${dataset.params.preset ?? 'imported'})`;
}
