/**
 * Runs a list of prompts through the model one after another, each with its own sampling seed derived
 * from the augmentation seed and the prompt's index, so a run reproduces exactly and a cancelled run
 * stops between two generations.
 */
import { Rng } from '../util/rng.ts';
import type { LanguageModel, RunOptions } from '../model/language-model.ts';

export interface PromptJob {
  /** Id of the training document the prompt is about. */
  source: string;
  prompt: string;
}

/** What the model wrote for one prompt, before splitting and filtering. */
export interface Generation {
  source: string;
  text: string;
}

export interface Sampling {
  maxNewTokens: number;
  temperature: number;
  topK: number;
}

export interface AugmentOptions extends RunOptions {
  /** Seeds every sampled generation and subsample. */
  seed: number;
  /** Sees each generation as it is written, before splitting and filtering (to show or record it). */
  onGeneration?: (generation: Generation) => void;
}

interface GenerationRun extends AugmentOptions {
  stage: 'augment-local' | 'augment-global';
  stops: readonly string[];
}

export async function runGenerations(model: LanguageModel, jobs: readonly PromptJob[], sampling: Sampling, run: GenerationRun): Promise<Generation[]> {
  const seeds = new Rng(`${run.stage}/${run.seed}`);
  const out: Generation[] = [];
  run.onProgress?.({ stage: run.stage, done: 0, total: jobs.length });
  for (const [index, job] of jobs.entries()) {
    run.signal?.throwIfAborted();
    const text = await model.generate(job.prompt, {
      maxNewTokens: sampling.maxNewTokens,
      temperature: sampling.temperature,
      topK: sampling.topK || undefined,
      seed: seeds.fork(String(index)).nextUint32(),
      stop: run.stops,
      signal: run.signal,
    });
    out.push({ source: job.source, text });
    run.onGeneration?.(out[index]);
    run.onProgress?.({ stage: run.stage, done: index + 1, total: jobs.length });
  }
  return out;
}
