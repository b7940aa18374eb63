/**
 * Global augmentation: one training document in focus with the others in context; the model writes
 * inferences that link them (chains through a hierarchy, syllogisms, family relations). When the other
 * documents do not fit the model's context, each prompt gets a seeded random subset, as ICL does.
 */
import type { Dataset } from '../data/format.ts';
import { Rng } from '../util/rng.ts';
import { fitDocuments } from '../data/fit-context.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { GlobalSettings } from './augmentation.ts';
import { runGenerations, type AugmentOptions, type Generation, type PromptJob } from './generations.ts';
import { fillPrompt, GLOBAL_STOPS } from './prompts.ts';

export interface GlobalGenerations {
  generations: Generation[];
  notes: string[];
}

/** "3" or "2-5". */
function range(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/** Every document in focus once per pass, each prompt filled with as many of the other documents as fit. */
export function globalJobs(
  dataset: Pick<Dataset, 'train'>,
  model: Pick<LanguageModel, 'countTokens' | 'contextLength'>,
  settings: Pick<GlobalSettings, 'prompt' | 'passes' | 'maxNewTokens'>,
  seed: number,
): { jobs: PromptJob[]; notes: string[] } {
  const rng = new Rng(`augment-global/${seed}`);
  const jobs: PromptJob[] = [];
  const kept: number[] = [];
  const tooLong = new Set<string>();
  for (let pass = 0; pass < settings.passes; pass++)
    for (const [i, doc] of dataset.train.entries()) {
      const others = dataset.train.filter((_, j) => j !== i).map((d) => d.text);
      const fill = (docs: readonly string[]) => fillPrompt(settings.prompt, { documents: docs.join('\n'), document: doc.text });
      const fits = (docs: string[]) => model.countTokens(fill(docs)) + settings.maxNewTokens <= model.contextLength;
      // A long document would leave no room for the model to write: it gets no global prompt, and the note says so.
      if (!fits([])) {
        tooLong.add(doc.id);
        continue;
      }
      const fitted = fitDocuments(others, fits, rng.fork(`pass-${pass}/${doc.id}`));
      kept.push(fitted.kept.length);
      jobs.push({ source: doc.id, prompt: fill(fitted.kept) });
    }
  const others = dataset.train.length - 1;
  const subsampled = kept.filter((k) => k < others).length;
  const notes: string[] = [];
  if (tooLong.size)
    notes.push(
      `${tooLong.size} of ${dataset.train.length} documents left out (${[...tooLong].slice(0, 5).join(', ')}${tooLong.size > 5 ? ', ...' : ''}): ` +
        `the prompt with the document alone does not fit the model's ${model.contextLength}-token context with ${settings.maxNewTokens} new tokens` +
        (jobs.length === 0 ? ' (shorten the prompt or lower maxNewTokens)' : ''),
    );
  if (subsampled)
    notes.push(
      `other documents subsampled to fit the model's ${model.contextLength}-token context in ${subsampled} of ${kept.length} prompts: ` +
        `${range(kept)} of ${others} each (chosen by seed ${seed})`,
    );
  // Every document left out: the augmentation keeps no sentence, its note says why, and an experiment's other
  // seeds and modes go on (its conditions then train on the documents alone, as when nothing is kept).
  return { jobs, notes };
}

export async function generateGlobal(
  dataset: Dataset,
  model: LanguageModel,
  settings: GlobalSettings,
  options: AugmentOptions,
): Promise<GlobalGenerations> {
  const { jobs, notes } = globalJobs(dataset, model, settings, options.seed);
  const generations = await runGenerations(model, jobs, settings, { ...options, stage: 'augment-global', stops: GLOBAL_STOPS });
  return { generations, notes };
}
