/** The ONNX Runtime language model: a transformers.js tokenizer and session behind the LanguageModel interface. */
import type { ScoringRuntime } from '../model/engines.ts';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import type { InferenceSession } from 'onnxruntime-common';
import type { Device, Dtype, GenerateOptions, LanguageModel, OptionScore, RunOptions, ScoreRequest } from '../model/language-model.ts';
import { OrtDecoder, type KvCache } from './ort-decoder.ts';
import { scoreWithPrefixCache, type ScoringSettings } from './ort-scorer.ts';
import { generateText, type NextTokenSource, type TextCodec } from '../model/generation.ts';

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export interface OrtModelParts {
  id: string;
  device: Device;
  dtype: Dtype;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  scoring: Omit<ScoringSettings, 'contextLength'>;
}

function endTokenIds(model: PreTrainedModel, tokenizer: PreTrainedTokenizer): Set<number> {
  const config = model.config as { eos_token_id?: number | number[] };
  const fromConfig = config.eos_token_id === undefined ? [] : [config.eos_token_id].flat();
  const ids = new Set(fromConfig);
  if (tokenizer.eos_token_id !== undefined && tokenizer.eos_token_id !== null) ids.add(tokenizer.eos_token_id);
  return ids;
}

export class OrtLanguageModel implements LanguageModel {
  readonly id: string;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly engine: ScoringRuntime;
  readonly contextLength: number;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly model: PreTrainedModel;
  private readonly decoder: OrtDecoder;
  private readonly scoring: ScoringSettings;
  private readonly codec: TextCodec;

  constructor(parts: OrtModelParts) {
    this.id = parts.id;
    this.device = parts.device;
    this.dtype = parts.dtype;
    // Node runs on the CPU through onnxruntime-node; the page on WASM or WebGPU through onnxruntime-web.
    this.engine = parts.device === 'cpu' ? 'onnxruntime-node' : 'onnxruntime-web';
    this.tokenizer = parts.tokenizer;
    this.model = parts.model;
    const config = parts.model.config as { max_position_embeddings?: number };
    if (!config.max_position_embeddings) throw new Error(`${parts.id}: config.json has no max_position_embeddings`);
    this.contextLength = config.max_position_embeddings;
    this.decoder = new OrtDecoder(parts.model.sessions.model as InferenceSession);
    this.scoring = { ...parts.scoring, contextLength: this.contextLength };
    this.codec = {
      encode: (text) => this.encode(text),
      decode: (ids) => this.tokenizer.decode(ids as number[], { skip_special_tokens: true }),
      endIds: endTokenIds(parts.model, parts.tokenizer),
    };
  }

  /** Token ids with the tokenizer's special tokens, unless the text already begins with the start token (chat templates write it). */
  private encode(text: string): number[] {
    const bos = this.tokenizer.bos_token;
    return this.tokenizer.encode(text, { add_special_tokens: !(bos && text.startsWith(bos)) });
  }

  countTokens(text: string): number {
    return this.encode(text).length;
  }

  /** The conversation rendered by the tokenizer's chat template, ending with the assistant's turn opened. */
  applyChatTemplate(messages: ChatMessage[]): string | undefined {
    if (!this.tokenizer.chat_template) return undefined;
    return this.tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
  }

  scoreItems(context: string, requests: readonly ScoreRequest[], options?: RunOptions): Promise<OptionScore[][]> {
    return scoreWithPrefixCache(this.decoder, (text) => this.encode(text), context, requests, this.scoring, options);
  }

  generate(prompt: string, options?: GenerateOptions): Promise<string> {
    return generateText(this.cachedSource(), this.codec, this.contextLength, prompt, options);
  }

  /** Next-token logits that extend one key/value cache a token at a time. */
  private cachedSource(): NextTokenSource {
    const decoder = this.decoder;
    const chunk = this.scoring.prefillChunk;
    let cache: KvCache | undefined;
    return {
      async begin(ids, signal) {
        const { cache: filled, last } = await decoder.prefill(ids, chunk, signal);
        cache = filled;
        return last!;
      },
      async next(token, signal) {
        signal?.throwIfAborted();
        const out = await decoder.forward([[token]], cache!, true);
        decoder.release(cache!);
        cache = out.present;
        return out.logits;
      },
      end() {
        if (cache) decoder.release(cache);
        cache = undefined;
      },
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
