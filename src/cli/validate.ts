import type { Command } from 'commander';
import { countSplits } from '../data/format.ts';
import { runAction } from './run.ts';
import { readDatasetFile } from './io.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a glon.dataset/1 file and print its counts per split')
    .argument('<file>', 'dataset JSON to check')
    .action(
      runAction(async (file: string) => {
        const dataset = await readDatasetFile(file);
        console.log(`${file}: valid glon.dataset/1 (${dataset.kind}, seed ${dataset.seed})`);
        console.log(`  train: ${dataset.train.length} documents`);
        for (const [split, n] of countSplits(dataset)) {
          const options = dataset.test.find((t) => t.split === split)!.options.length;
          console.log(`  ${split.padEnd(14)} ${String(n).padStart(5)} items, ${options} options`);
        }
      }),
    );
}
