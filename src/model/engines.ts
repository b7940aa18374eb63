/**
 * The engines that make glon's pieces, and a version for each. A version goes into the content key of
 * every piece its engine makes (src/experiment/content-keys.ts), so after a change to an engine's outputs the store
 * makes those pieces again instead of handing back stale ones. tests/model/engines.test.ts fails when an
 * engine's golden output changes and its version here does not.
 */
export const ENGINE_VERSIONS = {
  /** Log-probs of options (ort-scorer, the jax-js forward, boundary, templates). */
  scorer: 1,
  /** LoRA training (jax-js forward and backward, AdamW, batches). */
  trainer: 1,
  /** Augmentation prompts, the sentence filter and the oracle's rules. */
  augmenter: 1,
} as const;

export type Engine = keyof typeof ENGINE_VERSIONS;

/** What runs a model's forward pass when it scores. */
export const SCORING_RUNTIMES = ['onnxruntime-node', 'onnxruntime-web', 'jax-js'] as const;
export type ScoringRuntime = (typeof SCORING_RUNTIMES)[number];
