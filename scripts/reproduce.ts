/**
 * `npm run reproduce [-- --model DIR] [--store DIR]`: the canonical small study (src/experiment/canonical.ts)
 * in Node, then reports/reproduction.md — the setup, the table per kind and the paper's qualitative claims,
 * each judged by the rules in src/experiment/claims.ts. Finished pieces are kept in the store, so an
 * interrupted reproduction resumes and a repeated one only rewrites the report.
 */
import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindDefinition } from '../src/data/generate.ts';
import type { Dtype } from '../src/model/language-model.ts';
import { DTYPES } from '../src/model/dtypes.ts';
import { conditionInfo } from '../src/eval/conditions.ts';
import { TrainControl } from '../src/train/control.ts';
import { openFolderStore } from '../src/store/folder-store.ts';
import { CANONICAL_STUDY, withModel } from '../src/experiment/canonical.ts';
import { CLAIM_RULES, claimsMarkdown, judgeClaims, type ClaimCheck, type KindResults } from '../src/experiment/claims.ts';
import { nodeExperimentEnv } from '../src/experiment/node-env.ts';
import { runExperiment, type ExperimentOutcome } from '../src/experiment/runner.ts';
import type { ExperimentSpec } from '../src/experiment/spec.ts';
import { summaryMarkdown } from '../src/experiment/summary.ts';
import { DEFAULT_STORE, progressReporter } from '../src/cli/run-experiment.ts';
import { StageBar, duration } from '../src/cli/progress-bar.ts';

const REPORT = fileURLToPath(new URL('../reports/reproduction.md', import.meta.url));
const EMBEDDED = fileURLToPath(new URL('../models/stories260K', import.meta.url));

interface KindRun {
  spec: ExperimentSpec;
  outcome: ExperimentOutcome;
  /** Sentences each augmentation kept, per seed: an empty one leaves its condition training on the documents alone. */
  kept: { seed: number; mode: string; sentences: number }[];
  /** Wall time of this run (short when its pieces came from the store). */
  seconds: number;
  /** What computing each stage cost when it was done, from the stored pieces' own timings. */
  compute: { augment: number; train: number; evaluate: number };
}

function setupSection(runs: readonly KindRun[], modelDir: string, total: number, load: { before: number[]; after: number[] }): string {
  const spec = runs[0].spec;
  const t = spec.train;
  const local = spec.augment.local;
  const global = spec.augment.global;
  const lines = [
    '## Setup',
    '',
    `- Model: \`${spec.model.id}\` (${spec.model.dtype}) from \`${relative(process.cwd(), modelDir) || modelDir}\`. Scoring: ONNX Runtime on the CPU (the adapted model is the LoRA adapter merged into an fp32 ONNX file); training: jax-js on WASM.`,
    `- Seeds: ${spec.seeds.join(', ')} (each seed generates its own dataset, augmentations, adapter initialisation and bootstrap).`,
    `- Conditions: ${spec.conditions.map((c) => `\`${c}\``).join(', ')}; template \`${spec.template}\`.`,
    `- Datasets: ${runs.map((r) => `\`${r.spec.dataset.kind}\` ${r.spec.dataset.preset}${Object.keys(r.spec.dataset.params).length ? ` ${JSON.stringify(r.spec.dataset.params)}` : ''}`).join(', ')}.`,
    `- Fine-tuning: LoRA rank ${t.rank}, alpha ${t.alpha}, dropout ${t.dropout} on ${t.targets.join(',')}; ${t.epochs} epochs, batch ${t.batchSize}, ` +
      `learning rate ${t.learningRate} (AdamW, ${t.warmup * 100}% warmup, cosine decay), weight decay ${t.weightDecay}, gradient clip ${t.clipNorm}.`,
    `- Augmentation: local ${local.samples} samples per sentence, global ${global.passes} passes per document; at most ${local.maxNewTokens} / ${global.maxNewTokens} new tokens, ` +
      `temperature ${local.temperature} / ${global.temperature}, top-k ${local.topK} / ${global.topK}. Oracle: written by rules from the training text (a ceiling, not the model's work).`,
    `- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load.before[0].toFixed(2)} at the start and ${load.after[0].toFixed(2)} at the end ` +
      '(other work shared the CPU).',
    `- Wall time of this run: ${duration(total)} in all. Compute time below is what each stage cost when it was computed ` +
      '(the pieces\' own recorded timings), so it stays true when a later run takes them from the store.',
    '',
    '| kind | augment | train | evaluate | this run | results from the store |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.spec.dataset.kind} | ${duration(r.compute.augment)} | ${duration(r.compute.train)} | ${duration(r.compute.evaluate)} | ` +
        `${duration(r.seconds)} | ${r.outcome.cached} of ${r.outcome.results.length} |`,
    ),
    '',
    'Sentences kept per augmentation (after the filter: dataset words, no test statement, no duplicates):',
    '',
    '| kind | seed | local | global | oracle (ceiling) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...runs.flatMap((r) =>
      r.spec.seeds.map((seed) => {
        const count = (mode: string) => String(r.kept.find((k) => k.seed === seed && k.mode === mode)?.sentences ?? '—');
        return `| ${r.spec.dataset.kind} | ${seed} | ${count('local')} | ${count('global')} | ${count('oracle')} |`;
      }),
    ),
  ];
  return lines.join('\n') + '\n';
}

function plainly(checks: readonly ClaimCheck[]): string {
  const named = (c: ClaimCheck) => `${c.claim} (${c.kind}, ${c.conditions}${c.ceiling ? ', ceiling' : ''}${c.note ? `; but ${c.note}` : ''})`;
  const modelWritten = checks.filter((c) => !c.ceiling);
  const group = (verdict: ClaimCheck['verdict']) => modelWritten.filter((c) => c.verdict === verdict).map(named);
  const part = (label: string, items: string[]) => `- ${label}: ${items.length ? items.join('; ') : 'none'}.`;
  const ceiling = checks.filter((c) => c.ceiling).map((c) => `${c.kind}: ${c.verdict}`);
  return [
    part('Held', group('HELD')),
    part('Not held', group('NOT HELD')),
    part('Inconclusive', group('INCONCLUSIVE')),
    ...(ceiling.length ? [`- With oracle (rule-written, ceiling) augmentation, "augmented FT closes the gap": ${ceiling.join('; ')}.`] : []),
  ].join('\n');
}

function report(runs: readonly KindRun[], failures: readonly { kind: string; message: string }[], checks: readonly ClaimCheck[], setup: string): string {
  const kinds = runs.map((r) => `### ${r.spec.dataset.kind}\n\n${kindDefinition(r.spec.dataset.kind).title}.\n\n${summaryMarkdown(r.outcome.summary).trim()}\n`);
  return [
    '# Reproduction: the canonical small study',
    '',
    `Made by \`npm run reproduce\` on ${new Date().toISOString().slice(0, 10)}: the paper's four data families (Lampinen et al. 2025, ` +
      'arXiv 2505.00661) at small scale, every condition for every seed, accuracy by multiple-choice log-likelihood. ' +
      'Cells are the mean accuracy over seeds with a 95% nested bootstrap interval (seeds, then items).',
    '',
    setup,
    '## Results',
    '',
    ...kinds,
    ...failures.map((f) => `### ${f.kind}\n\n**Failed**, so no numbers and no claims for this kind: ${f.message}\n`),
    "## The paper's claims at this scale",
    '',
    'Rules, fixed before the numbers were seen:',
    '',
    ...CLAIM_RULES.map((rule) => `- ${rule}`),
    '',
    claimsMarkdown(checks),
    '',
    'In plain words:',
    '',
    plainly(checks),
    '',
  ].join('\n');
}

const program = new Command('reproduce')
  .description('run the canonical small study and write reports/reproduction.md')
  .option('--model <dir>', 'model folder (transformers.js layout) to run the study on', EMBEDDED)
  .addOption(new Option('--dtype <dtype>', 'which of its ONNX files to use').choices(DTYPES).default('fp32'))
  .option('--store <dir>', 'folder store for datasets, augmentations, adapters and results (shared with glon run)', DEFAULT_STORE)
  .parse();
const opts = program.opts<{ model: string; dtype: Dtype; store: string }>();

const modelDir = resolve(opts.model);
const study = CANONICAL_STUDY.map((spec) => (modelDir === resolve(EMBEDDED) && opts.dtype === spec.model.dtype ? spec : withModel(spec, basename(modelDir), opts.dtype)));
const store = await openFolderStore(opts.store);
const env = nodeExperimentEnv({ model: modelDir, dtype: study[0].model.dtype, store });
const control = new TrainControl();
process.once('SIGINT', () => control.cancel());
const bar = new StageBar();
const progress = progressReporter(bar);
const load = { before: loadavg(), after: loadavg() };
const t0 = performance.now();
const runs: KindRun[] = [];
/** A kind that failed is reported, not fatal: the other kinds still say what they can. */
const failures: { kind: string; message: string }[] = [];
try {
  for (const spec of study) {
    console.error(`== ${spec.name}`);
    const started = performance.now();
    try {
      const outcome = await runExperiment(spec, env, {
        control,
        onEvent: progress,
      });
      const record = await store.get('experiments', outcome.key);
      const kept: KindRun['kept'] = [];
      const compute = { augment: 0, train: 0, evaluate: outcome.results.reduce((sum, r) => sum + r.timing.seconds, 0) };
      for (const key of record?.augmentations ?? []) {
        const augmentation = (await store.get('augmentations', key))?.augmentation;
        if (!augmentation) continue;
        kept.push({ seed: augmentation.dataset.seed, mode: augmentation.mode, sentences: augmentation.sentences.length });
        compute.augment += augmentation.timing.seconds;
      }
      for (const key of record?.adapters ?? []) compute.train += (await store.get('adapters', key))?.training.seconds ?? 0;
      runs.push({ spec, outcome, kept, compute, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      if (control.signal.aborted) throw err;
      bar.stop();
      console.error(`reproduce: ${spec.dataset.kind} failed: ${(err as Error).message}`);
      failures.push({ kind: spec.dataset.kind, message: (err as Error).message });
    }
  }
} catch {
  bar.stop();
  console.error(`reproduce: cancelled; what finished is saved in ${opts.store}: run it again to resume`);
  process.exitCode = 130;
} finally {
  bar.stop();
  await env.close();
  await store.close();
}
if (process.exitCode) process.exit();
if (runs.length === 0) {
  console.error('reproduce: every kind failed; no report written');
  process.exit(1);
}
load.after = loadavg();
const total = (performance.now() - t0) / 1000;

const kinds: KindResults[] = runs.map((r) => {
  const splits = kindDefinition(r.spec.dataset.kind).splits;
  return { kind: r.spec.dataset.kind, generalization: Object.keys(splits).filter((s) => splits[s].generalization), results: r.outcome.results };
});
const checks = judgeClaims(kinds, (condition) => conditionInfo(condition).ceiling);
const text = report(runs, failures, checks, setupSection(runs, modelDir, total, load));
mkdirSync(resolve(REPORT, '..'), { recursive: true });
writeFileSync(REPORT, text);
console.log(text);
console.error(`wrote ${REPORT} in ${duration(total)}`);
if (failures.length) process.exitCode = 1;
