/**
 * Where a command writes is checked before it works: an --out it cannot write, a --store that is someone
 * else's folder, each refused in one line with the cause, and nothing there is touched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { nodeExperimentEnv } from '../../src/experiment/node-env.ts';
import { runExperiment } from '../../src/experiment/runner.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec } from '../../src/experiment/spec.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { TrainControl } from '../../src/train/control.ts';
import { expectOneLineError, glon } from './glon.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

describe('outputs checked before work starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-outputs-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1, params: { facts: 4 } })));
  const experiment = {
    format: EXPERIMENT_FORMAT,
    dataset: { kind: 'reversal', params: { facts: 6 } },
    model: { id: 'stories260K' },
    conditions: ['ft'],
    seeds: [1],
    train: { epochs: 2 },
  };
  const config = join(dir, 'experiment.json');
  writeFileSync(config, JSON.stringify(experiment));
  const run = (...args: string[]) => glon('run', '--config', config, '--models', MODELS_DIR, ...args);
  const file = join(dir, 'taken.txt');
  writeFileSync(file, 'mine');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('glon train refuses an --out that is a file before training, and leaves the file alone', () => {
    expectOneLineError(glon('train', '--dataset', dataset, '--model', STORIES, '--out', file), `cannot write ${file}: a file is there, and this writes a folder`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('glon eval refuses an --out that is a folder, and one below a file, with the cause', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const args = ['eval', '--dataset', dataset, '--model', STORIES, '--condition', 'base'];
    expectOneLineError(glon(...args, '--out', folder), `cannot write ${folder}: a folder is there, and this writes a file`);
    expectOneLineError(glon(...args, '--out', join(file, 'result.json')), `cannot write ${join(file, 'result.json')}: ${file} is a file, not a folder`);
  });

  it('glon run refuses a --store that is a non-empty folder without a store marker, and changes nothing in it', () => {
    const foreign = join(dir, 'photos');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'holiday.jpg'), 'not a store');
    expectOneLineError(
      run('--out', join(dir, 'out'), '--store', foreign),
      `${foreign} is not a glon store (no glon-store.json) and not empty: name a new or empty folder for --store`,
    );
    expect(readdirSync(foreign)).toEqual(['holiday.jpg']);
  });

  it('glon run refuses a --store below a file, naming the cause', () => {
    expectOneLineError(run('--out', join(dir, 'out'), '--store', join(file, 'store')), `cannot write ${join(file, 'store')}: ${file} is a file, not a folder`);
  });

  it('glon run says on stderr that it resumes a checkpoint', async () => {
    // An interrupted run leaves a checkpoint of step 2 in the store; the CLI continues from it.
    const storeDir = join(dir, 'store');
    const store = await openFolderStore(storeDir);
    const env = nodeExperimentEnv({ model: STORIES, dtype: 'fp32', store });
    const control = new TrainControl();
    try {
      await expect(
        runExperiment(parseExperimentSpec(experiment), env, {
          control,
          checkpointEvery: 2,
          onEvent: (e) => {
            if (e.type === 'train-step' && e.progress.step === 3) control.cancel();
          },
        }),
      ).rejects.toThrow(/abort/i);
    } finally {
      await env.close();
      await store.close();
    }
    const resumed = run('--out', join(dir, 'resumed'), '--store', storeDir);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^seed 1 · train ft: resuming from step 2 of 6 \(the checkpoint of an interrupted run\)$/m);
  }, 120_000);
});
