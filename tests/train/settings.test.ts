import { describe, expect, it } from 'vitest';
import { TRAIN_DEFAULTS, overrideTrainSettings } from '../../src/train/settings.ts';

// The page's Fine-tune and Experiment forms offer a rank but no alpha: what they send comes from here.
describe('overrideTrainSettings', () => {
  it('brings the default alpha (2 x rank) along with a rank given alone', () => {
    expect(overrideTrainSettings(TRAIN_DEFAULTS, { rank: 4 })).toMatchObject({ rank: 4, alpha: 8 });
    expect(overrideTrainSettings({ ...TRAIN_DEFAULTS, alpha: 5 }, { rank: 32 })).toMatchObject({ rank: 32, alpha: 64 });
  });

  it('keeps an alpha given with the rank, and the base alpha when the rank is not given', () => {
    expect(overrideTrainSettings(TRAIN_DEFAULTS, { rank: 4, alpha: 3 })).toMatchObject({ rank: 4, alpha: 3 });
    expect(overrideTrainSettings({ ...TRAIN_DEFAULTS, alpha: 5 }, { epochs: 2 })).toMatchObject({ rank: 8, alpha: 5, epochs: 2 });
  });

  it("carries a run's seed through, typed as the base's own kind of settings", () => {
    const params = overrideTrainSettings(TRAIN_DEFAULTS, { rank: 2, seed: 7 });
    expect(params.seed).toBe(7);
    expect(params).toEqual({ ...TRAIN_DEFAULTS, rank: 2, alpha: 4, seed: 7 });
  });
});
