/**
 * `npm run reproduce [-- --model DIR] [--store DIR]`: the canonical small study (src/experiment/canonical.ts)
 * in Node, then reports/reproduction.md — the setup, the table per kind and the paper's qualitative claims,
 * each judged by the rules in src/experiment/claims.ts. Finished pieces are kept in the store, so an
 * interrupted reproduction resumes and a repeated one only rewrites the report.
 */
import { Command, Option } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dtype } from '../src/model/language-model.ts';
import { DTYPES } from '../src/model/dtypes.ts';
import { conditionInfo } from '../src/eval/conditions.ts';
import { TrainControl } from '../src/train/control.ts';
import { openFolderStore } from '../src/store/folder-store.ts';
import { CANONICAL_STUDY, withModel } from '../src/experiment/canonical.ts';
import { judgeClaims } from '../src/experiment/claims.ts';
import { nodeExperimentEnv } from '../src/experiment/node-env.ts';
import { runExperiment } from '../src/experiment/runner.ts';
import { DEFAULT_STORE, progressReporter } from '../src/cli/run.ts';
import { StageBar, duration } from '../src/cli/progress-bar.ts';
import { kindResults, previousVerdicts, reproductionReport, setupSection, type KindRun } from '../src/cli/reproduction-report.ts';

const REPORT = fileURLToPath(new URL('../reports/reproduction.md', import.meta.url));
const EMBEDDED = fileURLToPath(new URL('../models/stories260K', import.meta.url));

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

const checks = judgeClaims(kindResults(runs), (condition) => conditionInfo(condition).ceiling);
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown CPU', load: { before: load.before[0], after: load.after[0] } };
const text = reproductionReport({
  runs,
  failures,
  checks,
  setup: setupSection(runs, relative(process.cwd(), modelDir) || modelDir, total, machine),
  // The report being replaced: each claim says what changed since it, and why.
  previous: previousVerdicts(existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : ''),
  date: new Date().toISOString().slice(0, 10),
});
mkdirSync(resolve(REPORT, '..'), { recursive: true });
writeFileSync(REPORT, text);
console.log(text);
console.error(`wrote ${REPORT} in ${duration(total)}`);
if (failures.length) process.exitCode = 1;
