/**
 * Node only (CLI, tests): a base model folder and a saved adapter folder in; a model folder with the adapter
 * merged (fp32 ONNX) and the base's config and tokenizer out, ready for loadModelNode.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Dtype, LanguageModel } from '../model/language-model.ts';
import { loadModelNode, type NodeLoadOptions } from '../runtime/load-node.ts';
import { parseLlamaConfig, type LlamaConfig } from '../model/llama-config.ts';
import { CONFIG_FILES, DTYPE_FILES } from '../model/dtypes.ts';
import { externalDataBeside } from '../onnx/external-data-node.ts';
import { readOnnxWeights } from '../onnx/onnx-weights.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, decodeAdapter } from './adapter-files.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import { mergeAdapterToOnnx } from './merge-adapter.ts';

async function readOrExplain(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new Error(`cannot read ${path}: no such file`);
  }
}

async function readConfig(modelDir: string): Promise<{ json: Record<string, unknown>; config: LlamaConfig }> {
  const path = join(resolve(modelDir), 'config.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse((await readOrExplain(path)).toString('utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  return { json, config: parseLlamaConfig(json) };
}

/** Reads `adapterDir` (PEFT files) and checks it against the model in `modelDir`. */
export async function readAdapterFolder(adapterDir: string, modelDir: string): Promise<LoraAdapter> {
  const { config } = await readConfig(modelDir);
  const weights = await readOrExplain(join(adapterDir, ADAPTER_WEIGHTS_FILE));
  const text = (await readOrExplain(join(adapterDir, ADAPTER_CONFIG_FILE))).toString('utf8');
  try {
    return decodeAdapter({ weights: new Uint8Array(weights), config: text }, config);
  } catch (err) {
    throw new Error(`${adapterDir}: ${(err as Error).message}`);
  }
}

/** Writes `outDir` as a model folder: the base's `dtype` weights with `adapter` merged, saved as fp32. */
export async function writeMergedModel(modelDir: string, dtype: Dtype, adapter: LoraAdapter, outDir: string): Promise<void> {
  const { json, config } = await readConfig(modelDir);
  const path = join(resolve(modelDir), DTYPE_FILES[dtype]);
  const base = readOnnxWeights(await readOrExplain(path), config, externalDataBeside(path));
  const onnx = mergeAdapterToOnnx(config, base, adapter);
  await mkdir(dirname(join(outDir, DTYPE_FILES.fp32)), { recursive: true });
  await writeFile(join(outDir, DTYPE_FILES.fp32), onnx);
  await writeFile(join(outDir, 'config.json'), JSON.stringify(withoutExternalData(json), null, 2));
  for (const file of [...CONFIG_FILES.filter((f) => f !== 'config.json'), 'generation_config.json'])
    if (existsSync(join(modelDir, file))) await copyFile(join(modelDir, file), join(outDir, file));
}

/** The base's config.json for the merged file, which keeps all its weights inline: transformers.js must not look for data files. */
function withoutExternalData(json: Record<string, unknown>): Record<string, unknown> {
  const jsConfig = json['transformers.js_config'] as Record<string, unknown> | undefined;
  if (!jsConfig || !('use_external_data_format' in jsConfig)) return json;
  const { use_external_data_format: _, ...rest } = jsConfig;
  return { ...json, 'transformers.js_config': rest };
}

/**
 * The base model with `adapter` merged, loaded in ONNX Runtime from a temporary folder that dispose() removes.
 * `name` becomes the folder's name and so the model's id ("+" breaks transformers.js paths).
 */
export async function loadMergedModel(
  modelDir: string,
  dtype: Dtype,
  adapter: LoraAdapter,
  options: { name: string; onProgress?: NodeLoadOptions['onProgress'] },
): Promise<{ model: LanguageModel; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'glon-ft-'));
  try {
    await writeMergedModel(modelDir, dtype, adapter, join(dir, options.name));
    const model = await loadModelNode({ model: join(dir, options.name), dtype: 'fp32', onProgress: options.onProgress });
    return {
      model,
      dispose: async () => {
        await model.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
