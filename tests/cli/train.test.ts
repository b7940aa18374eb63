import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { parseLlamaConfig } from '../../src/model/llama-config.ts';
import { decodeAdapter } from '../../src/train/adapter-files.ts';

const GLON = fileURLToPath(new URL('../../bin/glon.js', import.meta.url));
const STORIES = join(MODELS_DIR, 'stories260K');

function glon(...args: string[]) {
  const run = spawnSync(process.execPath, [GLON, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('glon train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-train-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1 })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains and writes a PEFT adapter that loads back for the model', () => {
    const out = join(dir, 'adapter');
    const run = glon('train', '--dataset', dataset, '--model', STORIES, '--epochs', '1', '--rank', '4', '--alpha', '8', '--targets', 'q,v', '--out', out);
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/wrote .*LoRA r=4 alpha=8 on q,v; 12 steps, loss [\d.]+ -> [\d.]+/);
    const config = parseLlamaConfig(JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8')));
    const adapter = decodeAdapter(
      { weights: readFileSync(join(out, 'adapter_model.safetensors')), config: readFileSync(join(out, 'adapter_config.json'), 'utf8') },
      config,
    );
    expect(adapter.config).toMatchObject({ rank: 4, alpha: 8, targets: ['q', 'v'] });
  });

  it('rejects bad settings with one clear line before loading anything', () => {
    for (const [flag, value, message] of [
      ['--rank', '0', 'rank: must be at least 1, got 0'],
      ['--targets', 'q,foo', '--targets: unknown module "foo"'],
      ['--lr', 'fast', '--lr must be a number, got "fast"'],
    ]) {
      const run = glon('train', '--dataset', dataset, '--model', STORIES, flag, value, '--out', join(dir, 'x'));
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`glon: error: ${message}`)]);
    }
  });
});
