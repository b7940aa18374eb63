import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { STORE_NAMES, type GlonStore, type StoreEntry } from '../../src/experiment/store.ts';
import { snapshot } from './folder-snapshot.ts';
import { entries, madeRecords } from './records.ts';

describe('the folder store', () => {
  let dir: string;
  let store: GlonStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glon-store-'));
    store = await openFolderStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives back every kind of record as it was put, typed arrays included', async () => {
    const records = await madeRecords(1);
    for (const { store: name, record } of entries(records)) await store.put(name, record);
    for (const name of STORE_NAMES) {
      const back = await store.get(name, records[name].key);
      expect(back, name).toEqual(records[name]);
      expect(await store.keys(name)).toEqual([records[name].key]);
    }
    const adapter = await store.get('adapters', records.adapters.key);
    expect(adapter!.weights).toBeInstanceOf(Uint8Array);
    expect(adapter!.weights.constructor).toBe(Uint8Array);
    const checkpoint = await store.get('checkpoints', records.checkpoints.key);
    expect(checkpoint!.checkpoint.theta).toBeInstanceOf(Float32Array);
    expect(await store.get('results', 'no-such-key')).toBeUndefined();
  });

  it('keeps a 4 MB checkpoint as 4 MB of raw bytes beside a small JSON file', async () => {
    const { checkpoints } = await madeRecords(1, 1_000_000);
    await store.put('checkpoints', checkpoints);
    const sizes = Object.entries(snapshot(join(dir, 'checkpoints')));
    const json = sizes.filter(([name]) => name.endsWith('.json'));
    const bins = sizes.filter(([name]) => name.endsWith('.bin'));
    expect(json).toHaveLength(1);
    expect(json[0][1]).toBeLessThan(2_000);
    expect(bins.map(([, size]) => size)).toEqual([4e6, 4e6, 4e6]);
    const back = (await store.get('checkpoints', checkpoints.key))!.checkpoint;
    // Compared as bytes: toEqual walks a million floats one by one for seconds.
    for (const vector of ['theta', 'm', 'v'] as const) {
      expect(back[vector]).toBeInstanceOf(Float32Array);
      expect(Buffer.from(back[vector].buffer).equals(Buffer.from(checkpoints.checkpoint[vector].buffer)), vector).toBe(true);
    }
  });

  it('keeps NaN and infinite numbers, which JSON cannot hold', async () => {
    const { adapters } = await madeRecords(1);
    const diverged = { ...adapters, training: { ...adapters.training, losses: [2.5, NaN, Infinity, -Infinity] } };
    await store.put('adapters', diverged);
    expect((await store.get('adapters', adapters.key))!.training.losses).toEqual([2.5, NaN, Infinity, -Infinity]);
  });

  it('replaces a record whole and removes the sidecars only the old one used', async () => {
    const { checkpoints } = await madeRecords(1);
    await store.put('checkpoints', checkpoints);
    const next = { ...checkpoints, checkpoint: { ...checkpoints.checkpoint, step: 3, theta: new Float32Array(1000).fill(0.25) } };
    await store.put('checkpoints', next);
    expect(await store.get('checkpoints', checkpoints.key)).toEqual(next);
    expect(Object.keys(snapshot(join(dir, 'checkpoints'))).filter((n) => n.endsWith('.bin'))).toHaveLength(3);
    await store.delete('checkpoints', checkpoints.key);
    expect(await store.get('checkpoints', checkpoints.key)).toBeUndefined();
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual([]);
  });

  it('writes all of a putMany or, when one record is bad, none of it', async () => {
    const first = await madeRecords(1);
    await store.putMany(entries(first));
    const before = snapshot(dir);
    const second = await madeRecords(2);
    const noKey = { store: 'results', record: { ...second.results, key: '' } } as StoreEntry;
    await expect(store.putMany([...entries(second), noKey])).rejects.toThrow("results: a record's key must be a string of 1 to 128 characters");
    // Fails while the files are being written, after the earlier records' files are already on disk.
    const unstorable = { store: 'logs', record: { ...second.logs, message: new DataView(new ArrayBuffer(4)) } } as unknown as StoreEntry;
    await expect(store.putMany([...entries(second), unstorable])).rejects.toThrow('a DataView cannot be stored');
    expect(snapshot(dir)).toEqual(before);
    for (const name of STORE_NAMES) expect(await store.keys(name)).toEqual([first[name].key]);
    await store.putMany(entries(second));
    for (const name of STORE_NAMES) expect((await store.keys(name)).sort()).toEqual([first[name].key, second[name].key].sort());
  });

  it('finds records by the indexed fields', async () => {
    const [one, two] = [await madeRecords(1), await madeRecords(2)];
    await store.putMany([...entries(one), ...entries(two), { store: 'experiments', record: { ...two.experiments, key: 'other', status: 'running' } }]);
    expect(await store.find('results', 'dataset', one.datasets.key)).toEqual([one.results]);
    expect(await store.find('augmentations', 'dataset', two.datasets.key)).toEqual([two.augmentations]);
    expect((await store.find('experiments', 'status', 'running')).map((r) => r.key)).toEqual(['other']);
    expect(await store.find('logs', 'experiment', one.experiments.key)).toEqual([one.logs]);
  });

  it('keeps any key inside its folder and gives it back unchanged', async () => {
    const { logs } = await madeRecords(1);
    const keys = ['../../escape', '.hidden', 'a/b\\c', 'ünïcode key', 'x.json'];
    for (const key of keys) await store.put('logs', { ...logs, key });
    expect((await store.keys('logs')).sort()).toEqual([...keys].sort());
    expect(readdirSync(dir).sort()).toEqual([...STORE_NAMES, 'glon-store.json'].sort());
    await expect(store.get('../datasets' as 'logs', 'k')).rejects.toThrow('unknown store "../datasets"');
  });

  it('is read back by a later process, and refuses a folder written by a newer schema', async () => {
    const records = await madeRecords(1);
    await store.putMany(entries(records));
    const again = await openFolderStore(dir);
    for (const name of STORE_NAMES) expect(await again.get(name, records[name].key)).toEqual(records[name]);
    writeFileSync(join(dir, 'glon-store.json'), JSON.stringify({ format: 'glon.store/1', schema: 99 }));
    await expect(openFolderStore(dir)).rejects.toThrow('written by a newer version of glon (schema 99');
  });
});
