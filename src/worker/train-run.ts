/** The Fine-tune panel's run: a LoRA adapter trained on the held model's weights, then its condition scored with it. */
import { conditionInfo } from '../eval/conditions.ts';
import { evaluate } from '../eval/evaluate.ts';
import { trainingExamples } from '../train/examples.ts';
import { JaxLanguageModel } from '../train/jax-language-model.ts';
import { prepareTraining } from '../train/prepare.ts';
import { checkTrainParams } from '../train/settings.ts';
import { trainLora } from '../train/trainer.ts';
import { trainingFlag } from './halt-flag.ts';
import type { CommandFields, TrainSummary } from './protocol.ts';
import { progressRelay, type TrainingTools } from './run-tools.ts';

/** How the page confirms a run estimated over the time limit (its confirm dialog shows the message). */
export const CONFIRM_ADVICE = 'confirm (OK) to start it anyway';

/** Trains a LoRA adapter on the documents (split, or with augmentations, as the condition says), then scores that condition. */
export async function trainRun({ spec, halt }: CommandFields<'train'>, { controller, control, engine, report, busy }: TrainingTools) {
  const checkFlag = trainingFlag(halt, controller, control);
  if (!conditionInfo(spec.condition).adapted) throw new Error(`${spec.condition} is not a fine-tuned condition`);
  checkTrainParams(spec.params);
  return busy(async () => {
    const engineModel = await engine(spec.device, controller.signal);
    const examples = trainingExamples(spec.dataset, { splitting: spec.splitting, augmentations: spec.augmentations });
    const prepared = prepareTraining(examples, engineModel, spec.params, spec.device, spec.confirmed ? undefined : CONFIRM_ADVICE);
    const { length, totalSteps, estimate } = prepared;
    report({
      type: 'train-start',
      device: spec.device,
      examples: prepared.examples.length,
      length,
      totalSteps,
      estimateSeconds: estimate.seconds,
      estimateBytes: estimate.bytes,
    });
    const trained = await trainLora(engineModel.weights, prepared.examples, spec.params, {
      control,
      onStep: (progress) => {
        report({ type: 'train-step', progress });
        checkFlag();
        // The trainer waits before its next step: this is where the run stands still.
        if (control.paused) report({ type: 'train-paused' });
      },
    });
    controller.signal.throwIfAborted();
    const training: TrainSummary = {
      status: trained.status,
      steps: trained.steps,
      totalSteps,
      losses: trained.losses,
      seconds: trained.seconds,
      device: spec.device,
    };
    // Cancelled before a step finished: the adapter is its initial zero update, i.e. the base model.
    if (trained.steps === 0) controller.abort();
    controller.signal.throwIfAborted();
    report({ type: 'train-end', training });

    const adapted = new JaxLanguageModel({
      id: engineModel.id,
      device: spec.device,
      dtype: engineModel.dtype,
      weights: engineModel.weights,
      tokenizer: engineModel.tokenizer,
      adapter: trained.adapter,
    });
    try {
      const result = await evaluate(spec.dataset, adapted, {
        condition: spec.condition,
        template: spec.template,
        seed: spec.seed,
        signal: controller.signal,
        onProgress: progressRelay(report, checkFlag),
      });
      if (training.status === 'cancelled')
        result.notes.push(`${spec.condition}: training was cancelled; scored with the adapter of step ${training.steps} of ${totalSteps}`);
      return { result, training };
    } finally {
      await adapted.dispose();
    }
  });
}
