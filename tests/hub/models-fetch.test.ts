/**
 * `npm run models:fetch` against a local server that answers like the Hugging Face hub: /{id}/resolve/{rev}/{file},
 * LFS files redirected to another path, 401 for unknown repositories, 404 + x-error-code for missing files, Range.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { MODELS_DIR } from '../models-dir.ts';
import { startMockHub, type MockHub } from './mock-hub.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(MODELS_DIR, 'stories260K');
const ID = 'glon-test/stories260K';

let hub: MockHub;
let endpoint: string;
let dir: string;

beforeAll(async () => {
  hub = await startMockHub({ [ID]: SOURCE });
  endpoint = hub.endpoint;
});
afterAll(() => hub.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'glon-fetch-'));
  hub.log = [];
  return () => rmSync(dir, { recursive: true, force: true });
});

function fetchModel(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'scripts/models-fetch.ts'), ...args, '--dir', dir], {
      cwd: repo,
      env: { ...process.env, HF_ENDPOINT: endpoint, HF_TOKEN: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const same = (file: string) => readFileSync(join(dir, ID, file)).equals(readFileSync(join(SOURCE, file)));

describe('npm run models:fetch', () => {
  it('downloads the requested dtypes and the config and tokenizer files, byte for byte, into DIR/ID', async () => {
    const run = await fetchModel(ID, '--dtype', 'q8', '--dtype', 'fp32');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'onnx/model_quantized.onnx', 'onnx/model.onnx'];
    for (const file of files) expect(same(file), file).toBe(true);
    expect(run.stdout).toContain(join(dir, ID));
    // The ONNX files came through the redirect, as from the hub's CDN.
    expect(hub.log.map((l) => l.url)).toContain(`/cdn/${ID}/onnx/model.onnx`);

    env.localModelPath = `${dir}/`;
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained(ID);
    const model = await AutoModelForCausalLM.from_pretrained(ID, { dtype: 'q8' });
    const ids = tokenizer.encode('Once upon a time');
    const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const { logits } = (await model({ input_ids, attention_mask })) as { logits: Tensor };
    expect(logits.dims).toEqual([1, ids.length, 512]);
    await model.dispose();
  });

  it('fetches nothing again once the files are there', async () => {
    await fetchModel(ID);
    hub.log = [];
    const again = await fetchModel(ID);
    expect(again.status).toBe(0);
    expect(hub.log).toEqual([]);
  });

  it('survives a dropped connection: the same run asks for the rest with a Range request', async () => {
    hub.breakNext(ID, 'onnx/model.onnx');
    const run = await fetchModel(ID, '--dtype', 'fp32');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const ranges = hub.log.filter((l) => l.url === `/${ID}/resolve/main/onnx/model.onnx`).map((l) => l.range);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBeUndefined();
    const from = Number(ranges[1]!.match(/^bytes=(\d+)-$/)![1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThan(statSync(join(SOURCE, 'onnx/model.onnx')).size);
    expect(same('onnx/model.onnx')).toBe(true);
    expect(existsSync(join(dir, ID, 'onnx/model.onnx.part'))).toBe(false);
  });

  it('continues a .part left by an interrupted run, and only renames the file when it is whole', async () => {
    const whole = readFileSync(join(SOURCE, 'onnx/model.onnx'));
    const half = Math.floor(whole.length / 2);
    mkdirSync(join(dir, ID, 'onnx'), { recursive: true });
    writeFileSync(join(dir, ID, 'onnx/model.onnx.part'), whole.subarray(0, half));
    const run = await fetchModel(ID, '--dtype', 'fp32');
    expect(run.status).toBe(0);
    expect(hub.log.find((l) => l.url === `/${ID}/resolve/main/onnx/model.onnx`)?.range).toBe(`bytes=${half}-`);
    expect(same('onnx/model.onnx')).toBe(true);
    expect(existsSync(join(dir, ID, 'onnx/model.onnx.part'))).toBe(false);
  });

  it('starts over when a leftover .part is longer than the file', async () => {
    mkdirSync(join(dir, ID, 'onnx'), { recursive: true });
    writeFileSync(join(dir, ID, 'onnx/model_quantized.onnx.part'), Buffer.alloc(statSync(join(SOURCE, 'onnx/model_quantized.onnx')).size + 10));
    const run = await fetchModel(ID, '--dtype', 'q8');
    expect(run.status).toBe(0);
    expect(same('onnx/model_quantized.onnx')).toBe(true);
  });

  it('says which file a model lacks, and which model does not exist, in one line', async () => {
    const cases: [string[], string][] = [
      [[ID, '--dtype', 'q4'], `no such file in model ${ID}: onnx/model_q4.onnx`],
      [['nobody/nothing'], `model nobody/nothing not found on ${endpoint}, or it is gated or private (set HF_TOKEN to a token allowed to read it)`],
      [[ID, '--revision', 'v9'], `model ${ID} has no revision "v9"`],
      [[ID, '--dtype', 'int3'], '--dtype must be one of fp32, fp16, q8, q4, got "int3"'],
      [['../etc'], '"../etc" is not a hub model id (owner/name)'],
    ];
    for (const [args, message] of cases) {
      const run = await fetchModel(...args);
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(`models:fetch: error: ${message}`);
    }
    // A missing ONNX file leaves no half-written file behind.
    expect(existsSync(join(dir, ID, 'onnx/model_q4.onnx'))).toBe(false);
    expect(existsSync(join(dir, ID, 'onnx/model_q4.onnx.part'))).toBe(false);
  });

  it('reports an unreachable endpoint without a stack trace', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const saved = endpoint;
    endpoint = `http://127.0.0.1:${port}`;
    const run = await fetchModel(ID);
    endpoint = saved;
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(new RegExp(`^models:fetch: error: cannot reach http://127\\.0\\.0\\.1:${port} \\(.+\\)$`));
  });
});
