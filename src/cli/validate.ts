import type { Command } from 'commander';
import { countSplits, DATASET_FORMAT, OLDER_DATASET_FORMAT } from '../data/format.ts';
import { runAction } from './run-action.ts';
import { readDatasetFile } from './io.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(`check a ${DATASET_FORMAT} (or ${OLDER_DATASET_FORMAT}) file and print its counts per split`)
    .argument('<file>', 'dataset JSON to check')
    .action(
      runAction(async (file: string) => {
        const dataset = await readDatasetFile(file);
        console.log(`${file}: valid ${dataset.format} (${dataset.kind}, seed ${dataset.seed})`);
        if (dataset.format === OLDER_DATASET_FORMAT)
          console.log(`  an older version: regenerate it for ${DATASET_FORMAT} items that trivial strategies cannot beat`);
        console.log(`  train: ${dataset.train.length} documents`);
        for (const [split, n] of countSplits(dataset)) {
          const options = dataset.test.find((t) => t.split === split)!.options.length;
          console.log(`  ${split.padEnd(14)} ${String(n).padStart(5)} items, ${options} options`);
        }
      }),
    );
}
