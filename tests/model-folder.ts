/** A writable copy of a real model folder in a temp dir, for tests that break or extend one file. */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MODELS_DIR } from './models-dir.ts';

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (name === 'original') continue;
    const src = join(from, name);
    if (statSync(src).isDirectory()) copyTree(src, join(to, name));
    else writeFileSync(join(to, name), readFileSync(src));
  }
}

const copies: string[] = [];

/** Copies MODELS_DIR/<name> (without its llama2.c originals) to a fresh temp folder and returns the copy's path. */
export function copyModel(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'glon-model-')), name);
  copyTree(join(MODELS_DIR, name), dir);
  copies.push(dirname(dir));
  return dir;
}

/** Deletes every copy made so far (call from afterAll). */
export function removeModelCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}
