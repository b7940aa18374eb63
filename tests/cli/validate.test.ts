import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeDataset } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { readDatasetFile } from '../../src/cli/io.ts';
import { expectOneLineError, glon } from './glon.ts';

const dir = mkdtempSync(join(tmpdir(), 'glon-cli-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dataset = generateDataset({ kind: 'celebrity', seed: 3 });
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const changed = (change: (ds: any) => void) => {
  const ds = structuredClone(dataset);
  change(ds);
  return JSON.stringify(ds);
};

describe('glon validate', () => {
  it('prints the counts per split of a valid file', () => {
    const path = file('ok.json', serializeDataset(dataset));
    const run = glon('validate', path);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      `${path}: valid glon.dataset/2 (celebrity, seed 3)`,
      '  train: 32 documents',
      '  reversal          40 items, 4 options',
      '  memorization      40 items, 4 options',
      '',
    ]);
  });

  it('reads a glon.dataset/1 file and says it is the older version', () => {
    const path = file('older.json', changed((ds) => (ds.format = 'glon.dataset/1')));
    const run = glon('validate', path);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      `${path}: valid glon.dataset/1 (celebrity, seed 3)`,
      '  an older version: regenerate it for glon.dataset/2 items that trivial strategies cannot beat',
    ]);
  });

  const badFiles: [string, () => string, (path: string) => string | RegExp][] = [
    ['a missing file', () => join(dir, 'missing.json'), (path) => `cannot read ${path}: no such file`],
    ['a folder', () => (mkdirSync(join(dir, 'folder.json')), join(dir, 'folder.json')), (path) => `cannot read ${path}: not a file`],
    ['text that is not JSON', () => file('not-json.json', '{"format": "glon.dataset/1", '), (path) => new RegExp(`^glon: error: ${path}: not JSON: `)],
    [
      'another format',
      () => file('format.json', changed((ds) => (ds.format = 'glon.result/1'))),
      (path) => `${path}: unknown format "glon.result/1" (expected "glon.dataset/2")`,
    ],
    [
      'an answer out of range',
      () => file('answer.json', changed((ds) => (ds.test[5].answer = 4))),
      (path) => `${path}: invalid dataset: test[5].answer: answer is not an index into options`,
    ],
  ];
  // The messages come from readDatasetFile, checked in-process; one spawn shows the CLI prints them as one line.
  for (const [what, make, message] of badFiles)
    it(`refuses ${what} with one line naming the file and the problem`, async () => {
      const path = make();
      const expected = message(path);
      const error = await readDatasetFile(path).then(() => undefined, (e: Error) => `glon: error: ${e.message}`);
      if (typeof expected === 'string') expect(error).toBe(`glon: error: ${expected}`);
      else expect(error).toMatch(expected);
    });

  it('prints a refusal as one error line on stderr, without a stack trace', () => {
    const path = file('answer-cli.json', changed((ds) => (ds.test[5].answer = 4)));
    expectOneLineError(glon('validate', path), `${path}: invalid dataset: test[5].answer: answer is not an index into options`);
  });

  it('refuses a huge file by its size, before reading it', async () => {
    const huge = file('huge.json', '');
    truncateSync(huge, 65 * 1024 * 1024); // sparse: nothing is written to disk
    await expect(readDatasetFile(huge)).rejects.toThrow(`${huge}: file too large (65 MiB, limit 64 MiB)`);
  });

  it('accepts a file that starts with a byte-order mark, as the page does', () => {
    const path = file('bom.json', `\uFEFF${serializeDataset(dataset)}`);
    const run = glon('validate', path);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/: valid glon.dataset\/2 \(celebrity, seed 3\)/);
  });

  it('refuses a prompt or an option of whitespace only', async () => {
    const prompt = file('blank-prompt.json', changed((ds) => (ds.test[2].prompt = '   ')));
    expectOneLineError(glon('validate', prompt), `${prompt}: invalid dataset: test[2].prompt: is only whitespace`);
    const option = file('blank-option.json', changed((ds) => (ds.test[0].options[1] = ' \t')));
    await expect(readDatasetFile(option)).rejects.toThrow(`${option}: invalid dataset: test[0].options[1]: is only whitespace`);
  });

  it('--help describes the command', () => {
    const help = glon('validate', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: glon validate \[options\] <file>/);
  });
});
