import type { Command } from 'commander';
import {
  AUGMENT_MODES,
  AUGMENTATION_LIMITS,
  GLOBAL_DEFAULTS,
  LOCAL_DEFAULTS,
  serializeAugmentation,
  type AugmentMode,
  type AugmentSettings,
} from '../augment/augmentation.ts';
import type { Generation } from '../augment/generations.ts';
import { GLOBAL_PLACEHOLDERS, LOCAL_PLACEHOLDERS, promptProblem } from '../augment/prompts.ts';
import type { Dtype, LanguageModel } from '../model/language-model.ts';
import { loadModelNode } from '../runtime/load-node.ts';
import { DTYPES } from '../model/dtypes.ts';
import { readDatasetFile, readTextFile, writeTextFile } from './io.ts';
import { StageBar } from './progress-bar.ts';
import { formatBytes } from '../util/bytes.ts';
import { checkWritable } from '../store/file-system.ts';
import { STORE_OPTION, cliModelKey, openStoreOption } from './pieces.ts';
import { runAction } from './run-action.ts';
import { augmentationPiece } from '../experiment/augmentation-piece.ts';
import { datasetPiece } from '../experiment/dataset-piece.ts';

interface AugmentFlags {
  dataset: string;
  model?: string;
  mode: string;
  out: string;
  dtype: string;
  seed: string;
  samples?: string;
  passes?: string;
  promptFile?: string;
  raw?: string;
  allowRemote?: boolean;
  store?: string;
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** The mode's default settings with the flags applied; flags that do not apply to the mode are refused. */
async function settingsFor(mode: AugmentMode, opts: AugmentFlags): Promise<AugmentSettings> {
  const refuse = (flag: string, applies: string) => {
    throw new Error(`${flag} applies to ${applies} augmentation only, not ${mode}`);
  };
  if (opts.samples !== undefined && mode !== 'local') refuse('--samples', 'local');
  if (opts.passes !== undefined && mode !== 'global') refuse('--passes', 'global');
  if (mode === 'oracle') {
    if (opts.promptFile !== undefined) refuse('--prompt-file', 'local and global');
    if (opts.model !== undefined) throw new Error('oracle augmentation is written by rules: it takes no --model');
    return {};
  }
  const prompt = opts.promptFile === undefined ? undefined : await readTextFile(opts.promptFile, AUGMENTATION_LIMITS.maxPrompt);
  if (prompt !== undefined) {
    const problem = promptProblem(prompt, mode === 'local' ? LOCAL_PLACEHOLDERS : GLOBAL_PLACEHOLDERS);
    if (problem) throw new Error(`${opts.promptFile}: ${problem}`);
  }
  if (mode === 'local')
    return {
      ...LOCAL_DEFAULTS,
      ...(prompt !== undefined && { prompt }),
      ...(opts.samples !== undefined && { samples: positiveInteger('--samples', opts.samples) }),
    };
  return {
    ...GLOBAL_DEFAULTS,
    ...(prompt !== undefined && { prompt }),
    ...(opts.passes !== undefined && { passes: positiveInteger('--passes', opts.passes) }),
  };
}

function load(opts: AugmentFlags & { model: string }, bar: StageBar): Promise<LanguageModel> {
  return loadModelNode({
    model: opts.model,
    dtype: opts.dtype as Dtype,
    allowRemote: opts.allowRemote,
    onProgress: (p) => bar.update(`loading ${p.file}`, p.loaded, p.total, `${formatBytes(p.loaded)}/${formatBytes(p.total)}`),
  });
}

/** What the model wrote, one block per prompt under a "=== source" line, for reading or recording. */
function rawText(generations: readonly Generation[]): string {
  return generations.map((g) => `=== ${g.source}\n${g.text}\n`).join('');
}

export function registerAugment(program: Command): void {
  program
    .command('augment')
    .description("write a dataset's augmentation (glon.augmentation/1): sentences the model infers from the training documents, or oracle sentences by rule")
    .requiredOption('--dataset <file>', 'glon.dataset/2 file')
    .requiredOption('--mode <mode>', `local: rephrasings and direct inferences of each sentence; global: inferences linking each document to the others; oracle: the inferences written by the dataset's rules (a ceiling)`)
    .option('--model <id-or-dir>', 'the model that writes local and global augmentations: folder (transformers.js layout) or hub id')
    .requiredOption('--out <file>', 'where to write the augmentation JSON')
    .option('--dtype <dtype>', `weights to load: ${DTYPES.join(' | ')}`, 'fp32')
    .option('--seed <n>', 'seed of the sampled generations and of the global context subsample', '0')
    .option('--samples <n>', `local: generations per training sentence (default ${LOCAL_DEFAULTS.samples})`)
    .option('--passes <n>', `global: generations per training document (default ${GLOBAL_DEFAULTS.passes})`)
    .option('--prompt-file <file>', `a few-shot prompt to use instead of the default (local needs {${LOCAL_PLACEHOLDERS.join('}, {')}}; global {${GLOBAL_PLACEHOLDERS.join('}, {')}})`)
    .option('--raw <file>', "also write what the model wrote for each prompt, before splitting and filtering")
    .option('--allow-remote', 'allow downloading the model from the hub')
    .option(...STORE_OPTION)
    .action(
      runAction(async (opts: AugmentFlags) => {
        if (!(AUGMENT_MODES as readonly string[]).includes(opts.mode)) throw new Error(`--mode must be one of ${AUGMENT_MODES.join(', ')}, got "${opts.mode}"`);
        const mode = opts.mode as AugmentMode;
        if (!(DTYPES as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got "${opts.dtype}"`);
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${opts.seed}"`);
        if (mode !== 'oracle' && !opts.model) throw new Error(`${mode} augmentation needs --model <id-or-dir> to write it`);
        if (mode === 'oracle' && opts.raw) throw new Error('--raw applies to local and global augmentation only, not oracle');
        if (opts.raw && opts.store) throw new Error('--raw records what the model writes in this run, and with --store the augmentation may come from the store: use one or the other');
        const settings = await settingsFor(mode, opts);
        await checkWritable(opts.out, 'file');
        if (opts.raw) await checkWritable(opts.raw, 'file');
        const store = await openStoreOption(opts.store);
        const bar = new StageBar();
        let model: LanguageModel | undefined;
        try {
          const dataset = await datasetPiece(await readDatasetFile(opts.dataset), { store });
          const generations: Generation[] = [];
          const writer = opts.model;
          const generator = writer === undefined ? null : { key: cliModelKey(writer, opts.dtype as Dtype), model: async () => (model ??= await load({ ...opts, model: writer }, bar)) };
          const piece = await augmentationPiece(
            { dataset, mode, settings, seed, generator },
            {
              store,
              report: { progress: (p) => bar.update(`writing ${mode} augmentations`, p.done, p.total, `${p.done}/${p.total} prompts`) },
              onGeneration: (g) => generations.push(g),
            },
          );
          const { augmentation } = piece;
          bar.stop();
          await writeTextFile(opts.out, serializeAugmentation(augmentation));
          if (opts.raw) await writeTextFile(opts.raw, rawText(generations));
          const dropped = Object.entries(augmentation.dropped).map(([reason, n]) => `${reason} ${n}`);
          console.log(
            `${mode} augmentation of ${dataset.dataset.kind} (seed ${dataset.dataset.seed}) by ${augmentation.model ?? 'rule (oracle: a ceiling)'} · seed ${seed}: ` +
              `kept ${augmentation.sentences.length} sentences; dropped ${dropped.length ? dropped.join(', ') : 'none'}`,
          );
          for (const note of augmentation.notes) console.log(`note: ${note}`);
          for (const s of augmentation.sentences.slice(0, 5)) console.log(`  ${s.text}  (from ${s.source})`);
          const how = piece.cached ? `read from the store ${opts.store}` : `took ${augmentation.timing.seconds.toFixed(1)} s`;
          console.log(`${how}; wrote ${opts.out}${opts.raw ? ` and ${opts.raw}` : ''}`);
          console.log(`augmentation key ${piece.key}`);
        } finally {
          bar.stop();
          await model?.dispose();
          await store?.close();
        }
      }),
    );
}
