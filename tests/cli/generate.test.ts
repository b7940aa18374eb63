import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeDataset } from '../../src/data/format.ts';
import { generateDataset, KINDS } from '../../src/data/generate.ts';
import { expectOneLineError, glon } from './glon.ts';

const dir = mkdtempSync(join(tmpdir(), 'glon-cli-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('glon generate', () => {
  it('writes byte-identical files for the same seed', () => {
    const [a, b] = [join(dir, 'a.json'), join(dir, 'nested', 'b.json')];
    const first = glon('generate', '--kind', 'celebrity', '--seed', '7', '--out', a);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`wrote ${a}: celebrity, 32 training documents; test: reversal 40, memorization 40\n`);
    expect(glon('generate', '--kind', 'celebrity', '--seed', '7', '--out', b).status).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  });

  // The core's own tests show a seed fixes the dataset; here: the CLI writes exactly what the core generates.
  for (const def of KINDS)
    it(`${def.kind}: writes the core's dataset`, () => {
      const out = join(dir, `${def.kind}.json`);
      const run = glon('generate', '--kind', def.kind, '--seed', '7', '--out', out);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(new RegExp(`^wrote ${out}: ${def.kind}, \\d+ training documents; test: `));
      expect(readFileSync(out, 'utf8')).toBe(serializeDataset(generateDataset({ kind: def.kind, seed: 7, preset: 'small' })));
    });

  it('passes kind parameters, in both flag spellings, and the preset', () => {
    const out = join(dir, 'nonsense.json');
    const run = glon('generate', '--kind', 'celebrity', '--preset', 'paper', '--names', 'nonsense', '--templates=3', '--seed', '-4', '--out', out);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`wrote ${out}: celebrity, 360 training documents; test: reversal 300, memorization 296\n`);
    const dataset = JSON.parse(readFileSync(out, 'utf8'));
    expect(dataset.seed).toBe(-4);
    expect(dataset.params).toEqual({ preset: 'paper', celebrities: 30, templates: 3, names: 'nonsense' });
  });

  const refusals: [string[], string | RegExp][] = [
    [['--kind', 'gossip'], /^glon: error: unknown dataset kind "gossip" \(one of: .*celebrity/],
    [['--kind', 'celebrity', '--celebrities', '2'], 'celebrities: 2 is below the minimum 4'],
    [['--kind', 'celebrity', '--names'], '--names needs a value'],
    [['--kind', 'celebrity', '--facts', '3'], 'celebrity has no parameter --facts (see glon generate --help)'],
    [['--kind', 'celebrity', '--seed', '1.5'], '--seed must be an integer, got "1.5"'],
  ];
  for (const [flags, message] of refusals)
    it(`refuses ${flags.join(' ')} with one clear line and writes nothing`, () => {
      const out = join(dir, 'never.json');
      expectOneLineError(glon('generate', '--out', out, ...flags), message);
      expect(existsSync(out)).toBe(false);
    });

  it('--help lists the options and every parameter of every kind', () => {
    const help = glon('generate', '--help');
    expect(help.status).toBe(0);
    for (const option of ['--kind <kind>', '--seed <n>', '--preset <preset>', '--out <file>']) expect(help.stdout).toContain(option);
    for (const def of KINDS) {
      expect(help.stdout).toContain(`${def.kind}: ${def.title}`);
      for (const spec of def.params) expect(help.stdout).toMatch(new RegExp(`--${spec.name} +${spec.help.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });
});

describe('glon', () => {
  it('--help lists the commands', () => {
    const help = glon('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: glon /);
    for (const command of ['generate', 'validate']) expect(help.stdout).toMatch(new RegExp(`^ +${command} `, 'm'));
  });
});
