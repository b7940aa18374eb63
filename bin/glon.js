#!/usr/bin/env node
// The glon CLI is TypeScript run through tsx; Node 20 also needs --harmony-iterator-helpers for jax-js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`glon needs Node.js 20 or newer (this is ${process.version})`);
  process.exit(1);
}
const flags = major < 22 ? ['--harmony-iterator-helpers'] : [];
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// Ctrl-C reaches the whole process group: the command decides what it means (glon train and glon run stop
// after the current step and save), so this wrapper must outlive it and exit with its status.
process.on('SIGINT', () => {});
const child = spawnSync(
  process.execPath,
  [...flags, '--no-warnings=ExperimentalWarning', '--import', import.meta.resolve('tsx'), main, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(child.status ?? 1);
