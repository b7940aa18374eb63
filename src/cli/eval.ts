import type { Command } from 'commander';
import { DTYPES } from '../model/model-files.ts';
import type { Dtype } from '../model/language-model.ts';
import { loadModelNode } from '../model/load-node.ts';
import { CONDITIONS, conditionInfo } from '../eval/conditions.ts';
import { TEMPLATES, templateByName } from '../eval/templates.ts';
import { evaluate } from '../eval/evaluate.ts';
import { serializeResult, type EvalResult } from '../eval/result.ts';
import { runAction } from './run.ts';
import { readDatasetFile, writeTextFile } from './io.ts';
import { StageBar, megabytes } from './progress-bar.ts';

interface EvalFlags {
  dataset: string;
  model: string;
  condition: string;
  template: string;
  dtype: string;
  seed: string;
  allowRemote?: boolean;
  out: string;
}

const pct = (x: number) => x.toFixed(3);
const ci = ([lo, hi]: [number, number]) => `[${pct(lo)}, ${pct(hi)}]`;

/** Per-split table: both decision rules with their 95% bootstrap intervals, beside chance. */
export function formatTable(result: EvalResult): string {
  const rows = [['split', 'n', 'chance', 'acc', '95% CI', 'acc_norm', '95% CI']];
  for (const [split, s] of Object.entries(result.splits))
    rows.push([split, String(s.n), pct(s.chance), pct(s.accuracy), ci(s.ci), pct(s.normalized.accuracy), ci(s.normalized.ci)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('score a dataset\'s test items with a model under a condition; write a glon.result/1 file')
    .requiredOption('--dataset <file>', 'glon.dataset/1 file')
    .requiredOption('--model <id-or-dir>', 'model folder (transformers.js layout) or hub id (hub only with --allow-remote)')
    .requiredOption('--condition <condition>', Object.entries(CONDITIONS).map(([name, c]) => `${name}: ${c.description}`).join('; '))
    .option('--template <name>', TEMPLATES.map((t) => `${t.name}: ${t.description}`).join('; '), 'plain')
    .option('--dtype <dtype>', `weights to load: ${DTYPES.join(' | ')}`, 'fp32')
    .option('--seed <n>', 'seed of the ICL subsample (when the facts do not fit) and of the bootstrap', '0')
    .option('--allow-remote', 'allow downloading the model from the hub')
    .requiredOption('--out <file>', 'where to write the result JSON')
    .action(
      runAction(async (opts: EvalFlags) => {
        conditionInfo(opts.condition);
        templateByName(opts.template);
        if (!(DTYPES as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got "${opts.dtype}"`);
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${opts.seed}"`);
        const dataset = await readDatasetFile(opts.dataset);

        const bar = new StageBar();
        try {
          const model = await loadModelNode({
            model: opts.model,
            dtype: opts.dtype as Dtype,
            allowRemote: opts.allowRemote,
            onProgress: (p) => bar.update(`loading ${p.file}`, p.loaded, p.total, `${megabytes(p.loaded)}/${megabytes(p.total)} MB`),
          });
          try {
            const result = await evaluate(dataset, model, {
              condition: opts.condition,
              template: opts.template,
              seed,
              onProgress: (p) => bar.update(p.stage === 'context' ? 'encoding context' : `scoring ${p.stage}`, p.done, p.total),
            });
            bar.stop();
            await writeTextFile(opts.out, serializeResult(result));
            const documents = result.context.documents;
            console.log(
              `${result.dataset.kind} (seed ${result.dataset.seed}) · ${result.model} ${result.dtype} on ${result.device} · ` +
                `condition ${result.condition} · template ${result.template} · context ${result.context.tokens} tokens` +
                (documents ? `, ${documents.kept}/${documents.total} documents` : ''),
            );
            console.log(formatTable(result));
            for (const note of result.notes) console.log(`note: ${note}`);
            console.log(`evaluated ${result.items.length} items in ${result.timing.seconds.toFixed(1)} s; wrote ${opts.out}`);
          } finally {
            await model.dispose();
          }
        } finally {
          bar.stop();
        }
      }),
    );
}
