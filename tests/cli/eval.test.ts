import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { parseResult } from '../../src/eval/result.ts';
import { clopperPearson } from '../../src/eval/proportion-interval.ts';
import { Rng } from '../../src/util/rng.ts';
import { parseLlamaConfig } from '../../src/model/llama-config.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, encodeAdapter } from '../../src/train/adapter-files.ts';
import { initLora } from '../../src/engine/lora.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { ADAPTER_RECORD_FILE, ADAPTER_RECORD_FORMAT } from '../../src/experiment/adapter-record.ts';
import { resultKeyOf } from '../../src/experiment/piece-keys.ts';
import { contentKey } from '../../src/experiment/content-keys.ts';
import { nanModel } from '../nan-model.ts';

const GLON = fileURLToPath(new URL('../../bin/glon.js', import.meta.url));
const STORIES = join(MODELS_DIR, 'stories260K');

function glon(...args: string[]) {
  const run = spawnSync(process.execPath, [GLON, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('glon eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-eval-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1 })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a per-split table with both accuracies and writes the result', () => {
    const out = join(dir, 'result.json');
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'icl', '--dtype', 'q8', '--out', out);
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    const result = parseResult(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ condition: 'icl', dtype: 'q8', template: 'plain', model: 'stories260K' });
    const lines = run.stdout.split('\n');
    expect(lines[1].split(/\s+/)).toEqual(['split', 'n', 'chance', 'acc', '95%', 'CI', '(exact)', 'acc_norm', '95%', 'CI', '(exact)']);
    const f = (x: number) => x.toFixed(3);
    for (const [split, s] of Object.entries(result.splits)) {
      expect(s.ci).toEqual(clopperPearson(s.correct, s.n));
      expect(s.normalized.ci).toEqual(clopperPearson(s.normalized.correct, s.n));
      const row = lines.slice(2).find((line) => line.startsWith(`${split} `))!;
      expect(row.split(/\s+/)).toEqual([
        split, String(s.n), '0.500',
        f(s.accuracy), `[${f(s.ci[0])},`, `${f(s.ci[1])}]`,
        f(s.normalized.accuracy), `[${f(s.normalized.ci[0])},`, `${f(s.normalized.ci[1])}]`,
      ]);
    }
    if (result.context.subsampled) expect(run.stdout).toContain('note: training text subsampled');
  });

  it('says in one line that a hub model is not available offline', () => {
    const run = glon('eval', '--dataset', dataset, '--model', 'HuggingFaceTB/SmolLM2-135M-Instruct', '--condition', 'base', '--out', join(dir, 'x.json'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `glon: error: model "HuggingFaceTB/SmolLM2-135M-Instruct" is not available offline: there is no folder ${join(process.cwd(), 'HuggingFaceTB/SmolLM2-135M-Instruct')} (pass --allow-remote to download it from the hub)`,
    ]);
  });

  it('rejects a bad flag value in one line', () => {
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'icl', '--dtype', 'int3', '--out', join(dir, 'x.json'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('glon: error: --dtype must be one of fp32, fp16, q8, q4, got "int3"');
  });

  it('scores the ft condition with an adapter, merged into ONNX or on jax-js alike', () => {
    const adapter = join(dir, 'adapter');
    const train = glon('train', '--dataset', dataset, '--model', STORIES, '--epochs', '1', '--rank', '4', '--alpha', '8', '--targets', 'q,v,down', '--out', adapter);
    expect(train.status).toBe(0);
    const results = (['merged', 'jax'] as const).map((scorer) => {
      const out = join(dir, `ft-${scorer}.json`);
      const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--adapter', adapter, '--ft-scorer', scorer, '--out', out);
      expect(run.stderr).not.toContain('error');
      expect(run.status).toBe(0);
      return parseResult(readFileSync(out, 'utf8'));
    });
    expect(results[0]).toMatchObject({ condition: 'ft', model: 'stories260K-adapter', context: { tokens: 1 } });
    expect(results.map((r) => r.engine?.runtime)).toEqual(['onnxruntime-node', 'jax-js']);
    results[0].items.forEach((item, i) =>
      item.logprobs.forEach((lp, o) => expect(Math.abs(lp! - results[1].items[i].logprobs[o]!)).toBeLessThan(1e-3)),
    );
    const base = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'base', '--adapter', adapter, '--out', join(dir, 'x.json'));
    expect(base.stderr.trim()).toBe('glon: error: --adapter applies to the fine-tuned conditions only (ft, ft+local, ...), not base');
    const missing = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--out', join(dir, 'x.json'));
    expect(missing.stderr.trim()).toBe('glon: error: condition ft needs --adapter <dir> (an adapter saved by glon train)');
  });

  it('runs icl on a 25 MB dataset within a small heap, drawing the subsample before tokenizing', () => {
    // Before the subsample came first, this tokenized all 25 MB: 3.2 GB of memory and minutes of work.
    const small = generateDataset({ kind: 'reversal', seed: 1, params: { facts: 4 } });
    const extra = Array.from({ length: 100_000 }, (_, i) => ({ id: `extra-${i}`, text: `${small.train[i % small.train.length].text} (copy ${i})`.padEnd(200, '.') }));
    const big = join(dir, 'big.json');
    writeFileSync(big, serializeDataset({ ...small, train: [...small.train, ...extra] }));
    const out = join(dir, 'big-icl.json');
    const run = spawnSync(process.execPath, ['--max-old-space-size=256', GLON, 'eval', '--dataset', big, '--model', STORIES, '--condition', 'icl', '--out', out], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/note: training text subsampled: \d+ of 100016 documents/);
    expect(parseResult(readFileSync(out, 'utf8')).context).toMatchObject({ subsampled: true, documents: { total: 100_016 } });
  });
  it('--probe prints whether the model uses facts in context: stories260K does not', () => {
    const run = glon('eval', '--model', STORIES, '--probe');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(
      /^context probe \(stories260K fp32, [\d.]+ s\): does not use facts in context: expect ICL = base \([+-]\d+ points, within chance: \d+\/16 right with the facts in context, \d+\/16 without; one-sided exact McNemar p = [\d.]+, not below 0\.05\)$/,
    );
  });

  it('--probe before an evaluation prints both; without --probe the evaluation flags are required', () => {
    const out = join(dir, 'probe-then-base.json');
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'base', '--out', out, '--probe');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^context probe \(stories260K fp32, [\d.]+ s\): does not use facts in context/);
    expect(lines[1]).toMatch(/^reversal \(seed 1\) · stories260K fp32/);
    expect(parseResult(readFileSync(out, 'utf8')).condition).toBe('base');
    const bare = glon('eval', '--model', STORIES);
    expect(bare.stderr.trim()).toBe("glon: error: required option '--dataset <file>' not specified");
    const half = glon('eval', '--model', STORIES, '--probe', '--dataset', dataset);
    expect(half.stderr.trim()).toBe("glon: error: required option '--condition <condition>' not specified");
  });
});

describe('glon eval never counts a score that is not finite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-eval-nan-'));
  const dataset = join(dir, 'reversal.json');
  writeFileSync(dataset, serializeDataset(generateDataset({ kind: 'reversal', seed: 1 })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks the items unscored, counts them as wrong, and exits non-zero with one line', () => {
    const out = join(dir, 'result.json');
    const run = glon('eval', '--dataset', dataset, '--model', nanModel(dir), '--condition', 'base', '--out', out);
    expect(run.status).toBe(1);
    const errors = run.stderr.trimEnd().split('\n').filter((line) => line.startsWith('glon:'));
    expect(errors).toEqual([
      `glon: error: 48 of 48 items could not be scored (a log-prob was NaN or infinite); they count as wrong and are marked "unscored" in ${out}`,
    ]);
    const result = parseResult(readFileSync(out, 'utf8'));
    for (const split of Object.values(result.splits)) expect(split).toMatchObject({ n: 24, unscored: 24, correct: 0, accuracy: 0, normalized: { correct: 0 } });
    for (const item of result.items) expect(item).toMatchObject({ unscored: true, chosen: null, chosenNormalized: null, logprobs: [null, null] });
    expect(run.stdout.split('\n')[1].split(/\s+/)).toEqual(['split', 'n', 'unscored', 'chance', 'acc', '95%', 'CI', '(exact)', 'acc_norm', '95%', 'CI', '(exact)']);
  });

  it('refuses an adapter with a NaN weight before scoring, in one line', () => {
    const adapter = join(dir, 'adapter');
    const config = parseLlamaConfig(JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8')));
    const lora = initLora(config, { rank: 2, alpha: 4, dropout: 0, targets: ['q'] }, new Rng(1));
    lora.layers[3].q!.b[5] = NaN;
    const files = encodeAdapter(lora, 'stories260K');
    mkdirSync(adapter);
    writeFileSync(join(adapter, ADAPTER_WEIGHTS_FILE), files.weights);
    writeFileSync(join(adapter, ADAPTER_CONFIG_FILE), files.config);
    const run = glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--adapter', adapter, '--out', join(dir, 'ft.json'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^glon: error: .*adapter: adapter_model\.safetensors: base_model\.model\.model\.layers\.3\.self_attn\.q_proj\.lora_B\.weight holds NaN at index \d+: an adapter's weights must be finite numbers$/);
    expect(existsSync(join(dir, 'ft.json'))).toBe(false);
  });

  it('keys a result by the key glon train recorded for its adapter, else by the adapter files, and refuses a bad record in one line', async () => {
    const adapter = join(dir, 'foreign-adapter');
    const config = parseLlamaConfig(JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8')));
    const files = encodeAdapter(initLora(config, { rank: 2, alpha: 4, dropout: 0, targets: ['q'] }, new Rng(1)), 'stories260K');
    mkdirSync(adapter);
    writeFileSync(join(adapter, ADAPTER_WEIGHTS_FILE), files.weights);
    writeFileSync(join(adapter, ADAPTER_CONFIG_FILE), files.config);
    const datasetHash = await sha256Hex(readFileSync(dataset, 'utf8'));
    const keyOf = (adapterKey: string) =>
      resultKeyOf({ datasetHash, model: 'stories260K@fp32', condition: 'ft', adapter: adapterKey, template: 'plain', seed: 0 });
    const evalFt = () => glon('eval', '--dataset', dataset, '--model', STORIES, '--condition', 'ft', '--adapter', adapter, '--out', join(dir, 'ft-foreign.json'));

    const foreign = evalFt();
    expect(foreign.status).toBe(0);
    expect(foreign.stdout.trimEnd().split('\n').at(-1)).toBe(`result key ${await keyOf(await contentKey({ peft: { weights: files.weights, config: files.config } }))}`);

    const record = { format: ADAPTER_RECORD_FORMAT, key: 'a'.repeat(64), model: 'stories260K@fp32', dataset: datasetHash, training: { status: 'done', steps: 1, totalSteps: 1, losses: [1], seconds: 1, device: 'wasm', examples: 1 } };
    writeFileSync(join(adapter, ADAPTER_RECORD_FILE), JSON.stringify(record));
    const recorded = evalFt();
    expect(recorded.status).toBe(0);
    expect(recorded.stdout.trimEnd().split('\n').at(-1)).toBe(`result key ${await keyOf('a'.repeat(64))}`);

    writeFileSync(join(adapter, ADAPTER_RECORD_FILE), JSON.stringify({ ...record, key: 'not a key' }));
    expect(evalFt().stderr.trim()).toBe(`glon: error: ${join(adapter, ADAPTER_RECORD_FILE)}: invalid adapter record: key: not a SHA-256 hex digest`);
  });
});
