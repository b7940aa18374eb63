import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECTIONS, type Projection } from '../model/llama-config.ts';
import { DTYPES } from '../model/dtypes.ts';
import type { Dtype } from '../model/language-model.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, encodeAdapter } from '../train/adapter-files.ts';
import { startEngine } from '../train/backend.ts';
import { batchLength, tokenizeExamples } from '../train/batches.ts';
import { TrainControl } from '../train/control.ts';
import { estimateTraining } from '../train/estimate.ts';
import { loadEngineModel } from '../train/load-node.ts';
import { trainLora } from '../train/trainer.ts';
import { CONFIRM_SECONDS, TRAIN_DEFAULTS, checkRunLength, checkTotalSteps, resolveTrainSettings, type TrainParams } from '../train/settings.ts';
import { checkWritable } from '../store/file-system.ts';
import { readDatasetFile } from './io.ts';
import { StageBar, duration } from './progress-bar.ts';
import { runAction } from './run.ts';

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
    .option('--yes', `start even when the run is estimated to take over ${CONFIRM_SECONDS / 60} minutes`)
    .action(
      runAction(async (opts: TrainOpts) => {
        if (!(DTYPES as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got "${opts.dtype}"`);
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
        const dataset = await readDatasetFile(opts.dataset);
        await startEngine('wasm');
        const model = await loadEngineModel(opts.model, opts.dtype as Dtype);
        const examples = tokenizeExamples(
          dataset.train.map((doc) => ({ text: doc.text })),
          model.tokenizer,
          model.weights.config.maxPositions,
        );
        const length = batchLength(examples);
        const steps = Math.ceil(examples.length / params.batchSize) * params.epochs;
        const estimate = estimateTraining({ config: model.weights.config, batch: params.batchSize, length, steps, lora: params, device: 'wasm' });
        if (!estimate.fits) throw new Error(estimate.message);
        checkTotalSteps(steps);
        checkRunLength(estimate.seconds, steps, opts.yes === true, 'pass --yes to start it anyway');
        console.error(
          `train: ${examples.length} documents, ${steps} steps of ${params.batchSize}x${length} tokens; ` +
            `estimated ${(estimate.bytes / 2 ** 30).toFixed(2)} GiB, ~${duration(estimate.seconds)} (WASM)`,
        );

        const control = new TrainControl();
        const interrupt = () => control.cancel();
        process.once('SIGINT', interrupt);
        const bar = new StageBar();
        let result;
        try {
          result = await trainLora(model.weights, examples, params, {
            control,
            onStep: (p) =>
              bar.update(
                'train',
                p.step,
                p.totalSteps,
                `step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} ${Math.round(p.tokensPerSecond)} tok/s ETA ${duration(p.etaSeconds)}`,
              ),
          });
        } finally {
          bar.stop();
          process.off('SIGINT', interrupt);
        }
        const files = encodeAdapter(result.adapter, model.id);
        await mkdir(opts.out, { recursive: true });
        await writeFile(join(opts.out, ADAPTER_WEIGHTS_FILE), files.weights);
        await writeFile(join(opts.out, ADAPTER_CONFIG_FILE), files.config);
        const losses = result.losses;
        const summary = losses.length ? `loss ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}` : 'no step finished';
        const state = result.status === 'cancelled' ? `cancelled after step ${result.steps} (adapter of that step saved)` : `${result.steps} steps`;
        console.log(
          `wrote ${opts.out}: LoRA r=${params.rank} alpha=${params.alpha} on ${params.targets.join(',')}; ${state}, ${summary}, ` +
            `${result.seconds.toFixed(1)} s (${Math.round(result.tokens / result.seconds)} tok/s)`,
        );
      }),
    );
}
