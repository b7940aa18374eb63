import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/data/format.ts';
import { exportBundle, importBundle, type Bundle } from '../../src/experiment/bundle.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { STORE_NAMES, type GlonStore } from '../../src/experiment/store.ts';
import { snapshot } from '../store/folder-snapshot.ts';
import { entries, madeRecords, type Records } from '../store/records.ts';

/** A bundle without its export time, which is the one thing two exports of the same records differ in. */
const content = (text: string) => ({ ...JSON.parse(text), exportedAt: null });

describe('experiment bundles (glon.bundle/1)', () => {
  const dirs: string[] = [];
  let records: Records;
  let source: GlonStore;
  let text: string;

  async function freshStore(): Promise<{ store: GlonStore; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'glon-bundle-'));
    dirs.push(dir);
    return { store: await openFolderStore(dir), dir };
  }

  beforeAll(async () => {
    records = await madeRecords(1);
    source = (await freshStore()).store;
    await source.putMany(entries(records));
    text = await exportBundle(source, records.experiments.key);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('carries an experiment and everything it made into another store, identical', async () => {
    const { store } = await freshStore();
    const imported = await importBundle(store, text);
    expect(imported).toEqual({ experiment: records.experiments.key, counts: { datasets: 1, augmentations: 1, adapters: 1, results: 1 } });
    for (const name of ['datasets', 'augmentations', 'adapters', 'results', 'experiments'] as const)
      expect(await store.get(name, records[name].key), name).toEqual(records[name]);
    // Checkpoints and logs are scaffolding: they stay behind.
    expect(await store.keys('checkpoints')).toEqual([]);
    expect(await store.keys('logs')).toEqual([]);
    expect(content(await exportBundle(store, records.experiments.key))).toEqual(content(text));
    const bundle = JSON.parse(text) as Bundle;
    expect(bundle.format).toBe('glon.bundle/1');
    expect(bundle.summary).not.toBeNull();
  });

  it('says which experiment is missing or incomplete when exporting', async () => {
    await expect(exportBundle(source, 'no-such-experiment')).rejects.toThrow('no experiment no-such-expe in the store');
    const { store } = await freshStore();
    await store.putMany(entries(records).filter((e) => e.store !== 'adapters'));
    await expect(exportBundle(store, records.experiments.key)).rejects.toThrow(`the experiment's adapters record ${records.adapters.key.slice(0, 12)} is missing`);
  });

  /** Edits a parsed copy of the good bundle, as freely as a person with a text editor. */
  const edited = (edit: (bundle: any) => void) => {
    const bundle = JSON.parse(text);
    edit(bundle);
    return JSON.stringify(bundle);
  };
  const reencoded = (weights: string, change: (bytes: Buffer) => Buffer) => change(Buffer.from(weights, 'base64')).toString('base64');

  const corruptions: [string, () => string, string][] = [
    ['cut short', () => text.slice(0, text.length / 2), 'not JSON: '],
    ['another format', () => edited((b) => (b.format = 'glon.dataset/1')), 'not a glon bundle: expected "format": "glon.bundle/1"'],
    ['an unknown field', () => edited((b) => (b.extra = 1)), 'invalid bundle: Unrecognized key: "extra"'],
    ['a dataset changed by hand', () => edited((b) => (b.datasets[0].dataset.train[0].text = 'glon are femp.')), 'invalid bundle: datasets[0]: the dataset does not match its key'],
    ['an invalid dataset', () => edited((b) => (b.datasets[0].dataset.test[0].answer = 7)), 'invalid bundle: datasets[0].dataset: invalid dataset: test[0].answer: answer is not an index into options'],
    ['an invalid augmentation', () => edited((b) => (b.augmentations[0].augmentation.model = 'stories260K@fp32')), 'invalid bundle: augmentations[0].augmentation: invalid augmentation: model: an oracle augmentation has no model'],
    ['an invalid result', () => edited((b) => (b.results[0].result.items[0].chosen = 9)), 'invalid bundle: results[0].result: invalid result: items[0]: chosen or answer is not an index into the options'],
    ['a result of a dataset it does not carry', () => edited((b) => (b.results[0].result.dataset.hash = 'ab'.repeat(32))), 'invalid bundle: results[0]: made from dataset abababababab, which the bundle does not carry'],
    ['adapter weights that are not base64', () => edited((b) => (b.adapters[0].weights = 'not base64!')), 'invalid bundle: adapters[0].weights: not base64'],
    ['truncated adapter weights', () => edited((b) => (b.adapters[0].weights = reencoded(b.adapters[0].weights, (w) => w.subarray(0, w.length - 16)))), 'invalid bundle: adapters[0]: adapter_model.safetensors: '],
    // The case: the edited bundle imported, and a later run used the NaN adapter "from the cache".
    [
      'a NaN adapter weight, its result removed',
      () => edited((b) => {
        b.adapters[0].weights = reencoded(b.adapters[0].weights, (w) => Buffer.concat([w.subarray(0, w.length - 4), Buffer.from([0, 0, 0xc0, 0x7f])]));
        b.results = [];
        b.experiment.results = [];
      }),
      "invalid bundle: adapters[0]: adapter_model.safetensors: base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight holds NaN at index 7: an adapter's weights must be finite numbers",
    ],
    ['an edited spec', () => edited((b) => (b.experiment.spec.train.epochs = 3)), 'invalid bundle: experiment: its key is not the content key of its spec'],
    ['a result moved to another condition', () => edited((b) => (b.results[0].result.condition = 'base')), 'invalid bundle: results[0]: its key is not the one its inputs give (seed 1, condition base)'],
    ['a result moved to another seed', () => edited((b) => (b.results[0].result.seed = 7)), "invalid bundle: results[0]: made for seed 7, which is not one of the experiment's seeds"],
    ['a result of another template', () => edited((b) => (b.results[0].result.template = 'chat')), 'invalid bundle: results[0]: its key is not the one its inputs give'],
    [
      'an augmentation edited (its adapter no longer matches)',
      () => edited((b) => (b.augmentations[0].augmentation.sentences[0].text = 'glon are more dangerous than femp.')),
      "invalid bundle: adapters[0]: its key matches none of the experiment's training sets",
    ],
    ['an augmentation moved to another seed', () => edited((b) => (b.augmentations[0].augmentation.seed = 2)), "invalid bundle: augmentations[0]: made for seed 2, which is not one of the experiment's seeds"],
    ['an adapter that says it trained on other examples', () => edited((b) => (b.adapters[0].training.examples = 3)), 'invalid bundle: adapters[0]: it says it trained on 3 examples'],
    ['an adapter config that is not JSON', () => edited((b) => (b.adapters[0].config = '{"r": 2')), 'invalid bundle: adapters[0]: config: adapter_config.json is not JSON'],
    ['an adapter of another rank', () => edited((b) => (b.adapters[0].config = b.adapters[0].config.replace('"r": 2', '"r": 4'))), 'which does not fit rank 4'],
    ['an unknown condition in the spec', () => edited((b) => (b.experiment.spec.conditions = ['base', 'magic'])), 'invalid bundle: experiment.spec: invalid experiment: conditions[1]: unknown condition "magic"'],
    ['a result the experiment names but the bundle lacks', () => edited((b) => (b.results = [])), 'invalid bundle: experiment.results names'],
    ['a record that is not part of the experiment', () => edited((b) => (b.experiment.augmentations = [])), 'is not part of the experiment'],
    ['an invalid summary', () => edited((b) => (b.summary = { format: 'glon.summary/1' })), 'invalid bundle: summary: '],
  ];

  it.each(corruptions)('refuses a bundle with %s in one line and changes nothing', async (_, make, message) => {
    const { store, dir } = await freshStore();
    const other = await madeRecords(2);
    await store.putMany(entries(other));
    const before = snapshot(dir);
    const error = await importBundle(store, make()).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
    expect(snapshot(dir)).toEqual(before);
    for (const name of STORE_NAMES) expect(await store.keys(name)).toEqual([other[name].key]);
  });
});
