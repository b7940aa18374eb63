/**
 * The Architecture that buildLlamaModel writes, for a model already on disk: its shapes from config.json and
 * what its weights show (biases, a separate head). The tokenizer files travel with the folder, so the
 * fields only make-model's tokenizer and random init use stay neutral.
 */
import type { Architecture } from './architectures.ts';
import type { LlamaConfig } from './llama-config.ts';
import type { LlamaWeights } from './onnx-weights.ts';

export function architectureOf(config: LlamaConfig, modelType: string | undefined, weights: LlamaWeights): Architecture {
  return {
    modelType: modelType === 'qwen2' ? 'qwen2' : 'llama',
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    numLayers: config.numLayers,
    numHeads: config.numHeads,
    numKvHeads: config.numKvHeads,
    headDim: config.headDim,
    vocabSize: config.vocabSize,
    maxPositionEmbeddings: config.maxPositions,
    ropeTheta: config.ropeTheta,
    rmsNormEps: config.rmsNormEps,
    // A quantized export keeps its own copy of a tied head: it is written as stored.
    tieWordEmbeddings: weights.lmHead === undefined,
    attentionBias: weights.layers.some((l) => l.bias?.q !== undefined),
    initializerRange: 0,
    bosTokenId: config.bosTokenId ?? 0,
    eosTokenId: config.eosTokenId ?? 0,
    specialTokens: [],
  };
}
