/**
 * patches/@jax-js+jax+*+parallel-kernels.patch: the WASM backend splits a large kernel across threads (Web
 * Workers, or Node's worker_threads) while the calling thread runs the first chunk, handing work over and
 * waiting through shared memory, not one message and promise per launch; and it does so in Node, where
 * jax-js used to run on one thread. Chunks start on the kernel's alignment, so results are bit-identical.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./parallel-kernels-run.ts', import.meta.url));

function run(mode: 'threads' | 'one-thread'): { sha256: string; handedOut: number } {
  // The process must also exit by itself: idle threads do not keep it alive.
  const child = spawnSync(process.execPath, ['--harmony-iterator-helpers', '--import', 'tsx', CHILD, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

it('hands chunks of large kernels to threads, with values and gradients identical to one thread', () => {
  const threads = run('threads');
  const one = run('one-thread');
  expect(one.handedOut).toBe(0);
  expect(threads.handedOut).toBeGreaterThan(0);
  expect(threads.sha256).toBe(one.sha256);
});
