import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeResult, unscoredItems } from '../eval/result.ts';
import { TrainControl } from '../train/control.ts';
import { CONFIRM_SECONDS } from '../train/settings.ts';
import { openFolderStore } from '../store/folder-store.ts';
import { checkWritable } from '../store/file-system.ts';
import { nodeExperimentEnv } from '../experiment/node-env.ts';
import { runExperiment, type ExperimentEvent } from '../experiment/runner.ts';
import { EXPERIMENT_LIMITS, readExperimentSpec, type ExperimentSpec } from '../experiment/spec.ts';
import { summaryMarkdown } from '../experiment/summary.ts';
import { datasetPiece } from '../experiment/dataset-piece.ts';
import type { GlonStore } from '../experiment/store.ts';
import { readDatasetFile, readFormatFile } from './io.ts';
import { StageBar, duration } from './progress-bar.ts';
import { runAction } from './run-action.ts';

interface RunFlags {
  config: string;
  out: string;
  store: string;
  models: string;
  dataset?: string;
  yes?: boolean;
}

/** Where `glon run` keeps datasets, augmentations, adapters and results between runs. */
export const DEFAULT_STORE = '.glon-store';

/** The repo's models/ (the embedded stories260K), unless GLON_MODELS_DIR says otherwise. */
export const DEFAULT_MODELS = process.env.GLON_MODELS_DIR ?? fileURLToPath(new URL('../../models/', import.meta.url));

export function readExperimentFile(path: string): Promise<ExperimentSpec> {
  return readFormatFile(path, EXPERIMENT_LIMITS.maxBytes, readExperimentSpec);
}

/** The folder of a spec's model under `models`, or one clear error. */
export function modelFolder(spec: ExperimentSpec, models: string): string {
  const dir = resolve(models, spec.model.id);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new Error(`model "${spec.model.id}" not found: no folder ${dir} (--models names the folder that holds model folders)`);
  return dir;
}

/**
 * An experiment that names its dataset by hash (one exported from the page after an import or an edit)
 * finds it in the store; `--dataset FILE` puts it there first, if it is that dataset.
 */
async function storeNamedDataset(spec: ExperimentSpec, store: GlonStore, storeDir: string, file: string | undefined): Promise<void> {
  const named = spec.dataset.hash;
  if (named === undefined) {
    if (file !== undefined) throw new Error('--dataset is for an experiment that names its dataset by hash (dataset.hash); this one generates its datasets');
    return;
  }
  if (file === undefined) {
    if (!(await store.get('datasets', named)))
      throw new Error(`the experiment's dataset ${named.slice(0, 12)} is not in the store ${storeDir}: give its file with --dataset FILE`);
    return;
  }
  const dataset = await readDatasetFile(file);
  const { key } = await datasetPiece(dataset);
  if (key !== named) throw new Error(`--dataset ${file} is dataset ${key.slice(0, 12)}, but the experiment names ${named.slice(0, 12)}`);
  await datasetPiece(dataset, { store });
}

/** Progress of a run on stderr: one bar for the piece in progress, one line per finished or cached piece. */
export function progressReporter(bar: StageBar): (event: ExperimentEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'stage': {
        const what = `seed ${event.seed} · ${event.stage} ${event.label}`;
        if (event.status === 'start') bar.update(what, 0, 1, '');
        else {
          bar.stop();
          console.error(`${what}: ${event.status === 'cached' ? 'from the store' : 'done'}`);
        }
        break;
      }
      case 'progress':
        bar.update(`seed ${event.seed} · ${event.stage} ${event.label}`, event.done, event.total);
        break;
      case 'train-step': {
        const p = event.progress;
        bar.update(
          `seed ${event.seed} · train ${event.label}`,
          p.step,
          p.totalSteps,
          `step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} ETA ${duration(p.etaSeconds)}`,
        );
        break;
      }
      case 'resume':
        bar.stop();
        console.error(`seed ${event.seed} · train ${event.label}: resuming from step ${event.step} of ${event.totalSteps} (the checkpoint of an interrupted run)`);
        break;
      case 'result':
        break;
    }
  };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an experiment (glon.experiment/1): every condition for every seed, then a summary over seeds')
    .requiredOption('--config <file>', 'glon.experiment/1 JSON (dataset spec, model, conditions, seeds, settings)')
    .requiredOption('--out <dir>', 'where to write <seed>-<condition>.json for every result, summary.json and summary.md')
    .option(
      '--store <dir>',
      'folder store shared by every run (relative to the current folder; git-ignored in the glon repo): datasets, ' +
        'augmentations, adapters, checkpoints and results are kept there by content key, so a finished piece is never ' +
        'computed twice and an interrupted run resumes from its last checkpoint',
      DEFAULT_STORE,
    )
    .option('--models <dir>', 'folder holding model folders; the experiment\'s model.id names one', DEFAULT_MODELS)
    .option('--dataset <file>', 'the glon.dataset file of an experiment that names its dataset by hash (as the page exports one made from an import or an edit), put in the store first')
    .option('--yes', `start training runs estimated to take over ${CONFIRM_SECONDS / 60} minutes`)
    .action(
      runAction(async (opts: RunFlags) => {
        const spec = await readExperimentFile(opts.config);
        const model = modelFolder(spec, opts.models);
        await checkWritable(opts.out, 'folder');
        const store = await openFolderStore(opts.store);
        try {
          await storeNamedDataset(spec, store, opts.store, opts.dataset);
        } catch (err) {
          await store.close();
          throw err;
        }
        const env = nodeExperimentEnv({ model, dtype: spec.model.dtype, store });
        const control = new TrainControl();
        const interrupt = () => control.cancel();
        process.once('SIGINT', interrupt);
        mkdirSync(opts.out, { recursive: true });
        const bar = new StageBar();
        const report = progressReporter(bar);
        try {
          const outcome = await runExperiment(spec, env, {
            control,
            confirmLongRuns: opts.yes ? undefined : 'pass --yes to start it anyway',
            onEvent: (event) => {
              report(event);
              if (event.type === 'result') writeFileSync(join(opts.out, `${event.seed}-${event.condition}.json`), serializeResult(event.result));
            },
          });
          bar.stop();
          writeFileSync(join(opts.out, 'summary.json'), JSON.stringify(outcome.summary, null, 2) + '\n');
          const markdown = summaryMarkdown(outcome.summary);
          writeFileSync(join(opts.out, 'summary.md'), markdown);
          console.log(markdown.trimEnd());
          const n = outcome.results.length;
          console.log(
            outcome.cached === n
              ? `all ${n} results came from the store ${opts.store} (nothing recomputed); wrote ${opts.out}`
              : `${n} results (${outcome.cached} from the store ${opts.store}); wrote ${opts.out}`,
          );
          const unscored = outcome.results.filter((r) => unscoredItems(r) > 0);
          if (unscored.length > 0)
            throw new Error(
              `items could not be scored (a log-prob was NaN or infinite; they count as wrong) in ` +
                unscored.map((r) => `seed ${r.seed} ${r.condition} (${unscoredItems(r)} of ${r.items.length})`).join(', '),
            );
        } catch (err) {
          if (control.signal.aborted)
            throw new Error(`cancelled; what finished is saved in ${opts.store}: run the same command again to resume`);
          throw err;
        } finally {
          bar.stop();
          process.off('SIGINT', interrupt);
          await env.close();
          await store.close();
        }
      }),
    );
}
