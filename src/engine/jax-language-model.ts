/**
 * The jax-js engine behind the LanguageModel interface, with an optional LoRA adapter, so the fine-tuned
 * condition is scored exactly like the base model. Each option runs as one full sequence (context +
 * prompt + option, right-padded in batches): no key/value reuse, which is fine for the short prompts of
 * the FT condition. Generation recomputes the sequence per token (no cache) and is meant for short outputs.
 * The engine weights are borrowed, not owned (several adapters can share one base): dispose() frees only
 * the adapter.
 */
import { jit, numpy as np } from '@jax-js/jax';
import type { Device, Dtype, GenerateOptions, LanguageModel, OptionScore, RunOptions, ScoreRequest } from '../model/language-model.ts';
import { planScoring, type OptionTokens } from '../model/boundary.ts';
import { generateText, type TextCodec } from '../model/generation.ts';
import { forwardHidden, logitsFrom, targetLogprobs, type EngineWeights, type LoraRuntime } from './llama.ts';
import { loraLayout, loraScale, loraViews, packLora, type LoraAdapter, type LoraLayout } from './lora.ts';

/** What the model needs from a tokenizer (transformers.js's PreTrainedTokenizer fits). */
export interface EngineTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  applyChatTemplate?(messages: { role: 'system' | 'user' | 'assistant'; content: string }[]): string | undefined;
}

export interface JaxModelParts {
  id: string;
  device: Device;
  dtype: Dtype;
  weights: EngineWeights;
  tokenizer: EngineTokenizer;
  adapter?: LoraAdapter;
  /** Sequences per forward pass when scoring. */
  batchSize?: number;
}

/** Padded lengths come in steps of this, so a handful of compiled shapes serve every batch. */
const LENGTH_STEP = 16;

type Scorer = ((tokens: np.Array, positions: np.Array, targets: np.Array) => np.Array) & { dispose(): void };

export class JaxLanguageModel implements LanguageModel {
  readonly id: string;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly engine = 'jax-js';
  readonly contextLength: number;
  private readonly weights: EngineWeights;
  private readonly tokenizer: EngineTokenizer;
  /** The adapter as the parameter vector training produces, and its layout. */
  private readonly lora?: { theta: np.Array; layout: LoraLayout };
  private readonly runtime: LoraRuntime;
  private readonly batchSize: number;
  private readonly scorer: Scorer;

  constructor(parts: JaxModelParts) {
    this.id = parts.id;
    this.device = parts.device;
    this.dtype = parts.dtype;
    this.weights = parts.weights;
    this.tokenizer = parts.tokenizer;
    this.contextLength = parts.weights.config.maxPositions;
    this.batchSize = parts.batchSize ?? 8;
    if (parts.adapter) {
      const layout = loraLayout(parts.weights.config, parts.adapter.config);
      this.lora = { theta: np.array(packLora(parts.adapter, layout), { dtype: np.float32 }), layout };
    }
    this.runtime = { scale: parts.adapter ? loraScale(parts.adapter.config) : 1, dropout: 0 };
    const { weights, lora, runtime } = this;
    this.scorer = jit((tokens: np.Array, positions: np.Array, targets: np.Array) =>
      targetLogprobs(weights, forwardHidden(weights, lora && loraViews(lora.theta, lora.layout), runtime, tokens, positions), targets),
    ) as unknown as Scorer;
  }

  countTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  applyChatTemplate(messages: { role: 'system' | 'user' | 'assistant'; content: string }[]): string | undefined {
    return this.tokenizer.applyChatTemplate?.(messages);
  }

  private paddedLength(n: number): number {
    return Math.min(this.contextLength, Math.ceil(n / LENGTH_STEP) * LENGTH_STEP);
  }

  /** Log-prob of each next token of each sequence: row b, position t holds log p(seq[t + 1] | seq[..t]). */
  private async tokenLogprobs(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const B = this.batchSize;
    const T = this.paddedLength(Math.max(...sequences.map((s) => s.length)));
    const tokens = new Int32Array(B * T);
    const positions = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    sequences.forEach((seq, b) => {
      for (let t = 0; t < seq.length; t++) {
        tokens[b * T + t] = seq[t];
        positions[b * T + t] = t;
        if (t + 1 < seq.length) targets[b * T + t] = seq[t + 1];
      }
    });
    const shape = [B, T];
    const out = this.scorer(
      np.array(tokens, { shape, dtype: np.int32 }),
      np.array(positions, { shape, dtype: np.int32 }),
      np.array(targets, { shape, dtype: np.int32 }),
    );
    const data = (await out.data()) as Float32Array;
    return sequences.map((_, b) => data.subarray(b * T, (b + 1) * T));
  }

  async scoreItems(context: string, requests: readonly ScoreRequest[], { signal, onProgress }: RunOptions = {}): Promise<OptionScore[][]> {
    const encode = (text: string) => this.tokenizer.encode(text);
    const options: OptionTokens[] = [];
    const owner: { request: number; option: number }[] = [];
    requests.forEach((request, r) => {
      const head = encode(context + request.prompt);
      request.options.forEach((option, o) => {
        const whole = encode(context + request.prompt + option);
        if (whole.length > this.contextLength)
          throw new Error(`item ${r} option ${o} needs ${whole.length} tokens with its context; the model accepts ${this.contextLength}`);
        options.push({ whole, head });
        owner.push({ request: r, option: o });
      });
    });
    const plan = planScoring(encode(context), options);
    const scores: OptionScore[][] = requests.map((request) => new Array<OptionScore>(request.options.length));
    // Similar lengths in one batch waste less compute on padding.
    const order = options.map((_, i) => i).sort((a, b) => options[b].whole.length - options[a].whole.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      signal?.throwIfAborted();
      const batch = order.slice(start, start + this.batchSize);
      const rows = await this.tokenLogprobs(batch.map((i) => options[i].whole));
      batch.forEach((i, b) => {
        const { whole } = options[i];
        let logprob = 0;
        for (let j = plan.scoredFrom[i]; j < whole.length; j++) logprob += rows[b][j - 1];
        scores[owner[i].request][owner[i].option] = { logprob, tokens: whole.length - plan.scoredFrom[i] };
      });
      onProgress?.({ stage: 'score', done: Math.min(order.length, start + batch.length), total: order.length });
    }
    return scores;
  }

  /** Next-token logits after `ids` (one full forward pass). */
  private async lastLogits(ids: readonly number[]): Promise<Float32Array> {
    const T = this.paddedLength(ids.length);
    const tokens = new Int32Array(T);
    tokens.set(ids);
    const positions = Int32Array.from({ length: T }, (_, t) => t);
    const hidden = forwardHidden(
      this.weights,
      this.lora && loraViews(this.lora.theta, this.lora.layout),
      this.runtime,
      np.array(tokens, { shape: [1, T], dtype: np.int32 }),
      np.array(positions, { shape: [1, T], dtype: np.int32 }),
    );
    const last = hidden.slice(0, [ids.length - 1, ids.length]);
    const logits = logitsFrom(this.weights, last);
    return (await logits.data()) as Float32Array;
  }

  generate(prompt: string, options?: GenerateOptions): Promise<string> {
    const codec: TextCodec = {
      encode: (text) => this.tokenizer.encode(text),
      decode: (ids) => this.tokenizer.decode(ids),
      endIds: new Set(this.weights.config.eosTokenId === undefined ? [] : [this.weights.config.eosTokenId]),
    };
    let ids: number[] = [];
    return generateText(
      {
        begin: async (promptIds) => {
          ids = [...promptIds];
          return this.lastLogits(ids);
        },
        next: async (token, signal) => {
          signal?.throwIfAborted();
          ids.push(token);
          return this.lastLogits(ids);
        },
        end: () => {},
      },
      codec,
      this.contextLength,
      prompt,
      options,
    );
  }

  async dispose(): Promise<void> {
    this.lora?.theta.dispose();
    this.scorer.dispose();
  }
}
