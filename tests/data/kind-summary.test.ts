import { expect, it } from 'vitest';
import { KINDS } from '../../src/data/generate.ts';

// The Data step opens on this sentence; the logic's own terms wait in a fold (issue 15).
const JARGON = /Barbara|Celarent|existential|Boolean|distractor|preamble/i;

it.each(KINDS.map((k) => [k.kind, k] as const))('%s says what it is in one plain sentence', (_, def) => {
  expect(def.summary.split(/(?<=[.!?])\s+(?=[A-Z])/)).toHaveLength(1);
  expect(def.summary).not.toMatch(JARGON);
  expect(def.summary.length).toBeLessThan(def.description.length);
});
