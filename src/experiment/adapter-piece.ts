/**
 * The adapter piece: a LoRA adapter trained on a set of examples, stored (PEFT files and how the training
 * went) under the key of the dataset, the base model, the settings and the examples. Training writes a
 * checkpoint to the store every few seconds of work under the same key, and a run that finds one resumes
 * from it, ending on exactly the adapter an uninterrupted run gives.
 */
import { decodeAdapter, encodeAdapter, type AdapterFiles } from '../train/adapter-files.ts';
import type { EngineDevice } from '../engine/backend.ts';
import type { TrainControl } from '../train/control.ts';
import type { EngineModel } from '../engine/load.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import { prepareTraining, type PreparedTraining } from '../train/prepare.ts';
import { trainLora, type TrainCheckpoint, type TrainProgress } from '../train/trainer.ts';
import type { AdapterTraining } from './store.ts';
import { savedNow, storedOrMade, type PieceContext } from './piece.ts';
import { adapterKeyOf, type AdapterInputs } from './piece-keys.ts';

/** A killed run loses at most about this much training. */
export const CHECKPOINT_SECONDS = 5;

export interface TrainingEnv {
  /** The base weights and tokenizer in the jax-js engine, loaded once: only to train, or to decode a stored adapter. */
  engine(): Promise<EngineModel>;
  device: EngineDevice;
}

export interface AdapterOptions extends Omit<PieceContext, 'signal'> {
  /** Pause, resume and cancel; cancelling throws its abort unless `keepCancelled`. */
  control?: TrainControl;
  /** A cancelled run returns the adapter of its last finished step (never stored: its key is of a finished run). */
  keepCancelled?: boolean;
  /** Steps between checkpoints; by default about CHECKPOINT_SECONDS of estimated work. */
  checkpointEvery?: number;
  /** How the user confirms a run estimated to be long; absent: confirmed (see prepareTraining). */
  refuseLongRuns?: string;
  onPrepared?(prepared: PreparedTraining): void;
  onResume?(checkpoint: TrainCheckpoint): Promise<void> | void;
  onStep?(progress: TrainProgress): void;
}

export interface AdapterPiece {
  adapter: LoraAdapter;
  files: AdapterFiles;
  training: AdapterTraining;
  key: string;
  cached: boolean;
}

type Made = Omit<AdapterPiece, 'key' | 'cached'>;

export async function adapterPiece(inputs: AdapterInputs, env: TrainingEnv, options: AdapterOptions = {}): Promise<AdapterPiece> {
  const { store } = options;
  const key = await adapterKeyOf(inputs);
  const { value, cached } = await storedOrMade<Made>(
    key,
    options.report,
    async () => {
      const saved = await store?.get('adapters', key);
      if (!saved) return undefined;
      const files = { weights: saved.weights, config: saved.config };
      return { adapter: decodeAdapter(files, (await env.engine()).weights.config), files, training: saved.training };
    },
    () => train(inputs, key, env, options),
  );
  return { ...value, key, cached };
}

async function train(inputs: AdapterInputs, key: string, env: TrainingEnv, options: AdapterOptions): Promise<Made> {
  const { store, control } = options;
  const { examples, params } = inputs;
  const engine = await env.engine();
  const prepared = prepareTraining(examples, engine, params, env.device, options.refuseLongRuns);
  options.onPrepared?.(prepared);
  const resumeFrom = (await store?.get('checkpoints', key))?.checkpoint;
  if (resumeFrom) await options.onResume?.(resumeFrom);
  const trained = await trainLora(engine.weights, prepared.examples, params, {
    control,
    resumeFrom,
    checkpointEvery: options.checkpointEvery ?? Math.max(1, Math.round(CHECKPOINT_SECONDS / prepared.estimate.secondsPerStep)),
    onCheckpoint: store && ((checkpoint) => store.put('checkpoints', { key, checkpoint, savedAt: savedNow() })),
    onStep: options.onStep,
  });
  if (trained.status === 'cancelled' && !options.keepCancelled) control?.signal.throwIfAborted();
  const files = encodeAdapter(trained.adapter, engine.id);
  const training: AdapterTraining = {
    status: trained.status,
    steps: trained.steps,
    totalSteps: prepared.totalSteps,
    losses: trained.losses,
    seconds: trained.seconds,
    device: env.device,
    examples: examples.length,
  };
  if (store && trained.status === 'done') {
    await store.put('adapters', { key, ...files, training, savedAt: savedNow() });
    await store.delete('checkpoints', key);
  }
  return { adapter: trained.adapter, files, training };
}
