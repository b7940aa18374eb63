/** Local augmentation: each training sentence alone in the prompt; the model writes rephrasings and direct inferences. */
import type { Dataset } from '../data/format.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { LocalSettings } from './augmentation.ts';
import { runGenerations, type AugmentOptions, type Generation, type PromptJob } from './generations.ts';
import { fillPrompt, LOCAL_STOPS } from './prompts.ts';
import { splitSentences } from './sentences.ts';

/** One prompt per sentence of every training document, `samples` times over. */
export function localJobs(dataset: Pick<Dataset, 'train'>, settings: Pick<LocalSettings, 'prompt' | 'samples'>): PromptJob[] {
  const jobs: PromptJob[] = [];
  for (const doc of dataset.train)
    for (const sentence of splitSentences(doc.text)) {
      const prompt = fillPrompt(settings.prompt, { sentence });
      for (let k = 0; k < settings.samples; k++) jobs.push({ source: doc.id, prompt });
    }
  return jobs;
}

export function generateLocal(
  dataset: Dataset,
  model: LanguageModel,
  settings: LocalSettings,
  options: AugmentOptions,
): Promise<Generation[]> {
  return runGenerations(model, localJobs(dataset, settings), settings, { ...options, stage: 'augment-local', stops: LOCAL_STOPS });
}
