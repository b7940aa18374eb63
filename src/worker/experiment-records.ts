/** The stored experiments as the Storage panel and Compare see them: listed, opened, marked failed, deleted. */
import { conditionInfo } from '../eval/conditions.ts';
import type { EvalResult } from '../eval/result.ts';
import { summarize } from '../experiment/summary.ts';
import type { StoreName } from '../experiment/store.ts';
import { labStore } from './experiment-env.ts';
import type { ExperimentListing, OpenedExperiment } from './protocol.ts';
import { heldLocks, runLock } from './run-lock.ts';

export async function listExperiments(): Promise<ExperimentListing[]> {
  const store = await labStore();
  const held = await heldLocks();
  const records = await Promise.all((await store.keys('experiments')).map((key) => store.get('experiments', key)));
  return records
    .filter((record) => record !== undefined)
    .map((record) => ({ record, interrupted: record.status === 'running' && !held.has(runLock(record.key)) }))
    .sort((a, b) => b.record.updatedAt.localeCompare(a.record.updatedAt));
}

export async function openExperiment(key: string): Promise<OpenedExperiment> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) throw new Error(`no experiment ${key.slice(0, 12)} in this browser's store`);
  const present = <T>(values: (T | undefined)[]) => values.filter((v): v is T => v !== undefined);
  const results = present(await Promise.all(record.results.map(async (k) => (await store.get('results', k))?.result)));
  const datasets = present(await Promise.all(record.datasets.map((k) => store.get('datasets', k))));
  const augmentations = present(await Promise.all(record.augmentations.map(async (k) => (await store.get('augmentations', k))?.augmentation)));
  const trainings = present(await Promise.all(record.adapters.map(async (k) => (await store.get('adapters', k))?.training)));
  const order = (r: EvalResult) => record.spec.seeds.indexOf(r.seed) * record.spec.conditions.length + record.spec.conditions.indexOf(r.condition as never);
  results.sort((a, b) => order(a) - order(b));
  return {
    record,
    results,
    datasets: Object.fromEntries(datasets.map((d) => [d.key, d.dataset])),
    augmentations,
    trainings,
    summary: results.length > 0 ? await summarize(results, { ceiling: (c) => conditionInfo(c).ceiling }) : null,
  };
}

export async function markFailed(key: string): Promise<void> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) throw new Error(`no experiment ${key.slice(0, 12)} in this browser's store`);
  if (record.status !== 'running' || (await heldLocks()).has(runLock(key))) throw new Error('only an interrupted run can be marked failed');
  await store.put('experiments', {
    ...record,
    status: 'failed',
    error: `interrupted: the page was closed during "${record.stage}"`,
    updatedAt: new Date().toISOString(),
  });
}

/** Removes an experiment with its logs, and every piece of it no other experiment names. */
export async function deleteExperiment(key: string): Promise<void> {
  const store = await labStore();
  const record = await store.get('experiments', key);
  if (!record) return;
  if ((await heldLocks()).has(runLock(key))) throw new Error('the experiment is running: cancel it first');
  const pieces = ['datasets', 'augmentations', 'adapters', 'results'] as const;
  const others = (await Promise.all((await store.keys('experiments')).filter((k) => k !== key).map((k) => store.get('experiments', k)))).filter(
    (r) => r !== undefined,
  );
  const used = new Set(others.flatMap((r) => pieces.flatMap((piece) => r[piece])));
  const doomed: [StoreName, string][] = pieces.flatMap((piece) => record[piece].filter((k) => !used.has(k)).map((k): [StoreName, string] => [piece, k]));
  for (const log of await store.find('logs', 'experiment', key)) doomed.push(['logs', log.key]);
  for (const [name, k] of doomed) await store.delete(name, k);
  await store.delete('experiments', key);
}
