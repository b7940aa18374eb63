#!/usr/bin/env node
// Copies the reversal-curse files the `celebrity` kind needs into src/data/reversal-curse/ as JSON arrays,
// so the lab works offline in page, worker and Node. Lossless: each array is turned back into the original
// JSON Lines text and must match it byte for byte before anything is written.
// Usage: node scripts/import-reversal-curse.mjs [source folder, default ../shared/datasets/reversal_curse]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const FILES = ['all_prompts_train', 'p2d_prompts_test', 'p2d_reverse_prompts_test'];
const source = process.argv[2] ?? fileURLToPath(new URL('../../shared/datasets/reversal_curse/', import.meta.url));
const target = fileURLToPath(new URL('../src/data/reversal-curse/', import.meta.url));

/** The source's own spelling of a line (Python's json.dumps defaults), to prove the round trip. */
const toJsonl = (lines) =>
  lines.map((o) => `{"prompt": ${JSON.stringify(o.prompt)}, "completion": ${JSON.stringify(o.completion)}}\n`).join('');

for (const name of FILES) {
  const text = readFileSync(join(source, `${name}.jsonl`), 'utf8');
  const lines = text.trimEnd().split('\n').map((line) => {
    const { prompt, completion, ...rest } = JSON.parse(line);
    if (typeof prompt !== 'string' || typeof completion !== 'string' || Object.keys(rest).length)
      throw new Error(`${name}.jsonl: a line is not {prompt, completion}: ${line.slice(0, 80)}`);
    return { prompt, completion };
  });
  if (toJsonl(lines) !== text) throw new Error(`${name}.jsonl: the JSON copy would not round-trip to the same bytes`);
  // One record per line keeps diffs readable.
  writeFileSync(join(target, `${name}.json`), `[\n${lines.map((o) => JSON.stringify(o)).join(',\n')}\n]\n`);
  const sha = createHash('sha256').update(text).digest('hex');
  console.log(`${sha}  ${name}.jsonl  (${lines.length} lines -> ${name}.json)`);
}
