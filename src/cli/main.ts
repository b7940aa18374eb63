/** `glon`: the command-line front door to the same core the page runs. One file per command. */
import { Command } from 'commander';

type Register = (program: Command) => void;

/** Loaded on demand: `glon generate` should not pay for ONNX Runtime and jax-js at startup. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  generate: async () => (await import('./generate.ts')).registerGenerate,
  validate: async () => (await import('./validate.ts')).registerValidate,
  eval: async () => (await import('./eval.ts')).registerEval,
  train: async () => (await import('./train.ts')).registerTrain,
  'make-model': async () => (await import('./make-model.ts')).registerMakeModel,
  bench: async () => (await import('./bench.ts')).registerBench,
  run: async () => (await import('./run.ts')).registerRun,
  augment: async () => (await import('./augment.ts')).registerAugment,
};

const program = new Command('glon')
  .description('glon: how language models learn facts from context (ICL) versus fine-tuning (LoRA)')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(`glon: ${text.replace(/^error: /, '')}`) });

const asked = process.argv[2];
const wanted = asked && asked in COMMANDS ? [asked] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]())(program);

await program.parseAsync(process.argv);
