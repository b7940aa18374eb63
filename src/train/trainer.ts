/**
 * LoRA fine-tuning of a Llama on jax-js: the loop around the jitted step. Runs the same in the page, a
 * worker and Node. Reports loss, rate and ETA after every step; between steps it honours pause and
 * cancel, and a cancelled run returns the adapter of its last finished step.
 */
import { numpy as np, random } from '@jax-js/jax';
import { Rng } from '../util/rng.ts';
import { ADAMW_DEFAULTS, initAdamW, learningRate } from '../engine/adamw.ts';
import { batchLength, epochBatches, type HostBatch, type TokenizedExample } from './batches.ts';
import type { TrainControl } from './control.ts';
import type { EngineWeights } from '../engine/llama.ts';
import { initLora, loraLayout, loraScale, packLora, unpackLora, type LoraAdapter, type LoraConfig } from '../engine/lora.ts';
import { checkTotalSteps, checkTrainParams, type TrainParams } from './settings.ts';
import { makeTrainStep, type DeviceBatch } from './step.ts';

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number;
}

/** Everything a run needs to continue after its `step`-th step as if it had never stopped. */
export interface TrainCheckpoint {
  step: number;
  totalSteps: number;
  /** The LoRA factors in layout order (see step.ts), and AdamW's two moments of them. */
  theta: Float32Array<ArrayBuffer>;
  m: Float32Array<ArrayBuffer>;
  v: Float32Array<ArrayBuffer>;
  /** Loss of every step up to `step`. */
  losses: number[];
}

export interface TrainOptions {
  control?: TrainControl;
  onStep?: (progress: TrainProgress) => void;
  /** Continue a run of the same examples and params from this checkpoint. */
  resumeFrom?: TrainCheckpoint;
  /** Steps between checkpoints handed to onCheckpoint (none when absent). */
  checkpointEvery?: number;
  onCheckpoint?: (checkpoint: TrainCheckpoint) => Promise<void> | void;
}

export interface TrainResult {
  adapter: LoraAdapter;
  /** Mean loss of every finished step. */
  losses: number[];
  status: 'done' | 'cancelled';
  steps: number;
  seconds: number;
  /** Sequence positions processed in this call (batch x length x steps, padding included). */
  tokens: number;
}

function toDevice(b: HostBatch): DeviceBatch {
  const shape = [b.batch, b.length];
  return {
    tokens: np.array(b.tokens, { shape, dtype: np.int32 }),
    positions: np.array(b.positions, { shape, dtype: np.int32 }),
    targets: np.array(b.targets, { shape, dtype: np.int32 }),
    weights: np.array(b.weights, { shape, dtype: np.float32 }),
  };
}

/**
 * WASM steps never leave the microtask queue, so in Node a terminal's Ctrl-C (which cancels through the
 * control) would wait for the whole run: the loop lets the process's events in every tenth of a second.
 * The page's worker is halted through shared memory instead, and its timers would be clamped to 4 ms.
 */
const letEventsIn = typeof setImmediate === 'function' ? () => new Promise<void>((resolve) => setImmediate(resolve)) : undefined;

export async function trainLora(
  engine: EngineWeights,
  examples: readonly TokenizedExample[],
  params: TrainParams,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkTrainParams(params);
  if (examples.length === 0) throw new RangeError('no training examples');
  const rng = new Rng(params.seed);
  const config: LoraConfig = { rank: params.rank, alpha: params.alpha, dropout: params.dropout, targets: params.targets };
  const layout = loraLayout(engine.config, config);
  const length = batchLength(examples);
  const stepsPerEpoch = Math.ceil(examples.length / params.batchSize);
  const totalSteps = stepsPerEpoch * params.epochs;
  checkTotalSteps(totalSteps);
  const schedule = { peak: params.learningRate, warmupSteps: Math.round(params.warmup * totalSteps), totalSteps };
  const adamW = { ...ADAMW_DEFAULTS, weightDecay: params.weightDecay, clipNorm: params.clipNorm };
  const trainStep = makeTrainStep(engine, { scale: loraScale(config), dropout: params.dropout }, layout, adamW);

  const resume = options.resumeFrom;
  if (resume && (resume.totalSteps !== totalSteps || resume.theta.length !== layout.size || resume.step >= totalSteps))
    throw new RangeError(
      `the checkpoint (step ${resume.step} of ${resume.totalSteps}, ${resume.theta.length} parameters) does not belong to this run ` +
        `(${totalSteps} steps, ${layout.size} parameters)`,
    );
  let theta = np.array(resume ? resume.theta : packLora(initLora(engine.config, config, rng.fork('init')), layout), { dtype: np.float32 });
  let state = resume
    ? { m: [np.array(resume.m, { dtype: np.float32 })], v: [np.array(resume.v, { dtype: np.float32 })] }
    : initAdamW([theta]);
  const losses: number[] = resume ? [...resume.losses] : [];
  const skipped = losses.length;
  let position = 0;
  const started = performance.now();
  let timedFrom = started;
  let timedSteps = 0;
  let lastYield = started;
  let status: TrainResult['status'] = 'done';
  const control = options.control;

  outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
    for (const host of epochBatches(examples, params.batchSize, length, rng.fork(`epoch/${epoch}`))) {
      if (++position <= skipped) continue;
      if (letEventsIn && performance.now() - lastYield > 100) {
        await letEventsIn();
        lastYield = performance.now();
      }
      await control?.whilePaused();
      if (control?.signal.aborted) {
        status = 'cancelled';
        break outer;
      }
      const step = losses.length + 1;
      const lr = learningRate(schedule, step);
      const correction = np.array([1 / (1 - adamW.beta1 ** step), 1 / (1 - adamW.beta2 ** step)], { dtype: np.float32 });
      // Per-step randomness comes from the step number, so a resumed run draws what the original would have.
      const key = random.key(rng.fork(`dropout/${step}`).nextUint32() | 0);
      const result = trainStep(theta, state, toDevice(host), np.array(lr, { dtype: np.float32 }), correction, key);
      theta = result.theta;
      state = result.state;
      const loss = (await result.loss.data())[0];
      const gradNorm = (await result.gradNorm.data())[0];
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss}); lower the learning rate`);
      losses.push(loss);
      // The first step includes compilation: the rate is measured from the second step on.
      if (step === skipped + 1) timedFrom = performance.now();
      else timedSteps++;
      const perStep = timedSteps > 0 ? (performance.now() - timedFrom) / 1000 / timedSteps : (performance.now() - started) / 1000;
      options.onStep?.({
        step,
        totalSteps,
        epoch,
        loss,
        gradNorm,
        learningRate: lr,
        tokensPerSecond: (params.batchSize * length) / perStep,
        etaSeconds: perStep * (totalSteps - step),
      });
      if (options.onCheckpoint && options.checkpointEvery && step % options.checkpointEvery === 0 && step < totalSteps)
        await options.onCheckpoint({
          step,
          totalSteps,
          theta: (await theta.ref.data()) as Float32Array<ArrayBuffer>,
          m: (await state.m[0].ref.data()) as Float32Array<ArrayBuffer>,
          v: (await state.v[0].ref.data()) as Float32Array<ArrayBuffer>,
          losses: [...losses],
        });
    }
  }
  const adapter = unpackLora((await theta.data()) as Float32Array, layout, config);
  for (const a of [...state.m, ...state.v]) a.dispose();
  return {
    adapter,
    losses,
    status,
    steps: losses.length,
    seconds: (performance.now() - started) / 1000,
    tokens: (losses.length - skipped) * params.batchSize * length,
  };
}
