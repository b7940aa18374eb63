import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { copyModel, removeModelCopies } from '../model-folder.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { availableDtypes, registrySizer } from '../../src/hub/model-files.ts';
import type { LoadProgress } from '../../src/runtime/load.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

async function loadError(model: string, dtype: 'fp32' | 'fp16' | 'q8' = 'fp32'): Promise<string> {
  try {
    const loaded = await loadModelNode({ model, dtype });
    await loaded.dispose();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`loading ${model} succeeded`);
}

describe('loadModelNode', () => {
  afterAll(removeModelCopies);

  it('loads stories260K in fp32 and q8 with its context length from config.json', async () => {
    for (const dtype of ['fp32', 'q8'] as const) {
      const model = await loadModelNode({ model: STORIES, dtype });
      expect(model).toMatchObject({ id: 'stories260K', device: 'cpu', dtype, contextLength: 512 });
      expect(model.countTokens('Once upon a time')).toBe(5); // start token + 4, as SOURCE.md records
      await model.dispose();
    }
  });

  it('reports bytes per file while loading, ending at each file size', async () => {
    const events: LoadProgress[] = [];
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32', onProgress: (p) => events.push(p) });
    await model.dispose();
    const last = new Map(events.map((e) => [e.file, e]));
    for (const file of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
      const size = statSync(join(STORIES, file)).size;
      expect(last.get(file)).toEqual({ file, loaded: size, total: size });
    }
  });

  it('lists the dtypes whose ONNX file exists', async () => {
    const location = { id: 'stories260K', localModelPath: MODELS_DIR, allowRemote: false };
    expect(await availableDtypes(registrySizer(location))).toEqual(['fp32', 'q8']);
  });

  it('names the missing ONNX file of a dtype and the dtypes that exist', async () => {
    const message = await loadError(STORIES, 'fp16');
    expect(message).toContain('missing onnx/model_fp16.onnx');
    expect(message).toContain('available dtypes: fp32, q8');
  });

  it('names a missing tokenizer file', async () => {
    const dir = copyModel('stories260K');
    rmSync(join(dir, 'tokenizer.json'));
    expect(await loadError(dir)).toMatch(/stories260K: missing tokenizer\.json$/);
  });

  it('names a corrupt JSON file', async () => {
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      const dir = copyModel('stories260K');
      writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').slice(0, 40));
      const message = await loadError(dir);
      expect(message).toContain(join(dir, file));
      expect(message).toContain('is not valid JSON');
    }
  });

  it('names a truncated, wrong or empty ONNX file', async () => {
    const dir = copyModel('stories260K');
    const onnx = join(dir, 'onnx/model.onnx');
    writeFileSync(onnx, readFileSync(onnx).subarray(0, 1000));
    expect(await loadError(dir)).toMatch(/stories260K: onnx\/model\.onnx cannot be loaded by ONNX Runtime: Protobuf parsing failed\.$/);
    // A valid protobuf that is not a model: ORT's reason is kept, its C++ source location is not.
    writeFileSync(onnx, Buffer.from([0x08, 0x08]));
    expect(await loadError(dir)).toMatch(/onnx\/model\.onnx cannot be loaded by ONNX Runtime: ModelProto does not have a graph\.$/);
    writeFileSync(onnx, '');
    expect(await loadError(dir)).toMatch(/onnx\/model\.onnx is empty$/);
  });

  it('refuses a hub id offline, saying the model is not available', async () => {
    expect(await loadError('HuggingFaceTB/SmolLM2-135M-Instruct')).toMatch(
      /^model "HuggingFaceTB\/SmolLM2-135M-Instruct" is not available offline/,
    );
  });
});
