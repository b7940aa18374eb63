/**
 * Training with jax-js's kernel threads (patches/@jax-js+jax+*+parallel-kernels.patch) gives the adapter
 * one thread gives, bit for bit: each thread computes whole output elements with the same code, so where
 * a page or machine runs on one thread or several changes the speed only.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { MODELS_DIR } from '../models-dir.ts';

const CHILD = fileURLToPath(new URL('./kernel-threads-run.ts', import.meta.url));

function train(mode: 'threads' | 'one-thread'): { sha256: string; handedOut: number; threads: number } {
  const child = spawnSync(process.execPath, ['--harmony-iterator-helpers', '--import', 'tsx', CHILD, mode, join(MODELS_DIR, 'stories260K')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}

it('trains the same LoRA parameters on kernel threads as on one thread', () => {
  const one = train('one-thread');
  const threads = train('threads');
  expect(one).toMatchObject({ handedOut: 0, threads: 1 });
  expect(threads.threads).toBeGreaterThan(1);
  expect(threads.handedOut).toBeGreaterThan(0);
  expect(threads.sha256).toBe(one.sha256);
}, 240_000);
