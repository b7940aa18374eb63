import type { Command } from 'commander';
import { serializeDataset, countSplits } from '../data/format.ts';
import { KINDS, coerceParam, generateDataset, kindDefinition, ParamError } from '../data/generate.ts';
import { PRESETS, type Params, type Preset } from '../data/kinds.ts';
import { runAction } from './run-action.ts';
import { writeTextFile } from './io.ts';

function paramsHelp(): string {
  const lines = ['', 'Parameters per kind (--NAME VALUE; defaults shown are the small preset / paper preset):'];
  for (const def of KINDS) {
    lines.push(`  ${def.kind}: ${def.title}`);
    for (const spec of def.params) {
      const small = def.presets.small[spec.name] ?? spec.default;
      const paper = def.presets.paper[spec.name] ?? spec.default;
      const range = spec.choices ? ` {${spec.choices.join('|')}}` : spec.min !== undefined ? ` [${spec.min}..${spec.max}]` : '';
      lines.push(`    --${spec.name.padEnd(18)} ${spec.help}${range} (${small} / ${paper})`);
    }
  }
  return lines.join('\n');
}

/** Turns the leftover `--name value` pairs into the kind's typed parameters. */
export function parseKindParams(kind: string, args: string[]): Params {
  const def = kindDefinition(kind);
  const params: Params = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (!flag.startsWith('--')) throw new ParamError(`unexpected argument "${flag}"`);
    const [name, inline] = flag.slice(2).split('=', 2);
    const spec = def.params.find((s) => s.name === name);
    if (!spec) throw new ParamError(`${kind} has no parameter --${name} (see glon generate --help)`);
    const raw = inline ?? args[++i];
    if (raw === undefined) throw new ParamError(`--${name} needs a value`);
    params[name] = coerceParam(spec, raw);
  }
  return params;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a synthetic dataset (glon.dataset/2) of facts about nonsense words')
    .requiredOption('--kind <kind>', `dataset kind: ${KINDS.map((k) => k.kind).join(', ')}`)
    .option('--seed <n>', 'random seed; same seed and parameters give byte-identical JSON', '0')
    .option('--preset <preset>', `size preset: ${PRESETS.join(' | ')}`, 'small')
    .requiredOption('--out <file>', 'where to write the dataset JSON')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText('after', paramsHelp())
    .action(
      runAction(async (opts: { kind: string; seed: string; preset: string; out: string }, cmd: Command) => {
        if (!PRESETS.includes(opts.preset as Preset)) throw new ParamError(`--preset must be one of ${PRESETS.join(', ')}`);
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new ParamError(`--seed must be an integer, got "${opts.seed}"`);
        const params = parseKindParams(opts.kind, cmd.args);
        const dataset = generateDataset({ kind: opts.kind, seed, preset: opts.preset as Preset, params });
        await writeTextFile(opts.out, serializeDataset(dataset));
        const splits = [...countSplits(dataset)].map(([s, n]) => `${s} ${n}`).join(', ');
        console.log(`wrote ${opts.out}: ${dataset.kind}, ${dataset.train.length} training documents; test: ${splits}`);
      }),
    );
}
