/**
 * The one interface every condition is measured through. The ONNX Runtime model (transformers.js) and the
 * jax-js engine with a LoRA adapter both implement it, so base, ICL and FT are scored the same way.
 */
import type { ScoringRuntime } from './engines.ts';

export type Device = 'webgpu' | 'wasm' | 'cpu';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4';

/** Log-likelihood of one answer option after a context. */
export interface OptionScore {
  /** Summed log-prob (nats) of the option's tokens given the context. */
  logprob: number;
  /** Number of option tokens after the context boundary. */
  tokens: number;
}

/** One multiple-choice question whose prompt follows a shared context. */
export interface ScoreRequest {
  prompt: string;
  options: readonly string[];
}

export interface Progress {
  stage: string;
  done: number;
  total: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface GenerateOptions extends RunOptions {
  maxNewTokens?: number;
  /** 0 or absent: greedy. */
  temperature?: number;
  topK?: number;
  /** Sampling seed (ignored when greedy). */
  seed?: number;
  /** Generation stops at the first of these; the returned text ends before it. */
  stop?: readonly string[];
}

export interface LanguageModel {
  /** Hub id or folder the model came from. */
  readonly id: string;
  readonly device: Device;
  readonly dtype: Dtype;
  /** What scores with it: ONNX Runtime (Node or web) or the jax-js forward pass. */
  readonly engine: ScoringRuntime;
  /** Longest sequence (tokens) the model accepts. */
  readonly contextLength: number;
  countTokens(text: string): number;
  /** Chat template applied to messages, when the tokenizer has one; else undefined. */
  applyChatTemplate(messages: { role: 'system' | 'user' | 'assistant'; content: string }[]): string | undefined;
  /**
   * Scores every option of every request. The tokens of `context` are encoded once and their key/value
   * cache reused for all requests; boundaries are found by tokenizing context + prompt + option together.
   */
  scoreItems(context: string, requests: readonly ScoreRequest[], options?: RunOptions): Promise<OptionScore[][]>;
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  dispose(): Promise<void>;
}
