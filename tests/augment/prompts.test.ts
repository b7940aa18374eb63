import { describe, expect, it } from 'vitest';
import { Lexicon, type WordType } from '../../src/data/lexicon.ts';
import { Rng } from '../../src/util/rng.ts';
import {
  GLOBAL_PLACEHOLDERS,
  GLOBAL_PROMPT,
  LOCAL_PLACEHOLDERS,
  LOCAL_PROMPT,
  PROMPT_WORDS,
  PromptError,
  fillPrompt,
  promptProblem,
} from '../../src/augment/prompts.ts';

describe('default prompts', () => {
  it('have the placeholders their mode fills', () => {
    expect(promptProblem(LOCAL_PROMPT, LOCAL_PLACEHOLDERS)).toBeUndefined();
    expect(promptProblem(GLOBAL_PROMPT, GLOBAL_PLACEHOLDERS)).toBeUndefined();
  });

  it('list their example words, none of which (nor any other prompt word) the lexicon can hand out', () => {
    const words = new Set(`${LOCAL_PROMPT} ${GLOBAL_PROMPT}`.toLowerCase().match(/[a-z]+/g));
    expect(PROMPT_WORDS.filter((w) => !words.has(w))).toEqual([]);
    const lexicon = new Lexicon(new Rng('every word'));
    const drawn = new Set<string>();
    for (const type of ['noun', 'adjective'] as WordType[])
      for (;;) {
        try {
          drawn.add(lexicon.take(type).toLowerCase());
        } catch {
          break;
        }
      }
    expect(drawn.size).toBeGreaterThan(4000);
    expect([...words].filter((w) => drawn.has(w))).toEqual([]);
  });
});

describe('fillPrompt', () => {
  it('fills every placeholder once, never expanding a value again', () => {
    expect(fillPrompt('Docs:\n{documents}\nFocus: {document}', { documents: 'a {document}', document: 'b' })).toBe('Docs:\na {document}\nFocus: b');
  });

  it('names a missing or unknown placeholder', () => {
    expect(() => fillPrompt('Fact:', { sentence: 'x' })).toThrow(PromptError);
    expect(() => fillPrompt('Fact:', { sentence: 'x' })).toThrow('the prompt has no {sentence} placeholder (it needs {sentence})');
    expect(() => fillPrompt('{documents} {focus}', { documents: 'x', document: 'y' })).toThrow('the prompt has no {document} placeholder');
    expect(() => fillPrompt('{sentence} {sentense}', { sentence: 'x' })).toThrow('the prompt has an unknown placeholder {sentense} (it can use {sentence})');
  });
});
