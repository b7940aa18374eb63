/**
 * The baseline that prefix reuse is measured against: the same model, but every option gets its own pass
 * over context + prompt + option, and nothing computed for one option is reused for the next.
 */
import type { LanguageModel, OptionScore, RunOptions, ScoreRequest } from '../model/language-model.ts';

export function withoutPrefixReuse(model: LanguageModel): LanguageModel {
  return {
    id: model.id,
    device: model.device,
    dtype: model.dtype,
    engine: model.engine,
    contextLength: model.contextLength,
    countTokens: (text) => model.countTokens(text),
    applyChatTemplate: (messages) => model.applyChatTemplate(messages),
    generate: (prompt, options) => model.generate(prompt, options),
    dispose: () => model.dispose(),
    async scoreItems(context: string, requests: readonly ScoreRequest[], { signal, onProgress }: RunOptions = {}) {
      const total = requests.reduce((n, r) => n + r.options.length, 0);
      let done = 0;
      const scores: OptionScore[][] = [];
      for (const request of requests) {
        const row: OptionScore[] = [];
        for (const option of request.options) {
          // An empty shared context: the whole text is this option's own, encoded and run from scratch.
          const [[score]] = await model.scoreItems('', [{ prompt: context + request.prompt, options: [option] }], { signal });
          row.push(score);
          onProgress?.({ stage: 'options', done: ++done, total });
        }
        scores.push(row);
      }
      return scores;
    },
  };
}
