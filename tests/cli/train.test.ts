import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { parseLlamaConfig } from '../../src/model/llama-config.ts';
import { decodeAdapter } from '../../src/train/adapter-files.ts';
import { TrainControl } from '../../src/train/control.ts';
import { trainingExamples } from '../../src/train/examples.ts';
import { resolveTrainSettings } from '../../src/train/settings.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { adapterPiece } from '../../src/experiment/adapter-piece.ts';
import { ADAPTER_RECORD_FILE, parseAdapterRecord } from '../../src/experiment/adapter-record.ts';
import { datasetPiece } from '../../src/experiment/dataset-piece.ts';
import { nodeModels } from '../../src/experiment/node-env.ts';
import { adapterKeyOf } from '../../src/experiment/piece-keys.ts';
import { readDatasetFile } from '../../src/cli/io.ts';

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

  it('with --store, resumes an interrupted training to the adapter an uninterrupted one writes, and reads a finished one from the store', async () => {
    const plain = join(dir, 'plain');
    const args = ['train', '--dataset', dataset, '--model', STORIES, '--epochs', '1', '--seed', '1'];
    expect(glon(...args, '--out', plain).status).toBe(0);

    // A run killed after its checkpoint of step 2 leaves that checkpoint in the store, under the adapter's key.
    const storeDir = join(dir, 'store');
    const store = await openFolderStore(storeDir);
    const models = nodeModels(STORIES, 'fp32');
    const control = new TrainControl();
    try {
      const piece = await datasetPiece(await readDatasetFile(dataset), { store });
      const inputs = {
        datasetHash: piece.key,
        model: 'stories260K@fp32',
        params: { ...resolveTrainSettings({ epochs: 1 }), seed: 1 },
        examples: trainingExamples(piece.dataset, { splitting: 'none', augmentations: [] }),
      };
      const interrupted = adapterPiece(inputs, models, { store, control, checkpointEvery: 2, onStep: (p) => p.step === 3 && control.cancel() });
      await expect(interrupted).rejects.toThrow(/abort/i);
      expect(await store.keys('checkpoints')).toEqual([await adapterKeyOf(inputs)]);
    } finally {
      await models.close();
      await store.close();
    }

    const resumed = glon(...args, '--store', storeDir, '--out', join(dir, 'resumed'));
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(/^train: resuming from step 2 of 12 \(the checkpoint of an interrupted run\)$/m);
    const weights = (out: string) => readFileSync(join(out, 'adapter_model.safetensors'));
    expect(weights(join(dir, 'resumed')).equals(weights(plain))).toBe(true);
    const record = parseAdapterRecord(readFileSync(join(dir, 'resumed', ADAPTER_RECORD_FILE), 'utf8'));
    const uninterrupted = parseAdapterRecord(readFileSync(join(plain, ADAPTER_RECORD_FILE), 'utf8'));
    expect(record.key).toBe(uninterrupted.key);
    expect(record.training).toMatchObject({ status: 'done', steps: 12, totalSteps: 12, losses: uninterrupted.training.losses });
    expect(resumed.stdout).toContain(`adapter key ${record.key}`);

    const again = glon(...args, '--store', storeDir, '--out', join(dir, 'again'));
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/step/);
    expect(again.stdout).toMatch(new RegExp(`^wrote .*; from the store .* \\(12 steps\\), loss [\\d.]+ -> [\\d.]+\nadapter key ${record.key}\n$`));
    expect(weights(join(dir, 'again')).equals(weights(plain))).toBe(true);
  });

  it('on Ctrl-C writes the adapter of the last finished step without a key record, since its key names a finished run', async () => {
    const out = join(dir, 'interrupted');
    mkdirSync(out);
    writeFileSync(join(out, ADAPTER_RECORD_FILE), 'left by an earlier run');
    // 50 epochs: far more steps than can finish between the first report and the interrupt.
    // Its own process group, interrupted whole, as a terminal's Ctrl-C does.
    const child = spawn(process.execPath, [GLON, 'train', '--dataset', dataset, '--model', STORIES, '--epochs', '50', '--out', out], { detached: true });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    // Once the plan line is out (it may share a chunk with earlier output on a loaded machine).
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!sent && stderr.includes('train: ')) {
        sent = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(stdout).toMatch(/; cancelled after step \d+ \(adapter of that step saved\)/);
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(out, ADAPTER_RECORD_FILE))).toBe(false);
  });

  it('refuses an augmentation of another dataset in one line', () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, serializeDataset(generateDataset({ kind: 'reversal', seed: 2 })));
    const oracle = join(dir, 'oracle-2.json');
    expect(glon('augment', '--dataset', other, '--mode', 'oracle', '--out', oracle).status).toBe(0);
    const run = glon('train', '--dataset', dataset, '--model', STORIES, '--augmentation', oracle, '--out', join(dir, 'x'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`glon: error: ${oracle}: an augmentation of another dataset (reversal, seed 2), not of --dataset`);
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
