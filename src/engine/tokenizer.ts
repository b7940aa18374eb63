/** A transformers.js tokenizer as the engine's TokenEncoder / EngineTokenizer. */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { EngineTokenizer } from './jax-language-model.ts';

export function engineTokenizer(tokenizer: PreTrainedTokenizer): EngineTokenizer {
  const bos = tokenizer.bos_token;
  return {
    // The start token is added unless the text already begins with it (as chat templates write it).
    encode: (text) => tokenizer.encode(text, { add_special_tokens: !(bos && text.startsWith(bos)) }),
    decode: (ids) => tokenizer.decode(ids as number[], { skip_special_tokens: true }),
    applyChatTemplate: (messages) =>
      tokenizer.chat_template
        ? (tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string)
        : undefined,
  };
}
