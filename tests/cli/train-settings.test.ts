/**
 * Training settings are one schema (src/train/settings.ts): every door — `glon train` flags, experiment
 * files through `glon run` — refuses the same out-of-bounds values with one line, before any work.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { expectOneLineError, glon } from './glon.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

describe('training settings at every door', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-train-settings-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1, params: { facts: 4 } })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('glon train refuses unbounded epochs, and batch sizes, learning rates and ranks out of range', () => {
    for (const [flag, value, message] of [
      ['--epochs', '1e12', 'epochs: must be at most 1000, got 1000000000000'],
      ['--batch', '100000', 'batchSize: must be at most 512, got 100000'],
      ['--lr', '-0.1', 'learningRate: must be positive, got -0.1'],
      ['--lr', 'Infinity', '--lr must be a number, got "Infinity"'],
      ['--rank', '2.5', 'rank: must be a whole number, got 2.5'],
      ['--alpha', '0', 'alpha: must be positive, got 0'],
    ]) {
      const out = join(dir, 'never');
      expectOneLineError(glon('train', '--dataset', dataset, '--model', STORIES, flag, value, '--out', out), message);
    }
  });

  it('glon run refuses a non-positive clip norm and a negative weight decay in the experiment file', () => {
    const experiment = { format: 'glon.experiment/1', dataset: { kind: 'reversal' }, model: { id: 'stories260K' }, conditions: ['ft'] };
    for (const [train, message] of [
      [{ clipNorm: -5 }, 'train.clipNorm: must be positive, got -5'],
      [{ clipNorm: 0 }, 'train.clipNorm: must be positive, got 0'],
      [{ weightDecay: -1 }, 'train.weightDecay: must be 0 or more, got -1'],
      [{ epochs: 1e12 }, 'train.epochs: must be at most 1000, got 1000000000000'],
    ] as const) {
      const config = join(dir, 'experiment.json');
      writeFileSync(config, JSON.stringify({ ...experiment, train }));
      const run = glon('run', '--config', config, '--out', join(dir, 'out'), '--store', join(dir, 'store'), '--models', MODELS_DIR);
      expectOneLineError(run, `${config}: invalid experiment: ${message}`);
    }
  });

  it('a run estimated over the time limit needs --yes', () => {
    // 1,000 documents at batch 32 for 1,000 epochs: 32,000 steps, over half an hour on WASM (src/train/estimate.ts).
    const paper = join(dir, 'paper-long.json');
    writeFileSync(paper, serializeDataset(generateDataset({ kind: 'reversal', seed: 1, preset: 'paper' })));
    const run = glon('train', '--dataset', paper, '--model', STORIES, '--epochs', '1000', '--batch', '32', '--out', join(dir, 'long'));
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^glon: error: this training run is estimated to take about \d+ minutes \(32000 steps\), over the 30-minute limit: pass --yes to start it anyway, or use fewer epochs$/,
    );
    expect(run.status).toBe(1);
  });

  it('caps the total steps of a run, which epochs alone do not bound', () => {
    const paper = join(dir, 'paper.json');
    writeFileSync(paper, serializeDataset(generateDataset({ kind: 'reversal', seed: 1, preset: 'paper' })));
    const run = glon('train', '--dataset', paper, '--model', STORIES, '--epochs', '1000', '--batch', '1', '--yes', '--out', join(dir, 'never'));
    expect(run.stderr.trim().split('\n').at(-1)).toBe('glon: error: 1000000 training steps is over the limit of 100000: use fewer epochs or a larger batch');
    expect(run.status).toBe(1);
  });

  it('LoRA alpha follows the rank (2 x rank) when not given, as in the page', () => {
    const out = join(dir, 'adapter');
    const run = glon('train', '--dataset', dataset, '--model', STORIES, '--epochs', '1', '--rank', '4', '--targets', 'q', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/LoRA r=4 alpha=8 on q;/);
    expect(JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'))).toMatchObject({ r: 4, lora_alpha: 8 });
  });
});
