/**
 * The result piece: a dataset's test items scored under one condition, stored under the key of the
 * dataset, the model, the condition, the adapter (fine-tuned conditions), the template and the seed.
 * The scorer is asked for only when the result is not in the store.
 */
import type { LanguageModel } from '../model/language-model.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { EvalResult } from '../eval/result.ts';
import type { DatasetPiece } from './dataset-piece.ts';
import { savedNow, storedOrMade, type PieceContext } from './piece.ts';
import { resultKeyOf, type ResultInputs } from './piece-keys.ts';

export interface ResultPiece {
  result: EvalResult;
  key: string;
  cached: boolean;
}

export async function resultPiece(
  inputs: Omit<ResultInputs, 'datasetHash'> & { dataset: DatasetPiece },
  scorer: () => Promise<LanguageModel>,
  context: PieceContext = {},
): Promise<ResultPiece> {
  const { dataset, condition, template, seed } = inputs;
  const { store } = context;
  const key = await resultKeyOf({ ...inputs, datasetHash: dataset.key });
  const { value, cached } = await storedOrMade(
    key,
    context.report,
    async () => (await store?.get('results', key))?.result,
    async () => {
      const made = await evaluate(dataset.dataset, await scorer(), { condition, template, seed, signal: context.signal, onProgress: context.report?.progress });
      await store?.put('results', { key, result: made, savedAt: savedNow() });
      return made;
    },
  );
  return { result: value, key, cached };
}
