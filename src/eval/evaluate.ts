/**
 * Evaluates a dataset under a condition: every test item is scored by log-likelihood of each option
 * after the shared context (which the model encodes once) and the item's prompt. Reports accuracy by
 * summed log-prob and by log-prob per character (acc_norm), per split, with exact 95% intervals and chance.
 * An item with a score that is not finite is marked unscored and counts as wrong (result.ts).
 */
import type { Dataset } from '../data/format.ts';
import { continuation, serializeDataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import { Rng } from '../util/rng.ts';
import { ENGINE_VERSIONS } from '../model/engines.ts';
import type { LanguageModel, OptionScore, RunOptions } from '../model/language-model.ts';
import { chanceLevel } from './chance.ts';
import { conditionInfo } from './conditions.ts';
import { fitDocuments } from '../data/fit-context.ts';
import { clopperPearson } from './proportion-interval.ts';
import { RESULT_FORMAT, type EvalResult, type ItemResult, type SplitResult } from './result.ts';
import { templateByName } from './templates.ts';

export interface EvaluateOptions extends RunOptions {
  condition: string;
  template: string;
  /** Seeds the ICL subsample (when needed). */
  seed: number;
}

/**
 * acc_norm's score as lm-evaluation-harness defines it: the log-prob over the option's own length in
 * code points, without the space that joins it to the prompt (that space is scored, but not counted).
 */
export function perCharacter(logprob: number, option: string): number {
  return logprob / [...option].length;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Index of the highest value; the first wins a tie. */
function best(values: readonly number[]): number {
  return values.reduce((top, v, i) => (v > values[top] ? i : top), 0);
}

function tally(items: readonly ItemResult[], chosen: (item: ItemResult) => number | null) {
  const correct = items.filter((item) => chosen(item) === item.answer).length;
  return { correct, accuracy: correct / items.length, ci: clopperPearson(correct, items.length) };
}

export async function evaluate(dataset: Dataset, model: LanguageModel, options: EvaluateOptions): Promise<EvalResult> {
  const started = new Date();
  const t0 = performance.now();
  const condition = conditionInfo(options.condition);
  const template = templateByName(options.template);
  const rng = new Rng(`evaluate/${options.seed}`);
  const requests = dataset.test.map((item) => ({
    prompt: item.prompt,
    options: item.options.map((option) => continuation(item.prompt, option)),
  }));

  const notes: string[] = [];
  let facts: string[] | null = null;
  let documents: { kept: number; total: number } | null = null;
  let subsampled = false;
  if (condition.trainingInContext) {
    // Start tokens counted in both terms leave a token of slack for a merge at the join.
    const longestItem = Math.max(...requests.flatMap((r) => r.options.map((o) => model.countTokens(r.prompt + o))));
    const fits = (docs: string[]) => model.countTokens(template.context(docs, model)) + longestItem <= model.contextLength;
    const fitted = fitDocuments(
      dataset.train.map((doc) => doc.text),
      fits,
      rng.fork('icl-subsample'),
    );
    facts = fitted.kept;
    documents = { kept: fitted.kept.length, total: fitted.total };
    subsampled = fitted.subsampled;
    if (subsampled)
      notes.push(
        `training text subsampled: ${fitted.kept.length} of ${fitted.total} documents (chosen by seed ${options.seed}) ` +
          `fit the model's ${model.contextLength}-token context`,
      );
  }
  const context = template.context(facts, model);

  const scores: OptionScore[][] = await model.scoreItems(context, requests, { signal: options.signal, onProgress: options.onProgress });
  const items: ItemResult[] = dataset.test.map((item, i) => {
    const logprobs = scores[i].map((s) => s.logprob);
    const normalized = scores[i].map((s, o) => perCharacter(s.logprob, item.options[o]));
    const scored = [...logprobs, ...normalized].every(Number.isFinite);
    // A NaN compares false with everything, so best() would quietly pick the first option: no pick instead.
    return {
      id: item.id,
      split: item.split,
      logprobs: logprobs.map(finiteOrNull),
      normalized: normalized.map(finiteOrNull),
      tokens: scores[i].map((s) => s.tokens),
      chosen: scored ? best(logprobs) : null,
      chosenNormalized: scored ? best(normalized) : null,
      answer: item.answer,
      ...(scored ? {} : { unscored: true as const }),
    };
  });

  const splits: Record<string, SplitResult> = {};
  for (const split of new Set(items.map((item) => item.split))) {
    const inSplit = items.filter((item) => item.split === split);
    const chance = chanceLevel(inSplit.map((item) => item.logprobs.length));
    const unscored = inSplit.filter((item) => item.unscored).length;
    splits[split] = {
      n: inSplit.length,
      ...(unscored > 0 ? { unscored } : {}),
      chance,
      ...tally(inSplit, (item) => item.chosen),
      normalized: tally(inSplit, (item) => item.chosenNormalized),
    };
  }

  return {
    format: RESULT_FORMAT,
    dataset: { kind: dataset.kind, seed: dataset.seed, hash: await sha256Hex(serializeDataset(dataset)) },
    model: model.id,
    condition: options.condition,
    device: model.device,
    dtype: model.dtype,
    engine: { runtime: model.engine, scorer: ENGINE_VERSIONS.scorer },
    template: template.name,
    seed: options.seed,
    context: { tokens: model.countTokens(context), documents, subsampled },
    notes,
    splits,
    items,
    timing: { started: started.toISOString(), seconds: (performance.now() - t0) / 1000 },
  };
}
