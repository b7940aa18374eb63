import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env, log_softmax } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { MODELS_DIR } from '../models-dir.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { exactQuantizedMath } from '../../src/runtime/load.ts';
import type { Dtype, LanguageModel, ScoreRequest } from '../../src/model/language-model.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

const FACTS = [
  'Lily had a big red ball.',
  'Tom liked to play with his dog in the park.',
  'The cat was sad because it could not find its toy.',
  'One day, Ben saw a bird in a tree.',
  'Mom said they could go to the store after lunch.',
  'Sue and her friend built a castle out of sand.',
  'The little boat was blue and very fast.',
  'Max was happy when the sun came out.',
];
/** About 400 tokens of context, the size of a small ICL evaluation on this 512-token model. */
const LONG_CONTEXT = `${[...FACTS, ...FACTS, ...FACTS].join('\n')}\n\n`;

const REQUESTS: ScoreRequest[] = [
  { prompt: 'Lily had a', options: [' big red ball.', ' small dog.'] },
  { prompt: 'Tom liked to play with his', options: [' dog in the park.', ' ball.', ' cat under the big tree.'] },
  { prompt: 'The little boat was', options: [' blue and very fast.', ' red.'] },
  { prompt: 'Max was', options: [' happy when the sun came out.', ' sad.'] },
  { prompt: 'Sue and her friend built a castle', options: [' out of sand.', ' in the sky.'] },
];

/**
 * The plain computation the cached path must reproduce: one full forward pass per option through
 * transformers.js's own model call, log-softmax, sum over the option's tokens.
 */
class Oracle {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
  ) {}

  static async load(dtype: Dtype): Promise<Oracle> {
    env.localModelPath = MODELS_DIR;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained('stories260K');
    // The same exact-dequantization session settings as the runtime, so both compute one function.
    const model = await AutoModelForCausalLM.from_pretrained('stories260K', { dtype, session_options: exactQuantizedMath(dtype) });
    return new Oracle(tokenizer, model);
  }

  /** Log-probs of each token of `ids` from position `from` on, given everything before it. */
  async logprobs(ids: number[], from: number): Promise<number[]> {
    const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const { logits } = (await this.model({ input_ids, attention_mask })) as { logits: Tensor };
    const vocab = logits.dims[2];
    const data = logits.data as Float32Array;
    const out: number[] = [];
    for (let j = from; j < ids.length; j++) out.push(log_softmax(Array.from(data.subarray((j - 1) * vocab, j * vocab)))[ids[j]]);
    return out;
  }

  async score(context: string, request: ScoreRequest): Promise<{ logprob: number; tokens: number }[]> {
    const head = this.tokenizer.encode(context + request.prompt);
    return Promise.all(
      request.options.map(async (option) => {
        const whole = this.tokenizer.encode(context + request.prompt + option);
        let from = 0;
        while (whole[from] === head[from]) from++;
        const lps = await this.logprobs(whole, from);
        return { logprob: lps.reduce((a, b) => a + b, 0), tokens: lps.length };
      }),
    );
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  dispose(): Promise<unknown> {
    return this.model.dispose();
  }
}

async function maxDifference(model: LanguageModel, oracle: Oracle, context: string): Promise<number> {
  const scores = await model.scoreItems(context, REQUESTS);
  let worst = 0;
  for (const [r, request] of REQUESTS.entries()) {
    const expected = await oracle.score(context, request);
    expected.forEach((e, o) => {
      expect(scores[r][o].tokens).toBe(e.tokens);
      worst = Math.max(worst, Math.abs(scores[r][o].logprob - e.logprob));
    });
  }
  return worst;
}

describe('scoreItems with prefix key/value reuse (stories260K)', () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await Oracle.load('fp32');
  });
  afterAll(() => oracle.dispose());

  it('the shared context is long enough to exercise the cache', () => {
    const tokens = oracle.encode(LONG_CONTEXT).length;
    expect(tokens).toBeGreaterThan(350);
    expect(tokens).toBeLessThan(480);
  });

  it('equals one full forward pass per option within 1e-4 nats, for any batch size and prefill chunk', async () => {
    for (const scoring of [{}, { batchSize: 3 }, { batchSize: 1, prefillChunk: 37 }, { batchSize: 16, prefillChunk: 100 }]) {
      const model = await loadModelNode({ model: STORIES, dtype: 'fp32', scoring });
      expect(await maxDifference(model, oracle, LONG_CONTEXT)).toBeLessThanOrEqual(1e-4);
      expect(await maxDifference(model, oracle, '')).toBeLessThanOrEqual(1e-4);
      await model.dispose();
    }
  });

  it('is deterministic', async () => {
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
    const first = await model.scoreItems(LONG_CONTEXT, REQUESTS);
    expect(await model.scoreItems(LONG_CONTEXT, REQUESTS)).toEqual(first);
    await model.dispose();
  });

  it('counts a token that straddles the prompt/option join as the option\'s', async () => {
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
    // "Once upon a ti" ends in pieces of "time"; joined with "me" they merge into the one token "▁time".
    const whole = oracle.encode('Once upon a time');
    const head = oracle.encode('Once upon a ti');
    expect(whole).toEqual([1, 403, 407, 261, 378]);
    expect(head.slice(0, 4)).toEqual(whole.slice(0, 4));
    expect(head[4]).not.toBe(378);
    const [[score]] = await model.scoreItems('', [{ prompt: 'Once upon a ti', options: ['me'] }]);
    const [expected] = await oracle.logprobs(whole, 4);
    expect(score.tokens).toBe(1);
    expect(Math.abs(score.logprob - expected)).toBeLessThanOrEqual(1e-4);
    await model.dispose();
  });

  it('reports progress for the context and the options, and honours an abort signal', async () => {
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32', scoring: { batchSize: 4, prefillChunk: 128 } });
    const events: string[] = [];
    await model.scoreItems(LONG_CONTEXT, REQUESTS, { onProgress: (p) => events.push(`${p.stage} ${p.done}/${p.total}`) });
    expect(events).toEqual(['context 1/4', 'context 2/4', 'context 3/4', 'context 4/4', 'options 4/11', 'options 8/11', 'options 11/11']);
    const controller = new AbortController();
    controller.abort(new Error('stopped by the user'));
    await expect(model.scoreItems(LONG_CONTEXT, REQUESTS, { signal: controller.signal })).rejects.toThrow('stopped by the user');
    await model.dispose();
  });

  it('refuses a sequence longer than the model\'s context, saying how long', async () => {
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
    await expect(model.scoreItems(LONG_CONTEXT + LONG_CONTEXT, REQUESTS)).rejects.toThrow(/needs \d+ tokens with its context; the model accepts 512/);
    await model.dispose();
  });
});

describe('scoreItems in q8', () => {
  it('matches the full forward pass of the same q8 model within 1e-3 nats', async () => {
    const oracle = await Oracle.load('q8');
    const model = await loadModelNode({ model: STORIES, dtype: 'q8' });
    expect(await maxDifference(model, oracle, LONG_CONTEXT)).toBeLessThanOrEqual(1e-3);
    await model.dispose();
    await oracle.dispose();
  });
});
