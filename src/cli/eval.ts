import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { DTYPES } from '../model/dtypes.ts';
import type { Dtype } from '../model/language-model.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { loadModelNode } from '../runtime/load-node.ts';
import { startEngine } from '../engine/backend.ts';
import { JaxLanguageModel } from '../engine/jax-language-model.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { loadEngineModel } from '../engine/load-node.ts';
import { loadMergedModel, readAdapterFolder } from '../train/merged-model-node.ts';
import { CONDITIONS, conditionInfo } from '../eval/conditions.ts';
import { TEMPLATES, templateByName } from '../eval/templates.ts';
import { serializeResult, unscoredItems, type EvalResult } from '../eval/result.ts';
import { describeProbe, runContextProbe } from '../eval/context-probe.ts';
import { runAction } from './run-action.ts';
import { readDatasetFile, writeTextFile } from './io.ts';
import { StageBar } from './progress-bar.ts';
import { formatBytes } from '../util/bytes.ts';
import { checkWritable } from '../store/file-system.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import { datasetPiece } from '../experiment/dataset-piece.ts';
import { resultPiece } from '../experiment/result-piece.ts';
import { STORE_OPTION, adapterFolderKey, cliModelKey, openStoreOption } from './pieces.ts';

interface EvalFlags {
  dataset?: string;
  model: string;
  condition?: string;
  template: string;
  dtype: string;
  seed: string;
  allowRemote?: boolean;
  adapter?: string;
  ftScorer: string;
  out?: string;
  probe?: boolean;
  store?: string;
}

/** Without --probe an evaluation is the point, and these say what to evaluate and where to write it. */
const EVALUATION_FLAGS = [
  ['dataset', '--dataset <file>'],
  ['condition', '--condition <condition>'],
  ['out', '--out <file>'],
] as const;

/** What to evaluate, or undefined for --probe alone; a missing flag is named as commander would. */
function evaluationFlags(opts: EvalFlags): { dataset: string; condition: string; out: string } | undefined {
  const { dataset, condition, out } = opts;
  if (opts.probe && dataset === undefined && condition === undefined && out === undefined) return undefined;
  for (const [key, flag] of EVALUATION_FLAGS) if (opts[key] === undefined) throw new Error(`required option '${flag}' not specified`);
  return { dataset: dataset!, condition: condition!, out: out! };
}

/**
 * How a model with an adapter is scored. Measured on the small reversal dataset's ft evaluation (2 cores,
 * WASM jax-js): stories260K merged 0.55 s end to end (0.11 s evaluate) vs jax-js 2.1 s (1.9 s); a 2-layer
 * SmolLM2-135M shape merged 18 s (2.9 s) vs jax-js 21 s (12.9 s). Merged is the default.
 */
const FT_SCORERS = ['merged', 'jax'] as const;

interface Loaded {
  model: LanguageModel;
  dispose(): Promise<void>;
}

async function loadBase(opts: EvalFlags, bar: StageBar): Promise<Loaded> {
  const model = await loadModelNode({
    model: opts.model,
    dtype: opts.dtype as Dtype,
    allowRemote: opts.allowRemote,
    onProgress: (p) => bar.update(`loading ${p.file}`, p.loaded, p.total, `${formatBytes(p.loaded)}/${formatBytes(p.total)}`),
  });
  return { model, dispose: () => model.dispose() };
}

/** The base model with the adapter: merged into an fp32 ONNX file for ONNX Runtime, or attached to the jax-js forward. */
async function loadAdapted(opts: EvalFlags & { adapter: string }, adapter: LoraAdapter, bar: StageBar): Promise<Loaded> {
  const id = `${basename(resolve(opts.model))}-${basename(resolve(opts.adapter))}`; // "+" breaks transformers.js paths
  if (opts.ftScorer === 'jax') {
    await startEngine('wasm');
    const engine = await loadEngineModel(opts.model, opts.dtype as Dtype);
    const model = new JaxLanguageModel({ id, device: 'wasm', dtype: opts.dtype as Dtype, weights: engine.weights, tokenizer: engine.tokenizer, adapter });
    return {
      model,
      dispose: async () => {
        await model.dispose();
        disposeEngineWeights(engine.weights);
      },
    };
  }
  bar.update('merging the adapter', 0, 1);
  return loadMergedModel(opts.model, opts.dtype as Dtype, adapter, {
    name: id,
    onProgress: (p) => bar.update(`loading ${p.file}`, p.loaded, p.total, `${formatBytes(p.loaded)}/${formatBytes(p.total)}`),
  });
}

const pct = (x: number) => x.toFixed(3);
const ci = ([lo, hi]: [number, number]) => `[${pct(lo)}, ${pct(hi)}]`;

/** Per-split table: both decision rules with their exact 95% intervals (Clopper-Pearson), beside chance (and unscored items, if any). */
export function formatTable(result: EvalResult): string {
  const unscored = unscoredItems(result) > 0;
  const rows = [['split', 'n', ...(unscored ? ['unscored'] : []), 'chance', 'acc', '95% CI (exact)', 'acc_norm', '95% CI (exact)']];
  for (const [split, s] of Object.entries(result.splits))
    rows.push([split, String(s.n), ...(unscored ? [String(s.unscored ?? 0)] : []), pct(s.chance), pct(s.accuracy), ci(s.ci), pct(s.normalized.accuracy), ci(s.normalized.ci)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('score a dataset\'s test items with a model under a condition; write a glon.result/2 file')
    .option('--dataset <file>', 'glon.dataset/2 file (required unless --probe)')
    .requiredOption('--model <id-or-dir>', 'model folder (transformers.js layout) or hub id (hub only with --allow-remote)')
    .option('--condition <condition>', Object.entries(CONDITIONS).map(([name, c]) => `${name}: ${c.description}`).join('; '))
    .option('--template <name>', TEMPLATES.map((t) => `${t.name}: ${t.description}`).join('; '), 'plain')
    .option('--dtype <dtype>', `weights to load: ${DTYPES.join(' | ')}`, 'fp32')
    .option('--seed <n>', 'seed of the ICL subsample (when the facts do not fit)', '0')
    .option('--allow-remote', 'allow downloading the model from the hub')
    .option('--adapter <dir>', 'LoRA adapter folder (glon train --out), required by the fine-tuned conditions (ft, ft+local, ...)')
    .option('--ft-scorer <scorer>', 'how the adapted model is scored: merged (adapter merged into an fp32 ONNX file, ONNX Runtime) | jax (jax-js forward)', 'merged')
    .option('--out <file>', 'where to write the result JSON (required unless --probe)')
    .option(...STORE_OPTION)
    .option(
      '--probe',
      'first run the ~20 s context probe and print whether the model uses facts in context (16 memorization items of a ' +
        'fixed tiny reversal set, scored without and with the facts; "uses" when a one-sided exact McNemar test gives p < 0.05); ' +
        'with --probe, --dataset, --condition and --out are optional: without them only the probe runs',
    )
    .action(
      runAction(async (opts: EvalFlags) => {
        const evaluation = evaluationFlags(opts);
        templateByName(opts.template);
        if (!(DTYPES as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got "${opts.dtype}"`);
        if (!(FT_SCORERS as readonly string[]).includes(opts.ftScorer))
          throw new Error(`--ft-scorer must be one of ${FT_SCORERS.join(', ')}, got "${opts.ftScorer}"`);
        if (evaluation) {
          const condition = conditionInfo(evaluation.condition);
          if (condition.adapted && !opts.adapter) throw new Error(`condition ${evaluation.condition} needs --adapter <dir> (an adapter saved by glon train)`);
          if (!condition.adapted && opts.adapter) throw new Error(`--adapter applies to the fine-tuned conditions only (ft, ft+local, ...), not ${evaluation.condition}`);
        } else if (opts.adapter) throw new Error('--adapter needs a fine-tuned --condition, --dataset and --out');
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${opts.seed}"`);
        if (evaluation) await checkWritable(evaluation.out, 'file');
        const adapter = opts.adapter === undefined ? undefined : { dir: opts.adapter, lora: await readAdapterFolder(opts.adapter, opts.model) };
        const store = await openStoreOption(opts.store);
        const bar = new StageBar();
        let loaded: Loaded | undefined;
        // Loaded on first use: a result found in the store needs no model.
        const model = async () => (loaded ??= adapter ? await loadAdapted({ ...opts, adapter: adapter.dir }, adapter.lora, bar) : await loadBase(opts, bar)).model;
        try {
          const dataset = evaluation && (await datasetPiece(await readDatasetFile(evaluation.dataset), { store }));
          if (opts.probe) {
            const started = performance.now();
            const probed = await model();
            const verdict = await runContextProbe(probed, { onProgress: (p) => bar.update(`context probe: ${p.stage}`, p.done, p.total) });
            bar.stop();
            console.log(`context probe (${probed.id} ${probed.dtype}, ${((performance.now() - started) / 1000).toFixed(1)} s): ${describeProbe(verdict)}`);
          }
          if (!evaluation || !dataset) return;
          const piece = await resultPiece(
            {
              dataset,
              model: cliModelKey(opts.model, opts.dtype as Dtype),
              condition: evaluation.condition,
              adapter: adapter ? await adapterFolderKey(adapter.dir) : null,
              template: opts.template,
              seed,
            },
            model,
            { store, report: { progress: (p) => bar.update(p.stage === 'context' ? 'encoding context' : `scoring ${p.stage}`, p.done, p.total) } },
          );
          const { result } = piece;
          bar.stop();
          await writeTextFile(evaluation.out, serializeResult(result));
          const documents = result.context.documents;
          console.log(
            `${result.dataset.kind} (seed ${result.dataset.seed}) · ${result.model} ${result.dtype} on ${result.device} · ` +
              `condition ${result.condition} · template ${result.template} · context ${result.context.tokens} tokens` +
              (documents ? `, ${documents.kept}/${documents.total} documents` : ''),
          );
          console.log(formatTable(result));
          for (const note of result.notes) console.log(`note: ${note}`);
          const how = piece.cached
            ? `${result.items.length} items: their result was in the store ${opts.store}`
            : `evaluated ${result.items.length} items in ${result.timing.seconds.toFixed(1)} s`;
          console.log(`${how}; wrote ${evaluation.out}`);
          console.log(`result key ${piece.key}`);
          const unscored = unscoredItems(result);
          if (unscored > 0)
            throw new Error(
              `${unscored} of ${result.items.length} items could not be scored (a log-prob was NaN or infinite); they count as wrong and are marked "unscored" in ${evaluation.out}`,
            );
        } finally {
          bar.stop();
          await loaded?.dispose();
          await store?.close();
        }
      }),
    );
}
