import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../models-dir.ts';
import { expectOneLineError, glon } from './glon.ts';

const dir = mkdtempSync(join(tmpdir(), 'glon-cli-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STORIES = join(MODELS_DIR, 'stories260K');

describe('glon bench', () => {
  it('times cached against naive ICL scoring, which agree, and keeps the other sections of the results file', () => {
    const out = join(dir, 'results.json');
    writeFileSync(out, JSON.stringify({ training: { stepsPerSecond: 3 } }));
    const run = glon('bench', '--only', 'scoring', '--model', STORIES, '--naive-items', '2', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^cached ICL: [\d.]+ items\/s \(48 items, 96 options in [\d.]+ s\), \d+ tokens\/s$/m);
    expect(run.stdout).toMatch(/^naive ICL: {2}[\d.]+ items\/s \(2 items, 4 options in [\d.]+ s\), \d+ tokens\/s$/m);
    expect(run.stdout).toMatch(/^cached \/ naive: [\d.]+x; largest log-prob difference between them: /m);

    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.training).toEqual({ stepsPerSecond: 3 });
    const scoring = results.scoring;
    expect(scoring.dataset).toEqual({ kind: 'reversal', seed: 0, preset: 'small', items: 48 });
    expect(scoring.model).toEqual({ folder: STORIES, dtype: 'fp32', device: 'cpu' });
    expect(scoring.machine.cores).toBeGreaterThan(0);
    // The 512-token model holds only part of the training text; the naive path scores the same context.
    expect(scoring.documents.kept).toBeLessThan(scoring.documents.total);
    expect(scoring.maxLogprobDifference).toBeLessThanOrEqual(1e-4);
    expect(scoring.naive.forwardTokens).toBeGreaterThan(4 * scoring.contextTokens);
    expect(scoring.cached.forwardTokens).toBeGreaterThan(scoring.contextTokens);
    expect(scoring.speedup).toBeCloseTo(scoring.cached.itemsPerSecond / scoring.naive.itemsPerSecond, 10);
  });

  it('times LoRA training on stories260K, counts its dispatches on WASM and WebGPU, profiles its kernels and keeps the scoring section', () => {
    const out = join(dir, 'training.json');
    writeFileSync(out, JSON.stringify({ scoring: { speedup: 9 } }));
    const run = glon('bench', '--only', 'training', '--train-steps', '2', '--rounds', '1', '--no-browser', '--train-model', STORIES, '--profile', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^kernel dispatches per training step: WASM \d+, WebGPU \(SwiftShader\) \d+$/m);
    // With a python3 that has torch, the reference and the ratio; without, how to get them.
    expect(run.stdout).toMatch(/^(glon \/ PyTorch, interleaved rounds: [\d.]+ \(median|PyTorch reference: no python3 with torch here)/m);
    expect(run.stdout).toMatch(/^in chromium: not measured \(--no-browser\)$/m);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.scoring).toEqual({ speedup: 9 });
    const t = results.training;
    // Node shares jax-js's WASM memory with worker threads (patches/@jax-js+jax+*+parallel-kernels.patch).
    expect(t.kernelThreads).toBe(availableParallelism());
    expect(run.stdout).toMatch(new RegExp(`^LoRA training \\(WASM, 8x64, ${t.kernelThreads} kernel threads?\\): \\d+ tokens/s, [\\d.]+ s/step`, 'm'));
    expect(run.stdout).toMatch(/^time estimate shown before a run: [\d.]+ s\/step \(measured [\d.]+\)$/m);
    expect(t.estimatedStepSeconds).toBeGreaterThan(0);
    expect(t.model).toEqual({ folder: STORIES, dtype: 'fp32', device: 'wasm' });
    expect([t.batch, t.length, t.steps]).toEqual([8, 64, 2]);
    expect(t.trainTokensPerSecond).toBeCloseTo((8 * 64) / t.trainStepSeconds, 6);
    expect(t.forwardStepSeconds).toBeGreaterThan(0);
    expect(t.matmulFlops).toBeGreaterThan(0);
    expect(t.fits.map((f: { name: string }) => f.name)).toEqual(['smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b']);
    expect(run.stdout).toMatch(/^fits on WASM \(estimated\): smollm2-135m \d+\/30 layers, smollm2-360m \d+\/32 layers, qwen2.5-0.5b \d+\/24 layers$/m);
    // Every step launches the same kernels; the groups split them and the kernel time between them.
    const p = t.profile as { steps: number; launchesPerStep: number; groups: { name: string; launchesPerStep: number; share: number }[] };
    expect(p.steps).toBe(3);
    expect(Number.isInteger(p.launchesPerStep) && p.launchesPerStep > 100).toBe(true);
    expect(p.groups.reduce((n, g) => n + g.launchesPerStep, 0)).toBe(p.launchesPerStep);
    expect(p.groups.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1, 6);
    expect(run.stdout).toMatch(new RegExp(`^kernel profile \\(3 steps under jax-js's profiler\\): ${p.launchesPerStep} kernel launches per step; \\d+% of the step time is outside kernels`, 'm'));
    expect(run.stdout).toMatch(/^memory: jax-js's WASM memory peaked at \d+ MiB \(what the 4 GiB limit applies to\); the estimate that refuses runs says \d+ MiB$/m);
    expect(t.wasmMemoryPeak).toBeGreaterThan(0);
    // Dispatch counts are exact: whole launches, fewer on WebGPU, whose plan fuses projections.
    expect(Number.isInteger(t.dispatchesPerStep) && Number.isInteger(t.webgpuDispatchesPerStep)).toBe(true);
    expect(t.webgpuDispatchesPerStep).toBeLessThan(t.dispatchesPerStep);
    expect(t.rounds).toHaveLength(1);
  });

  it('refuses bad options and a results file it cannot merge into', () => {
    expectOneLineError(glon('bench', '--dtype', 'q4'), '--dtype must be one of fp32, q8, got "q4"');
    expectOneLineError(glon('bench', '--naive-items', '0'), '--naive-items must be a positive integer, got "0"');
    expectOneLineError(glon('bench', '--train-shape', '8by64'), '--train-shape must be BATCHxLENGTH such as 8x64, got "8by64"');
    expectOneLineError(glon('bench', '--train-shape', '0x64'), '--train-shape must be BATCHxLENGTH such as 8x64, got "0x64"');
    expectOneLineError(glon('bench', '--rounds', '0'), '--rounds must be a positive integer, got "0"');
    expectOneLineError(glon('bench', '--only', 'all'), '--only must be one of scoring, training, got "all"');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expectOneLineError(
      glon('bench', '--model', STORIES, '--naive-items', '1', '--out', broken),
      `${broken} is not a JSON object of benchmark sections; move it away to start a new results file`,
    );
  });
});
