/**
 * Named prompt templates: how the training facts (or nothing, for the base condition) become the shared
 * context that precedes every test prompt. The template's name is recorded in each result.
 */
import type { LanguageModel } from '../model/language-model.ts';

export interface PromptTemplate {
  name: string;
  description: string;
  /** Works only with a model whose tokenizer has a chat template. */
  needsChat: boolean;
  /** The text before each test prompt; `facts` is null when the condition shows none. */
  context(facts: readonly string[] | null, model: LanguageModel): string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const plain: PromptTemplate = {
  name: 'plain',
  description: 'the facts one per line, a blank line, then the prompt',
  needsChat: false,
  context: (facts) => (facts ? `${facts.join('\n')}\n\n` : ''),
};

export const CHAT_INSTRUCTION = 'Use these facts to complete the statement.';
export const CHAT_INSTRUCTION_NO_FACTS = 'Complete the statement.';

const chat: PromptTemplate = {
  name: 'chat',
  description: "the model's chat template: a user turn with the facts and an instruction to use them; the prompt opens the reply",
  needsChat: true,
  context(facts, model) {
    const content = facts ? `${facts.join('\n')}\n\n${CHAT_INSTRUCTION}` : CHAT_INSTRUCTION_NO_FACTS;
    const text = model.applyChatTemplate([{ role: 'user', content }]);
    if (text === undefined)
      throw new TemplateError(`the chat template is unavailable: ${model.id} has no chat template in its tokenizer (use the plain template)`);
    return text;
  },
};

export const TEMPLATES: readonly PromptTemplate[] = [plain, chat];

export function templateByName(name: string): PromptTemplate {
  const template = TEMPLATES.find((t) => t.name === name);
  if (!template) throw new TemplateError(`unknown template "${name}" (one of: ${TEMPLATES.map((t) => t.name).join(', ')})`);
  return template;
}

/** The template a model can be prompted with: the one named when it can use it, else plain (which every model can). */
export function usableTemplate(name: string, hasChat: boolean): string {
  return TEMPLATES.some((t) => t.name === name && (hasChat || !t.needsChat)) ? name : plain.name;
}
