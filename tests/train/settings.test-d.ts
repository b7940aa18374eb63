// Type-level: the page's forms lay their fields over a run's params (seed included) and get params back.
import { expectTypeOf, test } from 'vitest';
import { TRAIN_DEFAULTS, overrideTrainSettings, type TrainParams } from '../../src/train/settings.ts';

test("settings laid over a run's params are a run's params", () => {
  expectTypeOf(overrideTrainSettings(TRAIN_DEFAULTS, { rank: 4, seed: 3 })).toEqualTypeOf<TrainParams>();
});
