/**
 * A byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json) sized to an architecture's vocabulary,
 * built from GPT-2's merge list. SmolLM2 and Qwen2 use this same kind of tokenizer (GPT-2 byte alphabet,
 * "Ġ" for spaces, digits split one by one), so English splits into a realistic number of tokens and
 * token boundaries behave as they do on the real models. Ids the merges do not reach are unused tokens.
 */
import type { SpecialToken } from '../model/architectures.ts';
import type { LlamaConfig } from '../model/llama-config.ts';

/** GPT-2's reversible byte -> printable character map, in GPT-2's id order (printable bytes first). */
function byteAlphabet(): string[] {
  const printable: number[] = [];
  for (const [lo, hi] of [[0x21, 0x7e], [0xa1, 0xac], [0xae, 0xff]]) for (let b = lo; b <= hi; b++) printable.push(b);
  const others: number[] = [];
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) others.push(b);
  return [...printable.map((b) => String.fromCodePoint(b)), ...others.map((_, n) => String.fromCodePoint(256 + n))];
}

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** `merges`: "a b" lines in priority order (GPT-2's vocab.bpe without its header). */
export function byteLevelTokenizer(config: LlamaConfig, specialTokens: readonly SpecialToken[], merges: readonly string[]): TokenizerFiles {
  const special = new Map(specialTokens.map((t) => [t.id, t.content]));
  const named = (id: number | undefined) => (id === undefined ? undefined : special.get(id));
  const alphabet = byteAlphabet();
  if (config.vocabSize < special.size + alphabet.length) {
    throw new Error(`a byte-level tokenizer needs a vocabulary of at least ${special.size + alphabet.length} tokens, not ${config.vocabSize}`);
  }
  for (const id of special.keys()) {
    if (id < 0 || id >= config.vocabSize) throw new Error(`special token id ${id} is outside the vocabulary (${config.vocabSize})`);
  }

  const vocab: Record<string, number> = {};
  const usedMerges: string[] = [];
  const free = Array.from({ length: config.vocabSize }, (_, id) => id).filter((id) => !special.has(id));
  let next = 0;
  for (const piece of alphabet) vocab[piece] = free[next++];
  for (const merge of merges) {
    if (next === free.length) break;
    const [a, b] = merge.split(' ');
    if (vocab[a] === undefined || vocab[b] === undefined || vocab[a + b] !== undefined) continue;
    vocab[a + b] = free[next++];
    usedMerges.push(merge);
  }
  for (let unused = 0; next < free.length; unused++) vocab[`<|unused_${unused}|>`] = free[next++];
  for (const [id, content] of special) vocab[content] = id;

  const eos = named(config.eosTokenId);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...special].map(([id, content]) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Digits', individual_digits: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: usedMerges,
    },
  };
  // Like GPT-2, SmolLM2 and Qwen2: no BOS is added; the end-of-text token closes documents.
  const tokenizerConfig = {
    tokenizer_class: config.modelType === 'qwen2' ? 'Qwen2Tokenizer' : 'GPT2Tokenizer',
    add_prefix_space: false,
    bos_token: config.modelType === 'qwen2' ? null : named(config.bosTokenId) ?? null,
    eos_token: eos ?? null,
    unk_token: config.modelType === 'qwen2' ? null : eos ?? null,
    pad_token: config.modelType === 'qwen2' ? eos ?? null : null,
    additional_special_tokens: [...special.values()].filter((t) => t !== eos),
    clean_up_tokenization_spaces: false,
    model_max_length: config.maxPositions,
  };
  return { tokenizer, tokenizerConfig };
}
