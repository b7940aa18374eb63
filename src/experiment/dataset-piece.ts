/**
 * The dataset piece: a dataset stored under the SHA-256 of its file's bytes, the hash every other piece
 * names it by. An experiment generates it from its spec and seed; `glon train`, `glon eval` and
 * `glon augment` read it from a file; the page holds it.
 */
import { serializeDataset, type Dataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import { savedNow, storedOrMade, type PieceContext } from './piece.ts';

export interface DatasetPiece {
  dataset: Dataset;
  key: string;
}

export async function datasetPiece(dataset: Dataset, context: PieceContext = {}): Promise<DatasetPiece & { cached: boolean }> {
  const { store } = context;
  const key = await sha256Hex(serializeDataset(dataset));
  const { cached } = await storedOrMade(
    key,
    context.report,
    async () => (await store?.get('datasets', key))?.dataset,
    async () => {
      await store?.put('datasets', { key, dataset, savedAt: savedNow() });
      return dataset;
    },
  );
  return { dataset, key, cached };
}
