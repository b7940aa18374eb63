import type { Command } from 'commander';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECTIONS, type Projection } from '../model/llama-config.ts';
import { DTYPES } from '../model/dtypes.ts';
import type { Dtype } from '../model/language-model.ts';
import { AUGMENTATION_LIMITS, parseAugmentation, type Augmentation } from '../augment/augmentation.ts';
import { ADAPTER_RECORD_FILE, ADAPTER_RECORD_FORMAT, serializeAdapterRecord } from '../experiment/adapter-record.ts';
import { adapterPiece } from '../experiment/adapter-piece.ts';
import { datasetPiece } from '../experiment/dataset-piece.ts';
import { nodeModels } from '../experiment/node-env.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../train/adapter-files.ts';
import { TrainControl } from '../train/control.ts';
import { SPLITTINGS, trainingExamples, type Splitting } from '../train/examples.ts';
import { CONFIRM_SECONDS, TRAIN_DEFAULTS, resolveTrainSettings, type TrainParams } from '../train/settings.ts';
import { checkWritable } from '../store/file-system.ts';
import { readDatasetFile, readFormatFile } from './io.ts';
import { STORE_OPTION, cliModelKey, openStoreOption } from './pieces.ts';
import { StageBar, duration } from './progress-bar.ts';
import { runAction } from './run-action.ts';

interface TrainOpts {
  dataset: string;
  model: string;
  dtype: string;
  out: string;
  rank: string;
  alpha?: string;
  dropout: string;
  targets: string;
  epochs: string;
  lr: string;
  batch: string;
  warmup: string;
  seed: string;
  augmentation?: string[];
  splitting: string;
  store?: string;
  yes?: boolean;
}

function number(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} must be a number, got "${value}"`);
  return n;
}

function parseTargets(value: string): Projection[] {
  const names = value.split(',').map((s) => s.trim().replace(/_proj$/, ''));
  for (const name of names)
    if (!(PROJECTIONS as readonly string[]).includes(name))
      throw new Error(`--targets: unknown module "${name}" (choose from ${PROJECTIONS.join(', ')})`);
  return [...new Set(names)] as Projection[];
}

export function registerTrain(program: Command): void {
  const d = TRAIN_DEFAULTS;
  program
    .command('train')
    .description('fine-tune a LoRA adapter on a dataset\'s training documents (jax-js, WASM) and save it in PEFT format')
    .requiredOption('--dataset <file>', 'glon.dataset/2 JSON whose train documents are learned')
    .requiredOption('--model <dir>', 'model folder (config.json, tokenizer, onnx/)')
    .option('--dtype <dtype>', `which ONNX file the base weights come from: ${DTYPES.join(' | ')}`, 'fp32')
    .requiredOption('--out <dir>', `folder for ${ADAPTER_WEIGHTS_FILE} and ${ADAPTER_CONFIG_FILE}`)
    .option('--rank <n>', 'LoRA rank', String(d.rank))
    .option('--alpha <x>', 'LoRA alpha, the update is scaled by alpha / rank (default: 2 x rank)')
    .option('--dropout <p>', 'LoRA dropout on the adapter input', String(d.dropout))
    .option('--targets <list>', `modules that get an adapter, comma-separated (${PROJECTIONS.join(',')})`, d.targets.join(','))
    .option('--epochs <n>', 'passes over the training documents', String(d.epochs))
    .option('--lr <x>', 'peak learning rate (AdamW, linear warmup, cosine decay)', String(d.learningRate))
    .option('--batch <n>', 'documents per step', String(d.batchSize))
    .option('--warmup <f>', 'fraction of the steps spent warming up', String(d.warmup))
    .option('--seed <n>', 'seed for the adapter init, document order and dropout', String(d.seed))
    .option('--augmentation <files...>', 'augmentations (glon augment --out) of this dataset whose sentences are trained on beside the documents, in the order the condition names them (ft+local+global: local, then global)')
    .option('--splitting <how>', `how documents become examples: ${SPLITTINGS.join(' | ')} (ft-split: independent or cumulative)`, 'none')
    .option(...STORE_OPTION)
    .option('--yes', `start even when the run is estimated to take over ${CONFIRM_SECONDS / 60} minutes`)
    .action(
      runAction(async (opts: TrainOpts) => {
        if (!(DTYPES as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got "${opts.dtype}"`);
        const dtype = opts.dtype as Dtype;
        if (!(SPLITTINGS as readonly string[]).includes(opts.splitting))
          throw new Error(`--splitting must be one of ${SPLITTINGS.join(', ')}, got "${opts.splitting}"`);
        const params: TrainParams = {
          ...resolveTrainSettings({
            rank: number('--rank', opts.rank),
            ...(opts.alpha === undefined ? {} : { alpha: number('--alpha', opts.alpha) }),
            dropout: number('--dropout', opts.dropout),
            targets: parseTargets(opts.targets),
            epochs: number('--epochs', opts.epochs),
            learningRate: number('--lr', opts.lr),
            batchSize: number('--batch', opts.batch),
            warmup: number('--warmup', opts.warmup),
          }),
          seed: number('--seed', opts.seed),
        };
        if (!Number.isInteger(params.seed)) throw new Error(`--seed must be a whole number, got "${opts.seed}"`);
        await checkWritable(opts.out, 'folder');
        const store = await openStoreOption(opts.store);
        const models = nodeModels(opts.model, dtype);
        const control = new TrainControl();
        const interrupt = () => control.cancel();
        process.once('SIGINT', interrupt);
        const bar = new StageBar();
        try {
          const dataset = await datasetPiece(await readDatasetFile(opts.dataset), { store });
          const augmentations = await Promise.all((opts.augmentation ?? []).map((file) => readAugmentationOf(file, dataset.key)));
          const examples = trainingExamples(dataset.dataset, { splitting: opts.splitting as Splitting, augmentations });
          let rate: number | undefined;
          const piece = await adapterPiece({ datasetHash: dataset.key, model: cliModelKey(opts.model, dtype), params, examples }, models, {
            store,
            control,
            keepCancelled: true,
            refuseLongRuns: opts.yes ? undefined : 'pass --yes to start it anyway',
            onPrepared: ({ examples, totalSteps, length, estimate }) =>
              console.error(
                `train: ${examples.length} examples, ${totalSteps} steps of ${params.batchSize}x${length} tokens; ` +
                  `estimated ${(estimate.bytes / 2 ** 30).toFixed(2)} GiB, ~${duration(estimate.seconds)} (WASM)`,
              ),
            onResume: (checkpoint) =>
              console.error(`train: resuming from step ${checkpoint.step} of ${checkpoint.totalSteps} (the checkpoint of an interrupted run)`),
            onStep: (p) => {
              rate = p.tokensPerSecond;
              bar.update(
                'train',
                p.step,
                p.totalSteps,
                `step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} ${Math.round(p.tokensPerSecond)} tok/s ETA ${duration(p.etaSeconds)}`,
              );
            },
          });
          bar.stop();
          const { training } = piece;
          await mkdir(opts.out, { recursive: true });
          await writeFile(join(opts.out, ADAPTER_WEIGHTS_FILE), piece.files.weights);
          await writeFile(join(opts.out, ADAPTER_CONFIG_FILE), piece.files.config);
          // A cancelled adapter is not what its key names: glon eval keys it by its bytes instead.
          const record = join(opts.out, ADAPTER_RECORD_FILE);
          if (training.status === 'done')
            await writeFile(record, serializeAdapterRecord({ format: ADAPTER_RECORD_FORMAT, key: piece.key, model: cliModelKey(opts.model, dtype), dataset: dataset.key, training }));
          else await rm(record, { force: true });
          const losses = training.losses;
          const summary = losses.length ? `loss ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}` : 'no step finished';
          const state = piece.cached
            ? `from the store ${opts.store} (${training.steps} steps)`
            : training.status === 'cancelled'
              ? `cancelled after step ${training.steps} (adapter of that step saved${store ? '; run the same command again to resume' : ''})`
              : `${training.steps} steps`;
          const speed = piece.cached ? '' : `, ${training.seconds.toFixed(1)} s${rate === undefined ? '' : ` (${Math.round(rate)} tok/s)`}`;
          console.log(`wrote ${opts.out}: LoRA r=${params.rank} alpha=${params.alpha} on ${params.targets.join(',')}; ${state}, ${summary}${speed}`);
          // A cancelled adapter is not the one the key names.
          if (training.status === 'done') console.log(`adapter key ${piece.key}`);
        } finally {
          bar.stop();
          process.off('SIGINT', interrupt);
          await models.close();
          await store?.close();
        }
      }),
    );
}

/** An augmentation file, refused with one line when it was made from another dataset. */
async function readAugmentationOf(file: string, datasetHash: string): Promise<Augmentation> {
  const augmentation = await readFormatFile(file, AUGMENTATION_LIMITS.maxBytes, parseAugmentation);
  if (augmentation.dataset.hash !== datasetHash)
    throw new Error(`${file}: an augmentation of another dataset (${augmentation.dataset.kind}, seed ${augmentation.dataset.seed}), not of --dataset`);
  return augmentation;
}
