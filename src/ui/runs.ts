/**
 * The evaluations made on this page, kept in App-level state: each remembers the dataset object it
 * scored, so the Compare step shows only runs of the dataset now loaded.
 */
import type { Dataset } from '../data/format.ts';
import type { EvalResult } from '../eval/result.ts';
import type { AdapterTraining } from '../experiment/store.ts';

export interface Run {
  dataset: Dataset;
  result: EvalResult;
  /** For an `ft` run: the training behind its adapter. */
  training?: AdapterTraining;
}

/** Runs that measure the same thing; a newer one replaces an older one. */
function sameSetup(a: EvalResult, b: EvalResult): boolean {
  return a.model === b.model && a.dtype === b.dtype && a.condition === b.condition && a.template === b.template && a.seed === b.seed;
}

export function addRun(runs: readonly Run[], run: Run): Run[] {
  return [...runs.filter((r) => r.dataset !== run.dataset || !sameSetup(r.result, run.result)), run];
}

/** How a run is named in charts: its condition, plus whatever tells it apart from the other runs shown. */
export function runLabel(result: EvalResult, shown: readonly EvalResult[]): string {
  const differ = (key: 'model' | 'dtype' | 'template' | 'seed') => new Set(shown.map((r) => r[key])).size > 1;
  const parts = [result.condition];
  if (differ('template')) parts.push(result.template);
  if (differ('model')) parts.push(result.model.split('/').pop()!);
  if (differ('dtype')) parts.push(result.dtype);
  if (differ('seed')) parts.push(`seed ${result.seed}`);
  return parts.join(' · ');
}
