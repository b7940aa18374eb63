/**
 * The experiment settings a link carries (url-state.ts's ExperimentSettings) as the difference from the
 * Demo's experiment: a link states only what a student changed, and the Demo honours it.
 */
import type { GlobalSettings, LocalSettings } from '../../augment/augmentation.ts';
import { DEMO_EXPERIMENT } from '../../experiment/canonical.ts';
import type { ExperimentSpec } from '../../experiment/spec.ts';
import type { ExperimentSettings } from '../url-state.ts';

type Chosen = Pick<ExperimentSpec, 'conditions' | 'seeds' | 'template' | 'splitting' | 'train'> & { augment: { local: LocalSettings; global: GlobalSettings } };

/** Fields of `value` that differ from `base`, or undefined when none does. */
function changed<T extends object>(value: T, base: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(value).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(base[k as keyof T])));
  return Object.keys(out).length > 0 ? (out as Partial<T>) : undefined;
}

export function settingsDiff(chosen: Chosen, base: ExperimentSpec = DEMO_EXPERIMENT): ExperimentSettings | undefined {
  const local = changed(chosen.augment.local, base.augment.local);
  const global = changed(chosen.augment.global, base.augment.global);
  const settings: ExperimentSettings = {
    ...changed(
      { conditions: chosen.conditions, seeds: chosen.seeds, template: chosen.template, splitting: chosen.splitting },
      { conditions: base.conditions, seeds: base.seeds, template: base.template, splitting: base.splitting },
    ),
    ...(changed(chosen.train, base.train) ? { train: changed(chosen.train, base.train) } : {}),
    ...(local || global ? { augment: { ...(local ? { local } : {}), ...(global ? { global } : {}) } } : {}),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}
