import { describe, expect, it } from 'vitest';
import { tiedTestItems, type TiedQuestion } from '../../src/data/tied-items.ts';
import { Rng } from '../../src/util/rng.ts';

// "zorp" shares a document with "blick" and "dax"; "wug" and "fep" never meet it.
const train = [
  { id: 'd0', text: 'Zorp is a blick.' },
  { id: 'd1', text: 'Zorp is near a dax.' },
  { id: 'd2', text: 'Mib is a wug. Mib is a fep. Mib is a blick.' },
];
const q = (id: string, cue: string, answer: string, wrong: string[], premises: string[]) => ({ id, prompt: `${cue} is a`, cue, answer, wrong, premises });

describe('tiedTestItems', () => {
  it('keeps only distractors that co-occur with the cue as often as the answer, and lists premises in training order', () => {
    const pools = {
      split: [[q('a', 'zorp', 'blick', ['dax', 'wug'], ['d1', 'd0']), q('b', 'zorp', 'dax', ['blick', 'fep'], ['d1'])]] as (TiedQuestion & { premises: string[] })[][],
    };
    const test = tiedTestItems(train, pools, { split: 2 }, 2, new Rng('t'), (x) => x.premises);
    expect(test.map((t) => t.id).sort()).toEqual(['a', 'b']);
    for (const item of test) {
      // wug and fep never meet zorp while the answers do: they are dropped, and the pair shares its two options.
      expect([...item.options].sort()).toEqual(['blick', 'dax']);
      expect(item.options[item.answer]).toBe(item.id === 'a' ? 'blick' : 'dax');
    }
    expect(test.find((t) => t.id === 'a')!.derivation).toEqual(['d0', 'd1']);
    expect(new Set(test.map((t) => t.answer))).toEqual(new Set([0, 1]));
  });
});
