import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { validateResult, type EvalResult } from '../../src/eval/result.ts';
import { TrainControl } from '../../src/train/control.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import type { GlonStore } from '../../src/experiment/store.ts';
import { nodeExperimentEnv } from '../../src/experiment/node-env.ts';
import { runExperiment, type ExperimentEvent, type ExperimentOutcome } from '../../src/experiment/runner.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec } from '../../src/experiment/spec.ts';
import { exportBundle, importBundle } from '../../src/experiment/bundle.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { sha256Hex } from '../../src/util/hash.ts';

const STORIES = join(MODELS_DIR, 'stories260K');
// 6 facts x 4 lines = 24 documents: 3 steps an epoch, checkpoints every 2 steps.
const spec = parseExperimentSpec({
  format: EXPERIMENT_FORMAT,
  dataset: { kind: 'reversal', params: { facts: 6 } },
  model: { id: 'stories260K' },
  conditions: ['base', 'icl', 'ft', 'ft+oracle'],
  seeds: [1],
  train: { epochs: 2 },
});
const CHECKPOINT_EVERY = 2;

const dirs: string[] = [];
async function freshStore(): Promise<GlonStore> {
  const dir = mkdtempSync(join(tmpdir(), 'glon-runner-'));
  dirs.push(dir);
  return openFolderStore(dir);
}

async function run(store: GlonStore, control?: TrainControl, onEvent?: (e: ExperimentEvent) => void, experiment = spec, stopAfter?: 'augment') {
  const env = nodeExperimentEnv({ model: STORIES, dtype: 'fp32', store });
  const events: ExperimentEvent[] = [];
  try {
    const outcome = await runExperiment(experiment, env, {
      control,
      stopAfter,
      checkpointEvery: CHECKPOINT_EVERY,
      onEvent: (e) => {
        events.push(e);
        onEvent?.(e);
      },
    });
    return { outcome, events };
  } finally {
    await env.close();
  }
}

/** What a result says about the model, without when it ran. */
const scores = (r: EvalResult) => ({ condition: r.condition, splits: r.splits, items: r.items });

describe('runExperiment', () => {
  let store: GlonStore;
  let first: { outcome: ExperimentOutcome; events: ExperimentEvent[] };
  beforeAll(async () => {
    store = await freshStore();
    first = await run(store);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('produces a valid result per condition, stored with everything it was made from', async () => {
    const { outcome, events } = first;
    expect(outcome.results.map((r) => r.condition)).toEqual(spec.conditions);
    for (const r of outcome.results) expect(validateResult(r)).toEqual(r);
    expect(outcome.cached).toBe(0);
    expect(outcome.summary).toBeDefined();
    const record = await store.get('experiments', outcome.key);
    expect(record).toMatchObject({ status: 'done', spec, datasets: [outcome.results[0].dataset.hash] });
    expect(record!.results).toHaveLength(4);
    expect(record!.augmentations).toHaveLength(1);
    // ft and ft+oracle train on different sets: two adapters, no checkpoint left behind.
    expect((await store.keys('adapters')).sort()).toEqual([...record!.adapters].sort());
    expect(record!.adapters).toHaveLength(2);
    expect(await store.keys('checkpoints')).toEqual([]);
    const trained = events.filter((e) => e.type === 'stage' && e.stage === 'train' && e.status === 'done').map((e) => e.type === 'stage' && e.label);
    expect(trained).toEqual(['ft', 'ft+oracle']);
  });

  it('runs again from the store alone, with identical results', async () => {
    const again = await run(store);
    expect(again.outcome.cached).toBe(4);
    expect(again.outcome.results).toEqual(first.outcome.results);
    expect(again.outcome.summary).toEqual(first.outcome.summary);
    const stages = again.events.filter((e) => e.type === 'stage');
    expect(stages.length).toBeGreaterThan(0);
    expect(stages.every((e) => e.type === 'stage' && e.status === 'cached')).toBe(true);
    expect(again.events.some((e) => e.type === 'train-step')).toBe(false);
  });

  it('resumes a training cancelled after a checkpoint and ends where an uninterrupted run does', async () => {
    // Result and adapter keys do not depend on the other conditions: this ft is the first run's ft.
    const short = parseExperimentSpec({ ...spec, conditions: ['base', 'ft'] });
    const resumable = await freshStore();
    try {
      const control = new TrainControl();
      const cancelled = run(resumable, control, (e) => {
        if (e.type === 'train-step' && e.progress.step === CHECKPOINT_EVERY + 1) control.cancel();
      }, short);
      await expect(cancelled).rejects.toThrow(/abort/i);
      const key = (await resumable.keys('experiments'))[0];
      expect(await resumable.get('experiments', key)).toMatchObject({ status: 'cancelled', stage: 'seed 1: train ft' });
      expect(await resumable.keys('checkpoints')).toHaveLength(1);
      expect(await resumable.keys('adapters')).toEqual([]);
      // The base result, finished before the cancel, is kept.
      expect(await resumable.keys('results')).toHaveLength(1);

      const resumed = await run(resumable, undefined, undefined, short);
      const firstStep = resumed.events.find((e) => e.type === 'train-step');
      expect(firstStep?.type === 'train-step' && firstStep.progress.step).toBe(CHECKPOINT_EVERY + 1);
      expect(resumed.outcome.cached).toBe(1);
      expect(await resumable.keys('checkpoints')).toEqual([]);
      const [adapterKey] = await resumable.keys('adapters');
      expect(await store.keys('adapters')).toContain(adapterKey);
      const ft = (outcome: ExperimentOutcome) => scores(outcome.results.find((r) => r.condition === 'ft')!);
      expect(ft(resumed.outcome)).toEqual(ft(first.outcome));
      expect(await resumable.get('experiments', key)).toMatchObject({ status: 'done' });
    } finally {
      await resumable.close();
    }
  });

  it('makes only the augmentations when asked to stop after them; a full run finds them and trains on what the spec keeps', async () => {
    const oracle = parseExperimentSpec({ ...spec, conditions: ['ft+oracle'] });
    const pieces = await freshStore();
    try {
      const augmented = await run(pieces, undefined, undefined, oracle, 'augment');
      expect(augmented.outcome.results).toEqual([]);
      const record = await pieces.get('experiments', augmented.outcome.key);
      expect(record).toMatchObject({ status: 'done', results: [], adapters: [], stopAfter: 'augment' });
      expect(record!.augmentations).toHaveLength(1);
      expect(await pieces.keys('adapters')).toEqual([]);
      const { augmentation } = (await pieces.get('augmentations', record!.augmentations[0]))!;
      // Exported and imported like any experiment, still marked as the augmentation piece it is.
      const fresh = await freshStore();
      expect((await importBundle(fresh, await exportBundle(pieces, augmented.outcome.key))).counts).toEqual({ datasets: 1, augmentations: 1, adapters: 0, results: 0 });
      expect(await fresh.get('experiments', augmented.outcome.key)).toMatchObject({ stopAfter: 'augment' });

      // Two sentences pruned: the augmentation comes from the store, the adapter trains on two examples fewer.
      const pruned = parseExperimentSpec({ ...oracle, prune: { oracle: [0, 1] } });
      const full = await run(pieces, undefined, undefined, pruned);
      expect(full.events).toContainEqual(expect.objectContaining({ type: 'stage', stage: 'augment', status: 'cached' }));
      const [adapterKey] = await pieces.keys('adapters');
      const unpruned = (await store.get('experiments', first.outcome.key))!.adapters;
      expect(unpruned).not.toContain(adapterKey);
      const trainedOn = async (s: GlonStore, key: string) => (await s.get('adapters', key))!.training.examples;
      const withAll = await Promise.all(unpruned.map((key) => trainedOn(store, key)));
      expect(await trainedOn(pieces, adapterKey)).toBe(Math.max(...withAll) - 2);
      expect(augmentation.sentences.length).toBeGreaterThan(2);
    } finally {
      await pieces.close();
    }
  });

  it('marks a failing run failed with its message and rethrows', async () => {
    const failing = parseExperimentSpec({ ...spec, conditions: ['base'], template: 'chat' });
    const env = nodeExperimentEnv({ model: STORIES, dtype: 'fp32', store });
    try {
      await expect(runExperiment(failing, env)).rejects.toThrow(/has no chat template/);
      const records = await store.find('experiments', 'status', 'failed');
      expect(records).toHaveLength(1);
      expect(records[0].error).toMatch(/stories260K has no chat template/);
    } finally {
      await env.close();
    }
  });
});

// A dataset no generator makes (an imported file, here a generated one with a document edited) is named by its hash.
describe('an experiment on a stored dataset', () => {
  it('runs on the dataset of that hash, and its bundle carries it and imports', async () => {
    const generated = generateDataset({ kind: 'reversal', seed: 3, params: { facts: 2 } });
    const dataset = { ...generated, train: generated.train.map((d, i) => (i === 0 ? { ...d, text: `${d.text} Really.` } : d)) };
    const hash = await sha256Hex(serializeDataset(dataset));
    const experiment = parseExperimentSpec({ ...spec, dataset: { kind: 'reversal', hash }, conditions: ['base'], seeds: [3] });
    const store = await freshStore();
    await expect(run(store, undefined, undefined, experiment)).rejects.toThrow(`the experiment's dataset ${hash.slice(0, 12)} is not in the store`);
    await store.put('datasets', { key: hash, dataset, savedAt: new Date().toISOString() });
    const { outcome } = await run(store, undefined, undefined, experiment);
    expect(outcome.results.map((r) => [r.dataset.hash, r.seed])).toEqual([[hash, 3]]);
    const imported = await importBundle(await freshStore(), await exportBundle(store, outcome.key));
    expect(imported.counts).toEqual({ datasets: 1, augmentations: 0, adapters: 0, results: 1 });
  }, 120_000);
});

// A real run's bundle must pass the import's key checks (verify-keys.ts), with every kind of piece:
// model-written and oracle augmentations, split documents, and two seeds.
describe('a real experiment bundle', () => {
  it('imports into a fresh store, every key matching its inputs', async () => {
    const experiment = parseExperimentSpec({
      format: EXPERIMENT_FORMAT,
      dataset: { kind: 'reversal', params: { facts: 2 } },
      model: { id: 'stories260K' },
      conditions: ['base', 'ft+local', 'ft+oracle', 'ft-split'],
      seeds: [1, 2],
      train: { epochs: 1 },
      augment: { local: { samples: 1, maxNewTokens: 16 } },
      // A student's review: the adapters' keys must be recomputed from the sentences kept.
      prune: { oracle: [0] },
    });
    const store = await freshStore();
    const { outcome } = await run(store, undefined, undefined, experiment);
    const text = await exportBundle(store, outcome.key);
    const imported = await importBundle(await freshStore(), text);
    // ft-split trains on the same examples as ft+local here (one-sentence documents, and stories260K keeps no
    // local sentence), so the two share an adapter.
    expect(imported).toEqual({ experiment: outcome.key, counts: { datasets: 2, augmentations: 4, adapters: 4, results: 8 } });
  }, 300_000);
});

