/**
 * Oracle rules for `reversal` datasets: "more X than" is a strict order per adjective, so every comparison
 * the training text states, or chains, holds read either way ("femp are more dangerous than glon" ->
 * "glon are less dangerous than femp"). Each inference is written bare, the way test prompts start
 * ("glon are ..."), and inside preambles the training text uses ("It is known that %s.").
 */
import type { AugmentedSentence } from '../augmentation.ts';
import { SentenceWriter, type TrainingSide } from './shared.ts';

const COMPARISON = /\b([a-z]+) are (more|less) ([a-z]+) than ([a-z]+)\b/g;

/** Preambles per inference besides the bare sentence: a few phrasings, since training time grows with every sentence. */
const PREAMBLES_PER_INFERENCE = 2;

interface Comparison {
  high: string;
  adjective: string;
  low: string;
}

const say = (subject: string, relation: 'more' | 'less', adjective: string, object: string) => `${subject} are ${relation} ${adjective} than ${object}`;

export function reversalOracle(dataset: TrainingSide): AugmentedSentence[] {
  const writer = new SentenceWriter(dataset.train);
  /** adjective -> higher noun -> lower noun -> documents stating it. */
  const above = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** The training text around a lone comparison, with `%s` where it stood. */
  const preambles: string[] = [];
  for (const doc of dataset.train) {
    const found = [...doc.text.matchAll(COMPARISON)];
    for (const [, subject, relation, adjective, object] of found) {
      const c: Comparison = relation === 'more' ? { high: subject, adjective, low: object } : { high: object, adjective, low: subject };
      const byHigh = above.get(c.adjective) ?? new Map<string, Map<string, Set<string>>>();
      above.set(c.adjective, byHigh);
      const lows = byHigh.get(c.high) ?? new Map<string, Set<string>>();
      byHigh.set(c.high, lows);
      lows.set(c.low, (lows.get(c.low) ?? new Set()).add(doc.id));
    }
    if (found.length === 1) {
      const [match] = found;
      const preamble = doc.text.slice(0, match.index) + '%s' + doc.text.slice(match.index + match[0].length);
      if (!preambles.includes(preamble)) preambles.push(preamble);
    }
  }

  let turn = 0;
  /** The bare sentence, then preambles in turn, skipping any that would repeat a training line. */
  const write = (statement: string, docs: Iterable<string>) => {
    const premises = [...docs];
    writer.write(`${statement}.`, premises);
    let placed = 0;
    for (let tried = 0; tried < preambles.length && placed < PREAMBLES_PER_INFERENCE; tried++) {
      if (writer.write(preambles[turn % preambles.length].replace('%s', statement), premises)) placed++;
      turn++;
    }
  };

  for (const [adjective, byHigh] of above)
    for (const high of byHigh.keys()) {
      // Everything below `high` by a chain of stated comparisons, with the documents of the first chain found.
      const reached = new Map<string, Set<string>>();
      const stack: [string, Set<string>][] = [[high, new Set()]];
      while (stack.length) {
        const [x, docs] = stack.pop()!;
        for (const [low, stating] of byHigh.get(x) ?? []) {
          if (reached.has(low) || low === high) continue;
          const chain = new Set([...docs, ...stating]);
          reached.set(low, chain);
          stack.push([low, chain]);
        }
      }
      for (const [low, docs] of reached) {
        write(say(high, 'more', adjective, low), docs);
        write(say(low, 'less', adjective, high), docs);
      }
    }
  return writer.sentences;
}
