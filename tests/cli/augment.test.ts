import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { parseAugmentation } from '../../src/augment/augmentation.ts';
import { augmentationKeyOf } from '../../src/experiment/piece-keys.ts';
import { expectOneLineError, glon } from './glon.ts';

describe('glon augment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-augment-'));
  const datasetFile = join(dir, 'syllogism.json');
  const dataset = generateDataset({ kind: 'syllogism', seed: 2, preset: 'small', params: { items: 6 } });
  writeFileSync(datasetFile, serializeDataset(dataset));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the oracle augmentation by rule, without a model, and prints what it kept', async () => {
    const out = join(dir, 'oracle.json');
    const run = glon('augment', '--dataset', datasetFile, '--mode', 'oracle', '--seed', '2', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const augmentation = parseAugmentation(readFileSync(out, 'utf8'));
    expect(augmentation).toMatchObject({
      mode: 'oracle',
      model: null,
      settings: {},
      seed: 2,
      pruned: 0,
      dataset: { kind: 'syllogism', seed: 2, hash: await sha256Hex(serializeDataset(dataset)) },
    });
    expect(augmentation.sentences.length).toBeGreaterThan(0);
    const ids = new Set(dataset.train.map((d) => d.id));
    expect(augmentation.sentences.every((s) => ids.has(s.source))).toBe(true);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `oracle augmentation of syllogism (seed 2) by rule (oracle: a ceiling) · seed 2: kept ${augmentation.sentences.length} sentences; dropped ` +
        (Object.entries(augmentation.dropped).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none'),
    );
    expect(lines.slice(1, -2)).toEqual(augmentation.sentences.slice(0, 5).map((s) => `  ${s.text}  (from ${s.source})`));
    expect(lines.at(-2)).toMatch(new RegExp(`^took \\d+\\.\\d s; wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    const hash = await sha256Hex(serializeDataset(dataset));
    expect(lines.at(-1)).toBe(`augmentation key ${await augmentationKeyOf({ datasetHash: hash, generator: null, mode: 'oracle', settings: {}, seed: 2 })}`);
  });

  it('says in one line what a mode needs or refuses', () => {
    expectOneLineError(glon('augment', '--dataset', datasetFile, '--mode', 'local', '--out', join(dir, 'x.json')), 'local augmentation needs --model <id-or-dir> to write it');
    expectOneLineError(
      glon('augment', '--dataset', datasetFile, '--mode', 'oracle', '--samples', '3', '--out', join(dir, 'x.json')),
      '--samples applies to local augmentation only, not oracle',
    );
    expectOneLineError(
      glon('augment', '--dataset', datasetFile, '--mode', 'local', '--model', 'm', '--raw', join(dir, 'raw.txt'), '--store', join(dir, 'store'), '--out', join(dir, 'x.json')),
      '--raw records what the model writes in this run, and with --store the augmentation may come from the store: use one or the other',
    );
  });
});
