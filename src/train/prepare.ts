/**
 * What is settled before a LoRA run starts: the examples as tokens, the padded batch length, the step
 * count and the memory and time estimate. A run that cannot fit, has too many steps, or is long and not
 * confirmed is refused here, with one line, before any weight is touched. The experiment's adapter piece,
 * `glon train` and the worker's Fine-tune run all start training through this.
 */
import { batchLength, tokenizeExamples, type TokenizedExample, type TrainExample } from './batches.ts';
import { estimateTraining, type TrainDevice, type TrainEstimate } from './estimate.ts';
import type { EngineModel } from '../engine/load.ts';
import { checkRunLength, checkTotalSteps, type TrainParams } from './settings.ts';

export interface PreparedTraining {
  examples: TokenizedExample[];
  /** Padded sequence length of every batch. */
  length: number;
  totalSteps: number;
  estimate: TrainEstimate;
}

/**
 * `refuseLongRuns` is how the caller's user confirms a long run ("pass --yes to start it anyway"); when
 * absent, the user has already confirmed and no length is refused.
 */
export function prepareTraining(
  examples: readonly TrainExample[],
  engine: Pick<EngineModel, 'weights' | 'tokenizer'>,
  params: TrainParams,
  device: TrainDevice,
  refuseLongRuns?: string,
): PreparedTraining {
  const { config } = engine.weights;
  const tokenized = tokenizeExamples(examples, engine.tokenizer, config.maxPositions);
  const length = batchLength(tokenized);
  const totalSteps = Math.ceil(tokenized.length / params.batchSize) * params.epochs;
  const estimate = estimateTraining({ config, batch: params.batchSize, length, steps: totalSteps, lora: params, device });
  if (!estimate.fits) throw new Error(estimate.message);
  checkTotalSteps(totalSteps);
  if (refuseLongRuns !== undefined) checkRunLength(estimate.seconds, totalSteps, false, refuseLongRuns);
  return { examples: tokenized, length, totalSteps, estimate };
}
