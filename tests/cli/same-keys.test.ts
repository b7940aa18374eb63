/**
 * One piece, one key, whichever door it is made through: `glon augment`, `glon train` and `glon eval` one
 * piece at a time, `glon run` on the equivalent experiment file, and the page's path (a one-seed
 * experiment spec handed to the runner, as the Learn step builds one) must store the same datasets,
 * augmentations, adapters and results under the same content keys.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { nodeExperimentEnv } from '../../src/experiment/node-env.ts';
import { runExperiment } from '../../src/experiment/runner.ts';
import { parseExperimentSpec } from '../../src/experiment/spec.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { glon, type GlonRun } from './glon.ts';

const STORIES = join(MODELS_DIR, 'stories260K');
const PIECES = ['datasets', 'augmentations', 'adapters', 'results'] as const;

/** The keys each kind of piece is stored under in a folder store. */
async function storedKeys(dir: string): Promise<Record<(typeof PIECES)[number], string[]>> {
  const store = await openFolderStore(dir);
  try {
    const keys = await Promise.all(PIECES.map(async (piece) => (await store.keys(piece)).sort()));
    return Object.fromEntries(PIECES.map((piece, i) => [piece, keys[i]])) as Record<(typeof PIECES)[number], string[]>;
  } finally {
    await store.close();
  }
}

/** The key a piece command prints on its last line ("adapter key <hex>"). */
function printedKey(run: GlonRun, piece: string): string {
  expect(run.stderr).not.toContain('error');
  expect(run.status).toBe(0);
  const match = run.stdout.trimEnd().split('\n').at(-1)!.match(new RegExp(`^${piece} key ([0-9a-f]{64})$`));
  expect(match, run.stdout).not.toBeNull();
  return match![1];
}

describe('content keys through every door', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 4 facts x 4 lines = 16 documents: 2 steps of 8 per epoch.
  const experiment = {
    format: 'glon.experiment/1',
    dataset: { kind: 'reversal', params: { facts: 4 } },
    model: { id: 'stories260K' },
    conditions: ['base', 'icl', 'ft', 'ft+oracle'],
    seeds: [1],
    train: { epochs: 1 },
  };

  it('glon augment/train/eval, glon run and a one-seed experiment store the same pieces under the same keys', async () => {
    const data = join(dir, 'reversal.json');
    expect(glon('generate', '--kind', 'reversal', '--seed', '1', '--facts', '4', '--out', data).status).toBe(0);
    const cliStore = join(dir, 'cli-store');
    const store = ['--store', cliStore];
    const oracle = join(dir, 'oracle.json');
    const augmentationKey = printedKey(glon('augment', '--dataset', data, '--mode', 'oracle', '--seed', '1', '--out', oracle, ...store), 'augmentation');
    const train = (out: string, ...extra: string[]) =>
      printedKey(glon('train', '--dataset', data, '--model', STORIES, '--epochs', '1', '--seed', '1', '--out', out, ...store, ...extra), 'adapter');
    const adapters = { ft: train(join(dir, 'ft')), 'ft+oracle': train(join(dir, 'ft-oracle'), '--augmentation', oracle) };
    const evaluate = (condition: string, ...extra: string[]) =>
      printedKey(
        glon('eval', '--dataset', data, '--model', STORIES, '--condition', condition, '--seed', '1', '--out', join(dir, `${condition}.json`), ...store, ...extra),
        'result',
      );
    const results = [
      evaluate('base'),
      evaluate('icl'),
      evaluate('ft', '--adapter', join(dir, 'ft')),
      evaluate('ft+oracle', '--adapter', join(dir, 'ft-oracle')),
    ];

    const config = join(dir, 'experiment.json');
    writeFileSync(config, JSON.stringify(experiment));
    const runStore = join(dir, 'run-store');
    const run = glon('run', '--config', config, '--store', runStore, '--models', MODELS_DIR, '--out', join(dir, 'run'));
    expect(run.status, run.stderr).toBe(0);

    // The page: the Learn step's inputs as a one-seed experiment, run by the runner over the page's store interface.
    const pageStore = join(dir, 'page-store');
    const opened = await openFolderStore(pageStore);
    const env = nodeExperimentEnv({ model: STORIES, dtype: 'fp32', store: opened });
    try {
      await runExperiment(parseExperimentSpec(experiment), env);
    } finally {
      await env.close();
      await opened.close();
    }

    const cli = await storedKeys(cliStore);
    expect(cli.augmentations).toEqual([augmentationKey]);
    expect(cli.adapters).toEqual(Object.values(adapters).sort());
    expect(cli.results).toEqual([...results].sort());
    expect(cli.datasets).toHaveLength(1);
    expect(await storedKeys(runStore)).toEqual(cli);
    expect(await storedKeys(pageStore)).toEqual(cli);

    // So the same evaluation again, and an experiment after the pieces were made one at a time, find every one of them.
    const base = glon('eval', '--dataset', data, '--model', STORIES, '--condition', 'base', '--seed', '1', '--out', join(dir, 'base-again.json'), ...store);
    expect(base.stdout).toContain(`8 items: their result was in the store ${cliStore}; wrote`);
    expect(printedKey(base, 'result')).toBe(results[0]);
    const again = glon('run', '--config', config, '--store', cliStore, '--models', MODELS_DIR, '--out', join(dir, 'again'));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/all 4 results came from the store .* \(nothing recomputed\)/);
  }, 600_000);
});
