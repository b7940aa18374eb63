/**
 * What every dataset kind provides: a typed parameter schema (the page's form and the CLI's flags are
 * generated from it), `small` and `paper` presets, its splits, and a pure generator.
 */
import type { Dataset, ParamValue } from './format.ts';
import type { Rng } from '../util/rng.ts';

export type Params = Record<string, ParamValue>;

export interface ParamSpec {
  name: string;
  type: 'int' | 'float' | 'bool' | 'enum';
  default: ParamValue;
  min?: number;
  max?: number;
  choices?: readonly string[];
  help: string;
}

export interface SplitInfo {
  /** What the split tests, for the README, the page and the CLI. */
  description: string;
  /** True for splits that need generalization (base models must sit near chance on these). */
  generalization: boolean;
}

export type Preset = 'small' | 'paper';
export const PRESETS: readonly Preset[] = ['small', 'paper'];

export interface KindDefinition {
  kind: string;
  title: string;
  /** One plain sentence for a newcomer: what the facts are and what the test asks. */
  summary: string;
  /** The full account, in the logic's own terms (shown on request). */
  description: string;
  params: readonly ParamSpec[];
  presets: Record<Preset, Params>;
  splits: Record<string, SplitInfo>;
  /** Pure: same params and rng state give the same output. */
  generate(params: Params, rng: Rng): Pick<Dataset, 'lexicon' | 'train' | 'test'>;
}
