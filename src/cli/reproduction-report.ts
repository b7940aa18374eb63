/**
 * reports/reproduction.md, written by `npm run reproduce`: the setup, the table per kind, the paper's claims
 * judged by src/experiment/claims.ts with every test's counts and p-values, and what changed since the
 * previous report and why. Pure: the runs, the machine and the previous report in, markdown out.
 */
import { kindDefinition } from '../data/generate.ts';
import { CLAIMS, CLAIM_RULES, claimsMarkdown, type ClaimCheck, type KindResults, type Verdict } from '../experiment/claims.ts';
import type { ExperimentOutcome } from '../experiment/runner.ts';
import type { ExperimentSpec } from '../experiment/spec.ts';
import { summaryMarkdown } from '../experiment/summary.ts';
import { duration } from './progress-bar.ts';

export interface KindRun {
  spec: ExperimentSpec;
  outcome: ExperimentOutcome;
  /** Sentences each augmentation kept, per seed: an empty one leaves its condition training on the documents alone. */
  kept: { seed: number; mode: string; sentences: number }[];
  /** Wall time of this run (short when its pieces came from the store). */
  seconds: number;
  /** What computing each stage cost when it was done, from the stored pieces' own timings. */
  compute: { augment: number; train: number; evaluate: number };
}

export interface Machine {
  cores: number;
  cpu: string;
  /** One-minute load average at the start and at the end. */
  load: { before: number; after: number };
}

/** What the claims need from each kind's run: its generalization splits and what its augmentations kept. */
export function kindResults(runs: readonly KindRun[]): KindResults[] {
  return runs.map((r) => {
    const splits = kindDefinition(r.spec.dataset.kind).splits;
    return {
      kind: r.spec.dataset.kind,
      generalization: Object.keys(splits).filter((s) => splits[s].generalization),
      results: r.outcome.results,
      kept: r.kept,
    };
  });
}

export function setupSection(runs: readonly KindRun[], modelPath: string, total: number, machine: Machine): string {
  const spec = runs[0].spec;
  const t = spec.train;
  const local = spec.augment.local;
  const global = spec.augment.global;
  const lines = [
    '## Setup',
    '',
    `- Model: \`${spec.model.id}\` (${spec.model.dtype}) from \`${modelPath}\`. Scoring: ONNX Runtime on the CPU (the adapted model is the LoRA adapter merged into an fp32 ONNX file); training: jax-js on WASM.`,
    `- Seeds: ${spec.seeds.join(', ')} (each seed generates its own dataset, augmentations and adapter initialisation).`,
    `- Conditions: ${spec.conditions.map((c) => `\`${c}\``).join(', ')}; template \`${spec.template}\`.`,
    `- Datasets: ${runs.map((r) => `\`${r.spec.dataset.kind}\` ${r.spec.dataset.preset}${Object.keys(r.spec.dataset.params).length ? ` ${JSON.stringify(r.spec.dataset.params)}` : ''}`).join(', ')}.`,
    `- Fine-tuning: LoRA rank ${t.rank}, alpha ${t.alpha}, dropout ${t.dropout} on ${t.targets.join(',')}; ${t.epochs} epochs, batch ${t.batchSize}, ` +
      `learning rate ${t.learningRate} (AdamW, ${t.warmup * 100}% warmup, cosine decay), weight decay ${t.weightDecay}, gradient clip ${t.clipNorm}.`,
    `- Augmentation: local ${local.samples} samples per sentence, global ${global.passes} passes per document; at most ${local.maxNewTokens} / ${global.maxNewTokens} new tokens, ` +
      `temperature ${local.temperature} / ${global.temperature}, top-k ${local.topK} / ${global.topK}. Oracle: written by rules from the training text (a ceiling, not the model's work).`,
    `- Machine: ${machine.cores} cores (${machine.cpu}), load average ${machine.load.before.toFixed(2)} at the start and ${machine.load.after.toFixed(2)} at the end ` +
      '(other work shared the CPU).',
    `- Wall time of this run: ${duration(total)} in all. Compute time below is what each stage cost when it was computed ` +
      "(the pieces' own recorded timings), so it stays true when a later run takes them from the store.",
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
  const named = (c: ClaimCheck) => `${c.claim} (${c.kind}, ${c.conditions}${c.note ? `; ${c.note}` : ''})`;
  const modelWritten = checks.filter((c) => !c.ceiling);
  const group = (verdict: Verdict) => modelWritten.filter((c) => c.verdict === verdict).map(named);
  const part = (label: string, items: string[]) => `- ${label}: ${items.length ? items.join('; ') : 'none'}.`;
  const ceiling = checks.filter((c) => c.ceiling).map((c) => `${c.kind}: ${c.verdict}`);
  return [
    part('Held', group('HELD')),
    part('Not held', group('NOT HELD')),
    part('Inconclusive', group('INCONCLUSIVE')),
    part('Not tested', group('NOT TESTED')),
    ...(ceiling.length ? [`- With oracle (rule-written, ceiling) augmentation, "augmented FT closes the gap": ${ceiling.join('; ')}.`] : []),
  ].join('\n');
}

/** A claim row's identity across reports: the claim, the kind and the condition it is about. */
const claimKey = (claim: string, kind: string, compared: string) => `${claim} | ${kind} | ${compared.trim().split(' ')[0]}`;

/** Verdicts of a previous reproduction report, by claim key; empty when it has none. */
export function previousVerdicts(markdown: string): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const verdict = /^\*\*(HELD|NOT HELD|INCONCLUSIVE|NOT TESTED)\*\*$/.exec(cells[4] ?? '')?.[1] as Verdict | undefined;
    if (verdict) verdicts.set(claimKey(cells[1], cells[2], cells[3]), verdict);
  }
  return verdicts;
}

/** Why a claim's verdict may differ from the previous report's: the rule that changed for it. */
const RULE_CHANGES: Record<string, string> = {
  [CLAIMS.iclBeatsFt]:
    'now needs ICL > base as well as ICL > FT, each by an exact McNemar test after Holm; before, a bootstrap interval of ICL − FT above 0 was enough',
  [CLAIMS.ftNearZero]: "now an exact one-sided binomial test against 0.10 after Holm; before, the bootstrap interval of FT's accuracy",
  [CLAIMS.augmentedClosesGap]:
    'now a non-inferiority test of augmented − ICL (margin −0.10) after Holm, and NOT TESTED when the augmentation kept no sentence; ' +
    'before, HELD whenever ICL − augmented was not significant',
};

/** Per claim: the previous verdict, this one, and why they differ. */
export function changesSection(checks: readonly ClaimCheck[], previous: ReadonlyMap<string, Verdict>): string {
  if (previous.size === 0) return 'No previous report to compare with.\n';
  const rows = checks.map((c) => {
    const before = previous.get(claimKey(c.claim, c.kind, c.conditions));
    const why = !before ? 'not in the previous report' : before === c.verdict ? 'unchanged' : RULE_CHANGES[c.claim];
    return `| ${c.claim} | ${c.kind} | ${c.conditions}${c.ceiling ? ' (ceiling)' : ''} | ${before ?? '—'} | ${c.verdict} | ${why} |`;
  });
  return ['| claim | kind | compared | before | now | why |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

export function reproductionReport({
  runs,
  failures,
  checks,
  setup,
  previous,
  date,
}: {
  runs: readonly KindRun[];
  failures: readonly { kind: string; message: string }[];
  checks: readonly ClaimCheck[];
  setup: string;
  /** Verdicts of the report this one replaces. */
  previous: ReadonlyMap<string, Verdict>;
  /** YYYY-MM-DD. */
  date: string;
}): string {
  const kinds = runs.map((r) => `### ${r.spec.dataset.kind}\n\n${kindDefinition(r.spec.dataset.kind).title}.\n\n${summaryMarkdown(r.outcome.summary).trim()}\n`);
  return [
    '# Reproduction: the canonical small study',
    '',
    `Made by \`npm run reproduce\` on ${date}: the paper's four data families (Lampinen et al. 2025, ` +
      'arXiv 2505.00661) at small scale, every condition for every seed, accuracy by multiple-choice log-likelihood. ' +
      'Cells are the mean accuracy over seeds with its 95% intervals (each table says which).',
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
    'In plain words:',
    '',
    plainly(checks),
    '',
    '## What changed since the previous report',
    '',
    changesSection(checks, previous),
  ].join('\n');
}
