/**
 * The CLI end to end on ONNX Runtime GenAI's builder output (contrib ops, fp16, external data), in a folder
 * whose config.json announces its data file the way hub exports do (`use_external_data_format: true`):
 * `glon train` reads the external weights, `glon eval` scores base and the fine-tuned model; and the context
 * probe on a PyTorch export.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { parseResult } from '../../src/eval/result.ts';
import { fixtureDir } from '../exported-fixtures.ts';
import { glon } from './glon.ts';

describe('glon train and eval on a GenAI builder export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-exported-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, 'genai-tiny-llama-fp16');
  cpSync(fixtureDir('genai-tiny-llama-fp16'), model, { recursive: true });
  const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
  writeFileSync(join(model, 'config.json'), JSON.stringify({ ...config, 'transformers.js_config': { use_external_data_format: true } }));
  const dataset = join(dir, 'reversal.json');
  // 6 facts (24 documents, 12 items): a GenAI graph scores options one token per pass.
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1, params: { facts: 6 } })));

  it('trains an adapter from the external-data fp16 weights, then scores base and ft', () => {
    const adapter = join(dir, 'adapter');
    const train = glon('train', '--dataset', dataset, '--model', model, '--dtype', 'fp16', '--epochs', '1', '--rank', '4', '--out', adapter);
    expect(train.stderr).not.toContain('error');
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(/loss [\d.]+ -> [\d.]+/);
    for (const condition of ['base', 'ft']) {
      const out = join(dir, `${condition}.json`);
      const extra = condition === 'ft' ? ['--adapter', adapter] : [];
      const run = glon('eval', '--dataset', dataset, '--model', model, '--dtype', 'fp16', '--condition', condition, ...extra, '--out', out);
      expect(run.stderr, condition).not.toContain('error');
      expect(run.status, condition).toBe(0);
      const result = parseResult(readFileSync(out, 'utf8'));
      expect(result.condition).toBe(condition);
      expect(Object.keys(result.splits).sort()).toEqual(['memorization', 'reversal']);
    }
  });
});

describe('glon eval --probe on a PyTorch export', () => {
  it('states whether the random-weight tiny Qwen2 uses facts in context: it does not', () => {
    const run = glon('eval', '--model', fixtureDir('tiny-qwen2'), '--probe');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(
      /^context probe \(tiny-qwen2 fp32, [\d.]+ s\): does not use facts in context: expect ICL = base \([+-]\d+ points, within chance: \d+\/16 right with the facts in context, \d+\/16 without; one-sided exact McNemar p = [\d.]+, not below 0\.05\)$/,
    );
  });
});
