import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { copyModel, removeModelCopies } from '../model-folder.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import type { LanguageModel } from '../../src/model/language-model.ts';
import { CHAT_INSTRUCTION, CHAT_INSTRUCTION_NO_FACTS, TEMPLATES, TemplateError, templateByName, usableTemplate } from '../../src/eval/templates.ts';

/** The ChatML template of SmolLM2 and Qwen2.5 (without their default system turn). */
const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

describe('templates', () => {
  let plainModel: LanguageModel;
  let chatModel: LanguageModel;
  beforeAll(async () => {
    plainModel = await loadModelNode({ model: join(MODELS_DIR, 'stories260K'), dtype: 'q8' });
    const dir = copyModel('stories260K');
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: CHATML }));
    chatModel = await loadModelNode({ model: dir, dtype: 'q8' });
  });
  afterAll(async () => {
    await plainModel.dispose();
    await chatModel.dispose();
    removeModelCopies();
  });

  it('plain: facts one per line, then a blank line; nothing without facts', () => {
    const plain = templateByName('plain');
    expect(plain.context(['a b.', 'c d.'], plainModel)).toBe('a b.\nc d.\n\n');
    expect(plain.context(null, plainModel)).toBe('');
  });

  it("chat: the model's chat template, a user turn with the facts and the instruction, the reply opened", () => {
    const chat = templateByName('chat');
    expect(chat.context(['a b.', 'c d.'], chatModel)).toBe(
      `<|im_start|>user\na b.\nc d.\n\n${CHAT_INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n`,
    );
    expect(chat.context(null, chatModel)).toBe(`<|im_start|>user\n${CHAT_INSTRUCTION_NO_FACTS}<|im_end|>\n<|im_start|>assistant\n`);
  });

  it('chat: says clearly when the tokenizer has no chat template', () => {
    expect(() => templateByName('chat').context(['a.'], plainModel)).toThrow(TemplateError);
  });

  it('names the templates when asked for an unknown one', () => {
    expect(() => templateByName('fancy')).toThrow('unknown template "fancy" (one of: plain, chat)');
  });
});

describe('usableTemplate', () => {
  it('keeps chat for a model with a chat template and falls back to plain for one without', () => {
    expect(usableTemplate('chat', true)).toBe('chat');
    expect(usableTemplate('chat', false)).toBe('plain');
    expect(usableTemplate('plain', false)).toBe('plain');
  });

  it('holds every template but chat usable by any model', () => {
    expect(TEMPLATES.filter((t) => t.needsChat).map((t) => t.name)).toEqual(['chat']);
    for (const t of TEMPLATES) expect(usableTemplate(t.name, true)).toBe(t.name);
  });
});
