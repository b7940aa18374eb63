/**
 * What this browser can be expected to do with a model, said before anything is loaded: the speed of
 * the WASM fallback (figures measured by `npm run bench`, README "Speed") and whether a model's weights
 * fit the memory at hand.
 */
import type { Device, Dtype } from '../../model/language-model.ts';
import type { OfferedModel } from '../../model/model-choice.ts';
import { MEASURED_WASM_ITEMS_PER_SECOND } from '../../hub/recommended.ts';
import { WASM_LIMIT } from '../../train/estimate.ts';
import { formatBytes } from '../units.ts';

/** Measured on a 2-core CPU (bench/results.json): ICL scoring of a SmolLM2-135M-sized model, KV cache reused. */
export const WASM_SPEED = { parameters: '135M', itemsPerSecond: MEASURED_WASM_ITEMS_PER_SECOND.itemsPerSecond, smallItems: 48, smallSeconds: 10 } as const;
/** The training of a default fine-tuning run of stories260K on a `small` dataset, measured (README, LoRA fine-tuning). */
export const WASM_TINY_TRAINING = 'about 5 s';

/**
 * While a model loads, its file is held by the page and copied into the runtime: about twice its bytes.
 * On WASM the copy and the activations share one 32-bit memory, so a model needs headroom below 4 GiB.
 */
export const LOAD_FACTOR = 2;
const WASM_WEIGHTS_LIMIT = WASM_LIMIT * 0.75;
const GiB = 2 ** 30;
/** Chrome reports navigator.deviceMemory rounded down to a power of two and capped at 8 (GB). */
const DEVICE_MEMORY_CAP = 8;

export interface MemoryInput {
  bytes: number;
  device: Device;
  /** navigator.deviceMemory (GB), when the browser tells. */
  deviceMemory?: number;
}

export type MemoryVerdict = { level: 'ok' } | { level: 'warn' | 'refuse'; reason: string };

export function checkMemory({ bytes, device, deviceMemory }: MemoryInput): MemoryVerdict {
  if (device === 'wasm' && bytes > WASM_WEIGHTS_LIMIT)
    return {
      level: 'refuse',
      reason: `its weights are ${formatBytes(bytes)}, and ONNX Runtime on WASM holds a model and its work in at most ${formatBytes(WASM_LIMIT)}`,
    };
  if (deviceMemory !== undefined && deviceMemory < DEVICE_MEMORY_CAP && bytes * LOAD_FACTOR > (deviceMemory * GiB) / 2)
    return {
      level: 'warn',
      reason: `loading needs about ${formatBytes(bytes * LOAD_FACTOR)} and this device reports ${deviceMemory} GB of memory in all, so the tab may run out and close`,
    };
  return { level: 'ok' };
}

/** The dtypes of the same model that would load without a warning, smallest first. */
export function dtypesThatFit(bytes: Partial<Record<Dtype, number>>, device: Device, deviceMemory?: number): Dtype[] {
  return (Object.entries(bytes) as [Dtype, number][])
    .filter(([, b]) => checkMemory({ bytes: b, device, deviceMemory }).level === 'ok')
    .sort((a, b) => a[1] - b[1])
    .map(([dtype]) => dtype);
}

/**
 * What would load in place of a model that does not fit without a warning, in a sentence: its own smaller
 * weights when any fit, else the other models offered here that fit; empty when nothing would.
 */
export function whatFitsInstead(chosen: OfferedModel, offered: readonly OfferedModel[], device: Device, deviceMemory?: number): string {
  const fits = dtypesThatFit(chosen.bytes, device, deviceMemory).map((d) => `${d} (${formatBytes(chosen.bytes[d]!)})`);
  if (fits.length > 0) return `The ${fits.join(' or ')} weights of this model would fit.`;
  const others = offered.filter((m) => m.id !== chosen.id && dtypesThatFit(m.bytes, device, deviceMemory).length > 0).map((m) => m.id);
  return others.length > 0 ? `A smaller model would: ${others.join(', ')}.` : '';
}

/** navigator.deviceMemory exists in Chromium only. */
export function reportedDeviceMemory(): number | undefined {
  return (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
}
