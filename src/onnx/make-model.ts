/**
 * A model folder in transformers.js layout with random weights and the exact shapes of a real architecture:
 * what benchmarks and tests load when the real weights cannot be downloaded here.
 */
import { Rng } from '../util/rng.ts';
import type { SpecialToken } from '../model/architectures.ts';
import { byteLevelTokenizer } from './byte-level-tokenizer.ts';
import type { Progress } from '../model/language-model.ts';
import { buildLlamaModel, type WeightFormat } from './llama-graph.ts';
import { DTYPE_FILES } from '../model/dtypes.ts';
import { configJson, type LlamaConfig } from '../model/llama-config.ts';
import { encodeModel } from './onnx-writer.ts';
import { randomLlamaWeights } from './random-weights.ts';

export const WEIGHT_FORMATS: readonly WeightFormat[] = ['fp32', 'q8'];

export interface MakeModelOptions {
  config: LlamaConfig;
  /** The tokenizer's control tokens at their ids. */
  specialTokens: readonly SpecialToken[];
  seed: number;
  dtypes: readonly WeightFormat[];
  /** GPT-2 merge lines for the tokenizer (see byte-level-tokenizer.ts). */
  merges: readonly string[];
  /** Recorded in config.json so the folder says where it came from. */
  like: string;
  onProgress?: (progress: Progress) => void;
}

/** A file of the model folder, path relative to the folder. */
export interface ModelFile {
  path: string;
  contents: Uint8Array | string;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function makeModel(options: MakeModelOptions): ModelFile[] {
  const { config, seed, dtypes } = options;
  const steps = 1 + dtypes.length;
  options.onProgress?.({ stage: 'random weights', done: 0, total: steps });
  const weights = randomLlamaWeights(config, new Rng(seed).fork('make-model'));
  const { tokenizer, tokenizerConfig } = byteLevelTokenizer(config, options.specialTokens, options.merges);
  const configFile = { ...configJson(config), glon_make_model: { like: options.like, seed, weights: 'random' } };
  const files: ModelFile[] = [
    { path: 'config.json', contents: json(configFile) },
    { path: 'generation_config.json', contents: json({ bos_token_id: config.bosTokenId, eos_token_id: config.eosTokenId }) },
    { path: 'tokenizer.json', contents: json(tokenizer) },
    { path: 'tokenizer_config.json', contents: json(tokenizerConfig) },
  ];
  dtypes.forEach((dtype, i) => {
    options.onProgress?.({ stage: `${dtype} ONNX graph`, done: 1 + i, total: steps });
    files.push({ path: DTYPE_FILES[dtype], contents: encodeModel(buildLlamaModel(config, weights, dtype)) });
  });
  options.onProgress?.({ stage: 'done', done: steps, total: steps });
  return files;
}
