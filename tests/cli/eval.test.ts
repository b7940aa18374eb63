import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { parseResult } from '../../src/eval/result.ts';

const GLON = fileURLToPath(new URL('../../bin/glon.js', import.meta.url));
const STORIES = join(MODELS_DIR, 'stories260K');

function glon(...args: string[]) {
  const run = spawnSync(process.execPath, [GLON, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('glon eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-eval-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1 })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a per-split table with both accuracies and writes the result', () => {
    const out = join(dir, 'result.json');
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'icl', '--dtype', 'q8', '--out', out);
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    const result = parseResult(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ condition: 'icl', dtype: 'q8', template: 'plain', model: 'stories260K' });
    const lines = run.stdout.split('\n');
    expect(lines[1].split(/\s+/)).toEqual(['split', 'n', 'chance', 'acc', '95%', 'CI', 'acc_norm', '95%', 'CI']);
    const f = (x: number) => x.toFixed(3);
    for (const [split, s] of Object.entries(result.splits)) {
      const row = lines.slice(2).find((line) => line.startsWith(`${split} `))!;
      expect(row.split(/\s+/)).toEqual([
        split, String(s.n), '0.500',
        f(s.accuracy), `[${f(s.ci[0])},`, `${f(s.ci[1])}]`,
        f(s.normalized.accuracy), `[${f(s.normalized.ci[0])},`, `${f(s.normalized.ci[1])}]`,
      ]);
    }
    if (result.context.subsampled) expect(run.stdout).toContain('note: training text subsampled');
  });

  it('says in one line that a hub model is not available offline', () => {
    const run = glon('eval', '--dataset', dataset, '--model', 'HuggingFaceTB/SmolLM2-135M-Instruct', '--condition', 'base', '--out', join(dir, 'x.json'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `glon: error: model "HuggingFaceTB/SmolLM2-135M-Instruct" is not available offline: there is no folder ${join(process.cwd(), 'HuggingFaceTB/SmolLM2-135M-Instruct')} (pass --allow-remote to download it from the hub)`,
    ]);
  });

  it('rejects a bad flag value in one line', () => {
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'icl', '--dtype', 'int3', '--out', join(dir, 'x.json'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('glon: error: --dtype must be one of fp32, fp16, q8, q4, got "int3"');
  });

  it('scores the ft condition with an adapter, merged into ONNX or on jax-js alike', () => {
    const adapter = join(dir, 'adapter');
    const train = glon('train', '--dataset', dataset, '--model', STORIES, '--epochs', '1', '--rank', '4', '--alpha', '8', '--targets', 'q,v,down', '--out', adapter);
    expect(train.status).toBe(0);
    const results = (['merged', 'jax'] as const).map((scorer) => {
      const out = join(dir, `ft-${scorer}.json`);
      const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--adapter', adapter, '--ft-scorer', scorer, '--out', out);
      expect(run.stderr).not.toContain('error');
      expect(run.status).toBe(0);
      return parseResult(readFileSync(out, 'utf8'));
    });
    expect(results[0]).toMatchObject({ condition: 'ft', model: 'stories260K-adapter', context: { tokens: 1 } });
    results[0].items.forEach((item, i) =>
      item.logprobs.forEach((lp, o) => expect(Math.abs(lp - results[1].items[i].logprobs[o])).toBeLessThan(1e-3)),
    );
    const base = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'base', '--adapter', adapter, '--out', join(dir, 'x.json'));
    expect(base.stderr.trim()).toBe('glon: error: --adapter applies to the fine-tuned conditions only (ft, ft+local, ...), not base');
    const missing = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--out', join(dir, 'x.json'));
    expect(missing.stderr.trim()).toBe('glon: error: condition ft needs --adapter <dir> (an adapter saved by glon train)');
  });

  it('--probe prints whether the model uses facts in context: stories260K does not', () => {
    const run = glon('eval', '--model', STORIES, '--probe');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(
      /^context probe \(stories260K fp32, [\d.]+ s\): does not use facts in context: expect ICL = base \([+-]\d+ points, within chance: \d+\/16 right with the facts in context, \d+\/16 without; one-sided exact McNemar p = [\d.]+, not below 0\.05\)$/,
    );
  });

  it('--probe before an evaluation prints both; without --probe the evaluation flags are required', () => {
    const out = join(dir, 'probe-then-base.json');
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'base', '--out', out, '--probe');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^context probe \(stories260K fp32, [\d.]+ s\): does not use facts in context/);
    expect(lines[1]).toMatch(/^reversal \(seed 1\) · stories260K fp32/);
    expect(parseResult(readFileSync(out, 'utf8')).condition).toBe('base');
    const bare = glon('eval', '--model', STORIES);
    expect(bare.stderr.trim()).toBe("glon: error: required option '--dataset <file>' not specified");
    const half = glon('eval', '--model', STORIES, '--probe', '--dataset', dataset);
    expect(half.stderr.trim()).toBe("glon: error: required option '--condition <condition>' not specified");
  });
});
