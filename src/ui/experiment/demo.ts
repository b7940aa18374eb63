/**
 * The Demo's experiment: DEMO_EXPERIMENT with whatever the page's link says about it, so a link can ask
 * for a shorter demo and a speaker's setup travels with it: its experiment settings (fewer epochs, fewer
 * conditions) and, when the link's dataset is of the Demo's kind, that dataset's preset, parameters
 * (fewer facts) and seed. A dataset of another kind is the student's own work, not a setting of the Demo.
 */
import { DEMO_EXPERIMENT } from '../../experiment/canonical.ts';
import { parseExperimentSpec, type ExperimentSpec } from '../../experiment/spec.ts';
import { overrideTrainSettings } from '../../train/settings.ts';
import type { DatasetChoice, ExperimentSettings } from '../url-state.ts';

export function demoExperiment(settings: ExperimentSettings = {}, dataset?: DatasetChoice): ExperimentSpec {
  const spec = withSettings(DEMO_EXPERIMENT, settings);
  if (dataset?.kind !== spec.dataset.kind) return spec;
  // The page's one seed is the dataset's: the Demo runs on the dataset the link names, seed included.
  return parseExperimentSpec({ ...spec, dataset: { kind: dataset.kind, preset: dataset.preset, params: dataset.params }, seeds: settings.seeds ?? [dataset.seed] });
}

/** A spec with the settings laid over it, field by field (train and augment settings merged, not replaced). */
export function withSettings(spec: ExperimentSpec, settings: ExperimentSettings): ExperimentSpec {
  const { train, augment, ...rest } = settings;
  return parseExperimentSpec({
    ...spec,
    ...rest,
    train: overrideTrainSettings(spec.train, train ?? {}),
    augment: { local: { ...spec.augment.local, ...augment?.local }, global: { ...spec.augment.global, ...augment?.global } },
  });
}
