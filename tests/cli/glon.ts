/** Runs the real CLI (`node bin/glon.js ...`) the way a user does, capturing its output. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/glon.js', import.meta.url));

export interface GlonRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function glon(...args: string[]): GlonRun {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, GLON_DEBUG: '' }, timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A failed command: non-zero exit, nothing on stdout, one line "glon: error: ..." and no stack trace. */
export function expectOneLineError(run: GlonRun, message: string | RegExp): void {
  expect(run.status).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^glon: error: /);
  expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  if (typeof message === 'string') expect(lines[0]).toBe(`glon: error: ${message}`);
  else expect(lines[0]).toMatch(message);
}
