/**
 * External data (weights outside the .onnx file): the files transformers.js fetches for a dtype, as glon
 * names them for the engine, and a missing one named before ONNX Runtime sees the model.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalDataChunks, externalDataFrom } from '../../src/onnx/external-data.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { filesOfDtype } from '../../src/hub/model-files.ts';
import { fixtureDir } from '../exported-fixtures.ts';

const withSetting = (setting: unknown) => ({ 'transformers.js_config': { use_external_data_format: setting } });

describe('external data files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-external-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are named as transformers.js names them: <file>_data, <file>_data_1, ...', () => {
    expect(externalDataChunks({}, 'onnx/model_fp16.onnx')).toEqual([]);
    expect(externalDataChunks(withSetting(true), 'onnx/model_fp16.onnx')).toEqual(['onnx/model_fp16.onnx_data']);
    expect(externalDataChunks(withSetting(3), 'onnx/model.onnx')).toEqual(['onnx/model.onnx_data', 'onnx/model.onnx_data_1', 'onnx/model.onnx_data_2']);
    // Per file, by full name or by the name without its dtype suffix.
    expect(externalDataChunks(withSetting({ 'model_fp16.onnx': 1 }), 'onnx/model_fp16.onnx')).toEqual(['onnx/model_fp16.onnx_data']);
    expect(externalDataChunks(withSetting({ 'model_fp16.onnx': 1 }), 'onnx/model.onnx')).toEqual([]);
    expect(externalDataChunks(withSetting({ model: 2 }), 'onnx/model_q4.onnx')).toEqual(['onnx/model_q4.onnx_data', 'onnx/model_q4.onnx_data_1']);
    expect(() => externalDataChunks(withSetting('many'), 'onnx/model.onnx')).toThrow('use_external_data_format for model.onnx is not a chunk count');
  });

  it('are found by the location the ONNX file records, relative to its folder', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const external = externalDataFrom(new Map([['onnx/model_fp16.onnx_data', bytes]]), 'onnx/model_fp16.onnx');
    expect(external('model_fp16.onnx_data')).toBe(bytes);
    expect(external('onnx/model_fp16.onnx_data')).toBeUndefined();
  });

  it("count in a dtype's files (its download size) by transformers.js's names", () => {
    const paths = ['config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1', 'onnx/model.onnx', 'onnx/model_fp16.onnx_data.bak'];
    expect(filesOfDtype('fp16', paths)).toEqual([
      'config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1',
    ]);
    expect(filesOfDtype('fp32', paths)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
  });

  it('a missing data file is named when the model loads', async () => {
    const model = join(dir, 'genai-tiny-llama-fp16');
    cpSync(fixtureDir('genai-tiny-llama-fp16'), model, { recursive: true });
    rmSync(join(model, 'onnx/model_fp16.onnx_data'));
    await expect(loadModelNode({ model, dtype: 'fp16' })).rejects.toThrow(
      `${model}: missing onnx/model_fp16.onnx_data, the external data of onnx/model_fp16.onnx (config.json)`,
    );
  });
});
