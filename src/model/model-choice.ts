/**
 * Which model and weights the Model step offers, and how that choice moves when the models are listed,
 * another model or the network is picked, or a shared link names a model. The page shows the choice and
 * dispatches; the rules are here.
 */
import type { Dtype } from './language-model.ts';

/** The lab's default: the smallest instruction-tuned model that can show the study's effects. */
export const DEFAULT_MODEL_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
/** Served by every build of the app (1 MB): the model that is always there. */
export const EMBEDDED_MODEL_ID = 'stories260K';
/** The choice "a hub id, typed in", which no folder name can equal. */
export const HUB_CHOICE = '\u0000hub';
/** 8-bit first: a quarter of fp32's bytes and scores close to it; 4-bit loses more. */
export const DTYPE_PREFERENCE: readonly Dtype[] = ['q8', 'q4', 'fp16', 'fp32'];
/** A link's model loads without a press only when the app serves it and it is this small. */
export const AUTOLOAD_BYTES = 16 * 2 ** 20;

/** A model this browser can load without the network: the app's own, or one downloaded before. */
export interface OfferedModel {
  id: string;
  dtypes: readonly Dtype[];
  bytes: Partial<Record<Dtype, number>>;
}

/** What is selected once the models are listed: the default when served here, else the embedded model, else any, else the hub. */
export function firstChoice(offered: readonly Pick<OfferedModel, 'id'>[]): string {
  const ids = offered.map((m) => m.id);
  if (ids.includes(DEFAULT_MODEL_ID)) return DEFAULT_MODEL_ID;
  if (ids.includes(EMBEDDED_MODEL_ID)) return EMBEDDED_MODEL_ID;
  return ids[0] ?? HUB_CHOICE;
}

/** The weights kept when the model changes: the same dtype when the new model has it, else the preferred one it has. */
export function dtypeFor(available: readonly Dtype[], current: Dtype): Dtype {
  if (available.includes(current)) return current;
  return DTYPE_PREFERENCE.find((d) => available.includes(d)) ?? available[0];
}

export interface LinkedModel {
  dtype: Dtype;
  /** The link's dtype is not offered for this model, so `dtype` stands in for it. */
  swapped: boolean;
  /** Bytes of those weights (Infinity when unknown). */
  bytes: number;
  /** Loaded at once: small, served here, and it fits this device (`fits`, the memory rule). */
  autoload: boolean;
}

/** A link names a model this browser offers: the weights it gets, and whether it loads without a press. */
export function linkedModel(model: OfferedModel, wanted: Dtype, current: Dtype, fits: (bytes: number) => boolean): LinkedModel {
  const swapped = !model.dtypes.includes(wanted);
  const dtype = swapped ? dtypeFor(model.dtypes, current) : wanted;
  const bytes = model.bytes[dtype] ?? Number.POSITIVE_INFINITY;
  return { dtype, swapped, bytes, autoload: bytes <= AUTOLOAD_BYTES && fits(bytes) };
}

export interface NetworkState {
  choice: string;
  hubId: string;
  /** The app serves the default model itself. */
  defaultIsLocal: boolean;
  /** A link named a hub model: allowing the network is how a student asks for it. */
  linkedHub: boolean;
}

/**
 * The selection after "Allow network" changes: allowed, the hub choice when a link asked for a hub model
 * or the default would come from the hub in place of the embedded stand-in; refused, no hub choice.
 */
export function choiceOnNetwork(allowed: boolean, state: NetworkState): string {
  const { choice, hubId, defaultIsLocal, linkedHub } = state;
  if (allowed && (linkedHub || (!defaultIsLocal && choice === EMBEDDED_MODEL_ID && hubId.trim() === DEFAULT_MODEL_ID))) return HUB_CHOICE;
  if (!allowed && choice === HUB_CHOICE) return defaultIsLocal ? DEFAULT_MODEL_ID : EMBEDDED_MODEL_ID;
  return choice;
}

/** A recommended model is loaded from this browser when its weights were downloaded before, else from the hub. */
export function recommendedChoice(offered: readonly Pick<OfferedModel, 'id' | 'dtypes'>[], id: string, dtype: Dtype): string {
  return offered.some((m) => m.id === id && m.dtypes.includes(dtype)) ? id : HUB_CHOICE;
}
