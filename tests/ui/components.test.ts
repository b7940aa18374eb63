// Components render and dispatch: the rules issue 13 found restated in them live in core modules now,
// and these checks keep them from coming back (each names where the rule lives instead).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = new URL('../../src/ui/', import.meta.url).pathname;
const components = readdirSync(UI, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.svelte'))
  .map((path) => ({ path, text: readFileSync(join(UI, path), 'utf8') }));
const offenders = (pattern: RegExp) => components.filter(({ text }) => pattern.test(text)).map(({ path }) => path);

describe('components', () => {
  it('are found', () => {
    expect(components.length).toBeGreaterThan(30);
  });

  it('leave LoRA alpha to the training settings (overrideTrainSettings)', () => {
    expect(offenders(/\balpha\b/)).toEqual([]);
  });

  it('read the busy state from the worker client (lab.busy) rather than pass it up with $bindable', () => {
    expect(offenders(/\bbusy\s*=\s*\$bindable\(/)).toEqual([]);
  });

  it('leave the training device to model/device.ts (trainingDevice)', () => {
    expect(offenders(/device\s*===\s*'webgpu'\s*\?\s*'webgpu'/)).toEqual([]);
  });
});
