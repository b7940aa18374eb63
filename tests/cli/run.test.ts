import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { parseResult } from '../../src/eval/result.ts';
import { parseExperimentSpec } from '../../src/experiment/spec.ts';
import { validateSummary } from '../../src/experiment/summary.ts';
import { modelFolder } from '../../src/cli/run.ts';
import { expectOneLineError, glon } from './glon.ts';
import { nanModel } from '../nan-model.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { sha256Hex } from '../../src/util/hash.ts';

describe('glon run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-run-'));
  const config = join(dir, 'experiment.json');
  const experiment = {
    format: 'glon.experiment/1',
    dataset: { kind: 'reversal', params: { facts: 4 } },
    model: { id: 'stories260K' },
    conditions: ['base', 'ft'],
    seeds: [1],
    train: { epochs: 1 },
  };
  writeFileSync(config, JSON.stringify(experiment));
  const args = ['run', '--config', config, '--store', join(dir, 'store'), '--models', MODELS_DIR];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every result and the summary, and a second run is all cache hits', () => {
    const out = join(dir, 'out');
    const run = glon(...args, '--out', out);
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['1-base.json', '1-ft.json', 'summary.json', 'summary.md']);
    expect(parseResult(readFileSync(join(out, '1-ft.json'), 'utf8'))).toMatchObject({ condition: 'ft', dataset: { kind: 'reversal', seed: 1 } });
    validateSummary(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')));
    expect(run.stdout).toContain(readFileSync(join(out, 'summary.md'), 'utf8').trim());
    expect(run.stdout).toMatch(/2 results \(0 from the store .*\); wrote /);
    expect(run.stderr).toMatch(/seed 1 · train ft: done/);

    const again = glon(...args, '--out', join(dir, 'again'));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/all 2 results came from the store .* \(nothing recomputed\)/);
    expect(again.stderr).toMatch(/seed 1 · train ft: from the store/);
    expect(readFileSync(join(dir, 'again', '1-ft.json'), 'utf8')).toBe(readFileSync(join(out, '1-ft.json'), 'utf8'));
  });

  it('rejects a bad experiment with one line naming the problem', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...experiment, conditions: ['base', 'ft+magic'] }));
    expectOneLineError(glon('run', '--config', bad, '--out', join(dir, 'x')), new RegExp(`${bad}: invalid experiment: conditions\\[1\\]: unknown condition "ft\\+magic"`));
    const spec = parseExperimentSpec({ ...experiment, model: { id: 'no-such-model' } });
    expect(() => modelFolder(spec, MODELS_DIR)).toThrow(/^model "no-such-model" not found: no folder .*no-such-model \(--models names the folder that holds model folders\)$/);
  });

  it('runs an experiment that names its dataset by hash once --dataset has put that dataset in the store', async () => {
    // As the page exports an experiment on an edited dataset: the dataset by its content hash.
    const generated = generateDataset({ kind: 'reversal', seed: 1, preset: 'small', params: { facts: 4 } });
    const edited = { ...generated, train: generated.train.map((d, i) => (i === 0 ? { ...d, text: `${d.text} Really.` } : d)) };
    const hash = await sha256Hex(serializeDataset(edited));
    const [editedFile, generatedFile] = [join(dir, 'edited.json'), join(dir, 'generated.json')];
    writeFileSync(editedFile, serializeDataset(edited));
    writeFileSync(generatedFile, serializeDataset(generated));
    const named = join(dir, 'named.json');
    writeFileSync(named, JSON.stringify({ ...experiment, dataset: { ...experiment.dataset, hash }, conditions: ['base'] }));
    const store = join(dir, 'named-store');
    const run = (...more: string[]) => glon('run', '--config', named, '--store', store, '--models', MODELS_DIR, '--out', join(dir, 'named-out'), ...more);

    expectOneLineError(run(), `the experiment's dataset ${hash.slice(0, 12)} is not in the store ${store}: give its file with --dataset FILE`);
    const other = await sha256Hex(serializeDataset(generated));
    expectOneLineError(run('--dataset', generatedFile), `--dataset ${generatedFile} is dataset ${other.slice(0, 12)}, but the experiment names ${hash.slice(0, 12)}`);
    const first = run('--dataset', editedFile);
    expect(first.status, first.stderr).toBe(0);
    expect(parseResult(readFileSync(join(dir, 'named-out', '1-base.json'), 'utf8')).dataset).toMatchObject({ kind: 'reversal', hash });
    // From then on the store has it.
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/all 1 results came from the store/);
    expectOneLineError(
      glon(...args, '--out', join(dir, 'never'), '--dataset', editedFile),
      '--dataset is for an experiment that names its dataset by hash (dataset.hash); this one generates its datasets',
    );
  });

  it('exits non-zero with one line when a result has items that could not be scored', () => {
    const models = join(dir, 'models');
    nanModel(models);
    const nan = join(dir, 'nan.json');
    writeFileSync(nan, JSON.stringify({ ...experiment, model: { id: 'stories260K-nan' }, conditions: ['base'] }));
    const out = join(dir, 'nan-out');
    const run = glon('run', '--config', nan, '--store', join(dir, 'nan-store'), '--models', models, '--out', out);
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n').filter((line) => line.startsWith('glon:'))).toEqual([
      'glon: error: items could not be scored (a log-prob was NaN or infinite; they count as wrong) in seed 1 base (8 of 8)',
    ]);
    expect(parseResult(readFileSync(join(out, '1-base.json'), 'utf8')).splits.reversal).toMatchObject({ n: 4, unscored: 4, correct: 0 });
  });
});
