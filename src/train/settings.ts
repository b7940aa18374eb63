/**
 * Training settings: one schema with its bounds and defaults for every way a run is set up — `glon train`
 * flags, experiment files (and so `glon run`), links and the page. Everything that trains checks here, so a
 * setting that one door refuses no other door accepts.
 */
import { z } from 'zod';
import { summarizeIssues } from '../data/format.ts';
import type { LoraConfig } from '../engine/lora.ts';
import { PROJECTIONS, type Projection } from '../model/llama-config.ts';

export const TRAIN_LIMITS = { maxRank: 1024, maxEpochs: 1000, maxBatch: 512, maxSteps: 100_000 } as const;

/** A run estimated to take longer than this asks first in the page and needs `--yes` on the command line. */
export const CONFIRM_SECONDS = 30 * 60;

/** LoRA alpha when none is given: twice the rank, so the update's scale alpha / rank is 2 whatever the rank. */
export function defaultAlpha(rank: number): number {
  return 2 * rank;
}

/** "must be at most 1000, got 1000000000000": the bound and the value, after the setting's name. */
const got = (rule: string) => (issue: { input?: unknown }) => `${rule}, got ${String(issue.input)}`;
const wholeNumber = (max: number) =>
  z.number({ error: got('must be a finite number') }).int({ error: got('must be a whole number') }).min(1, { error: got('must be at least 1') }).max(max, { error: got(`must be at most ${max}`) });
const fraction = () => z.number({ error: got('must be a finite number') }).min(0, { error: got('must be in [0, 1)') }).lt(1, { error: got('must be in [0, 1)') });
const positive = () => z.number({ error: got('must be a finite number') }).positive({ error: got('must be positive') });

const settingsShape = {
  rank: wholeNumber(TRAIN_LIMITS.maxRank),
  alpha: positive(),
  dropout: fraction(),
  targets: z.array(z.enum(PROJECTIONS)).min(1, { error: 'needs at least one target module' }),
  epochs: wholeNumber(TRAIN_LIMITS.maxEpochs),
  batchSize: wholeNumber(TRAIN_LIMITS.maxBatch),
  learningRate: positive().lt(1, { error: got('must be below 1') }),
  warmup: fraction(),
  weightDecay: z.number({ error: got('must be a finite number') }).min(0, { error: got('must be 0 or more') }).max(1, { error: got('must be at most 1') }),
  clipNorm: positive(),
};

/** Every setting but the seed, which an experiment draws per run. */
export const trainSettingsSchema = z.strictObject(settingsShape);
/** What an adapter itself records of them (its config file): shape and scale, not how it was trained. */
export const loraSettingsSchema = trainSettingsSchema.pick({ rank: true, alpha: true, dropout: true, targets: true });

/** The bounds above, for an adapter from anywhere (a file, a bundle): the trainer checks all of its settings. */
export function checkLoraConfig(config: LoraConfig): void {
  const parsed = loraSettingsSchema.safeParse(config);
  if (!parsed.success) throw new RangeError(`LoRA ${summarizeIssues(parsed.error.issues)}`);
}

const trainParamsSchema = z.strictObject({ ...settingsShape, seed: z.number({ error: got('must be a finite number') }).int({ error: got('must be a whole number') }) });

export interface TrainSettings extends Omit<z.infer<typeof trainSettingsSchema>, 'targets'> {
  targets: readonly Projection[];
}

export interface TrainParams extends TrainSettings {
  seed: number;
}

export const TRAIN_DEFAULTS: TrainParams = {
  rank: 8,
  alpha: defaultAlpha(8),
  dropout: 0,
  targets: [...PROJECTIONS],
  epochs: 10,
  batchSize: 8,
  learningRate: 1e-2,
  warmup: 0.1,
  weightDecay: 0,
  clipNorm: 1,
  seed: 0,
};

export class SettingsError extends RangeError {
  override name = 'SettingsError';
}

/** A run that may go ahead once the user confirms it. */
export class LongRunError extends SettingsError {
  override name = 'LongRunError';
}

/** Throws one line naming the first setting out of bounds. */
export function checkTrainParams(params: TrainParams): void {
  const parsed = trainParamsSchema.safeParse(params);
  if (!parsed.success) throw new SettingsError(summarizeIssues(parsed.error.issues));
}

/**
 * Settings laid over others (a run's seed too, when `base` has one); a rank given without an alpha brings
 * its default alpha along, so a form that offers only the rank gets the scale every other door gets.
 */
export function overrideTrainSettings<T extends TrainSettings>(base: T, given: Partial<T>): T {
  const alpha = given.rank !== undefined ? { alpha: defaultAlpha(given.rank) } : {};
  return { ...base, ...alpha, ...given };
}

/** The given settings over the defaults, checked. */
export function resolveTrainSettings(given: Partial<TrainSettings>): TrainSettings {
  const { seed: _, ...defaults } = TRAIN_DEFAULTS;
  const settings = overrideTrainSettings(defaults, given);
  checkTrainParams({ ...settings, seed: 0 });
  return settings;
}

/** Total steps of a run are bounded too: epochs times steps per epoch can still be enormous. */
export function checkTotalSteps(steps: number): void {
  if (steps > TRAIN_LIMITS.maxSteps)
    throw new SettingsError(`${steps} training steps is over the limit of ${TRAIN_LIMITS.maxSteps}: use fewer epochs or a larger batch`);
}

/**
 * Refuses a run estimated to take over CONFIRM_SECONDS unless the user said yes; `howToConfirm` is the
 * door's way to say it ("pass --yes to start it anyway").
 */
export function checkRunLength(estimatedSeconds: number, steps: number, confirmed: boolean, howToConfirm: string): void {
  if (confirmed || estimatedSeconds <= CONFIRM_SECONDS) return;
  throw new LongRunError(
    `this training run is estimated to take about ${Math.round(estimatedSeconds / 60)} minutes (${steps} steps), ` +
      `over the ${CONFIRM_SECONDS / 60}-minute limit: ${howToConfirm}, or use fewer epochs`,
  );
}
