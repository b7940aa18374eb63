/** `glon`: the command-line front door to the same core the page runs. One file per command. */
import { Command } from 'commander';
import { registerGenerate } from './generate.ts';
import { registerValidate } from './validate.ts';

const program = new Command('glon')
  .description('glon: how language models learn facts from context (ICL) versus fine-tuning (LoRA)')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(`glon: ${text.replace(/^error: /, '')}`) });

registerGenerate(program);
registerValidate(program);

await program.parseAsync(process.argv);
