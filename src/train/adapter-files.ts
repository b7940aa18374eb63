/**
 * A LoRA adapter as the two files Python PEFT reads: `adapter_model.safetensors` with PEFT's tensor names
 * (lora_A [rank, in], lora_B [out, rank], as torch Linear weights: glon's factors transposed) and `adapter_config.json`.
 */
import { z } from 'zod';
import { PROJECTIONS, PROJECTION_MODULES, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';
import { transposed } from '../model/llama-weights.ts';
import type { HostFactors, LoraAdapter } from '../engine/lora.ts';
import { checkLoraConfig } from './settings.ts';
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from './safetensors.ts';

export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

function tensorName(layer: number, p: Projection, factor: 'A' | 'B'): string {
  return `base_model.model.model.layers.${layer}.${PROJECTION_MODULES[p]}.lora_${factor}.weight`;
}

export interface AdapterFiles {
  weights: Uint8Array;
  /** adapter_config.json text. */
  config: string;
}

export function encodeAdapter(adapter: LoraAdapter, baseModel: string): AdapterFiles {
  const r = adapter.config.rank;
  const tensors = new Map<string, F32Tensor>();
  adapter.layers.forEach((layer, i) => {
    for (const p of PROJECTIONS) {
      const f = layer[p];
      if (!f) continue;
      tensors.set(tensorName(i, p, 'A'), { shape: [r, f.in], data: transposed({ rows: f.in, cols: r, data: f.a }).data });
      tensors.set(tensorName(i, p, 'B'), { shape: [f.out, r], data: transposed({ rows: r, cols: f.out, data: f.b }).data });
    }
  });
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r,
    lora_alpha: adapter.config.alpha,
    lora_dropout: adapter.config.dropout,
    target_modules: adapter.config.targets.map((p) => PROJECTION_MODULES[p].split('.')[1]),
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
  };
  return { weights: encodeSafetensors(tensors, { format: 'pt' }), config: JSON.stringify(config, null, 2) + '\n' };
}

const configSchema = z.object({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).lt(1).optional(),
  target_modules: z.union([z.array(z.string()), z.string()]),
  use_rslora: z.boolean().optional(),
  use_dora: z.boolean().optional(),
});

/**
 * The adapter's tensors, each checked finite: one NaN would make every score NaN, and an infinite
 * weight is never a trained one.
 */
export function readAdapterTensors(weights: Uint8Array): Map<string, F32Tensor> {
  let tensors: Map<string, F32Tensor>;
  try {
    tensors = decodeSafetensors(weights).tensors;
  } catch (err) {
    throw new Error(`${ADAPTER_WEIGHTS_FILE}: ${(err as Error).message}`);
  }
  for (const [name, { data }] of tensors) {
    const at = data.findIndex((x) => !Number.isFinite(x));
    if (at >= 0) throw new Error(`${ADAPTER_WEIGHTS_FILE}: ${name.slice(0, 100)} holds ${data[at]} at index ${at}: an adapter's weights must be finite numbers`);
  }
  return tensors;
}

/** Reads an adapter and checks it against the model it is meant for. */
export function decodeAdapter(files: AdapterFiles, model: LlamaConfig): LoraAdapter {
  let json: unknown;
  try {
    json = JSON.parse(files.config);
  } catch (err) {
    throw new Error(`${ADAPTER_CONFIG_FILE}: not JSON: ${(err as Error).message}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${ADAPTER_CONFIG_FILE}: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.use_rslora || c.use_dora) throw new Error(`${ADAPTER_CONFIG_FILE}: rsLoRA and DoRA adapters are not supported`);
  const moduleNames = typeof c.target_modules === 'string' ? [c.target_modules] : c.target_modules;
  const targets = moduleNames.map((name) => {
    const p = PROJECTIONS.find((q) => PROJECTION_MODULES[q].endsWith(`.${name}`));
    if (!p) throw new Error(`${ADAPTER_CONFIG_FILE}: unsupported target module "${name}"`);
    return p;
  });
  const config = { rank: c.r, alpha: c.lora_alpha, dropout: c.lora_dropout ?? 0, targets };
  checkLoraConfig(config);
  const tensors = readAdapterTensors(files.weights);
  const layers = Array.from({ length: model.numLayers }, (_, i) => {
    const layer: Partial<Record<Projection, HostFactors>> = {};
    for (const p of targets) {
      const [inDim, outDim] = projectionShape(model, p);
      const a = tensors.get(tensorName(i, p, 'A'));
      const b = tensors.get(tensorName(i, p, 'B'));
      const where = `${ADAPTER_WEIGHTS_FILE}: layer ${i} ${PROJECTION_MODULES[p]}`;
      if (!a || !b) throw new Error(`${where}: missing lora_A or lora_B (is the adapter for this model?)`);
      if (a.shape.join() !== `${c.r},${inDim}` || b.shape.join() !== `${outDim},${c.r}`)
        throw new Error(`${where}: shapes [${a.shape}] and [${b.shape}] do not fit rank ${c.r} on a ${inDim}->${outDim} projection`);
      layer[p] = { a: transposed({ rows: c.r, cols: inDim, data: a.data }).data, b: transposed({ rows: outDim, cols: c.r, data: b.data }).data, in: inDim, out: outDim };
    }
    return layer;
  });
  const expected = model.numLayers * targets.length * 2;
  if (tensors.size !== expected)
    throw new Error(`${ADAPTER_WEIGHTS_FILE}: ${tensors.size} tensors, expected ${expected} (is the adapter for this model?)`);
  return { config, layers };
}
