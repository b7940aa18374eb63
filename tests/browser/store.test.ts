/**
 * The IndexedDB store in a real chromium (no mock): every store round-trips, binary included; a failed
 * putMany writes nothing; data survives a reload; an older database upgrades; a real quota (set through
 * the DevTools protocol) gives StoreFullError and keeps what was saved; a bundle exported in one browser
 * profile imports into a fresh one with identical records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type * as Bundle from '../../src/experiment/bundle.ts';
import type * as Rng from '../../src/util/rng.ts';
import type * as IdbStore from '../../src/store/idb-store.ts';
import type * as Keys from '../../src/experiment/content-keys.ts';
import type * as Store from '../../src/experiment/store.ts';
import type * as Records from '../store/records.ts';
import { launchChromium, watchErrors, type Browser, type Served } from './harness.ts';
import { openBlank, serveSource } from './source-server.ts';

/** What the page imports from the dev server, as `globalThis.kit`. */
type Kit = typeof Bundle & typeof Rng & typeof IdbStore & typeof Keys & typeof Store & typeof Records;
declare const kit: Kit;

const STORE_MODULES = ['/src/util/rng.ts', '/src/store/idb-store.ts', '/src/experiment/store.ts'];
/** The bundle and the made records pull in the training code (jax-js): seconds to load in a fresh profile. */
const ALL_MODULES = [...STORE_MODULES, '/src/experiment/bundle.ts', '/src/experiment/content-keys.ts', '/tests/store/records.ts'];

/** A string, because Vitest would rewrite a dynamic import inside a function passed to page.evaluate. */
const installKit = (modules: readonly string[]) => `(async () => {
  const modules = await Promise.all(${JSON.stringify(modules)}.map((m) => import(m)));
  globalThis.kit = Object.assign({}, ...modules);
})()`;

async function openKitPage(browser: Browser, served: Served, modules = ALL_MODULES): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await openBlank(page, served);
  await page.evaluate(installKit(modules));
  return { page, errors };
}

describe('the IndexedDB store in chromium', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    served = await serveSource();
    browser = await launchChromium();
    ({ page } = await openKitPage(browser, served));
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('opens at the current schema with one object store per StoreName and the indexes', async () => {
    const shape = await page.evaluate(async () => {
      const store = await kit.openIdbStore('shape');
      await store.close();
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('shape');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction([...db.objectStoreNames], 'readonly');
      const stores = [...db.objectStoreNames].map((name) => {
        const s = tx.objectStore(name);
        return { name, keyPath: s.keyPath, indexes: Object.fromEntries([...s.indexNames].map((i) => [i, s.index(i).keyPath])) };
      });
      db.close();
      return { version: db.version, migrations: kit.MIGRATIONS.length, schema: kit.SCHEMA_VERSION, stores, names: [...kit.STORE_NAMES], declared: kit.INDEXES };
    });
    expect(shape.version).toBe(shape.schema);
    expect(shape.migrations).toBe(shape.schema);
    expect(shape.stores.map((s) => s.name).sort()).toEqual([...shape.names].sort());
    for (const s of shape.stores) {
      expect(s.keyPath).toBe('key');
      expect(s.indexes, s.name).toEqual((shape.declared as Record<string, Record<string, string>>)[s.name] ?? {});
    }
  });

  it('gives back every kind of record as it was put, typed arrays as typed arrays, and finds by index', async () => {
    const checks = await page.evaluate(async () => {
      const store = await kit.openIdbStore();
      const records = await kit.madeRecords(1);
      for (const { store: name, record } of kit.entries(records)) await store.put(name, record);
      const out: Record<string, unknown> = {};
      for (const name of kit.STORE_NAMES) {
        const back = await store.get(name, records[name].key);
        // canonicalJson compares typed arrays by type and bytes.
        out[name] = (await kit.canonicalJson(back)) === (await kit.canonicalJson(records[name]));
      }
      const adapter = await store.get('adapters', records.adapters.key);
      const checkpoint = await store.get('checkpoints', records.checkpoints.key);
      out.types = [adapter!.weights.constructor.name, checkpoint!.checkpoint.theta.constructor.name];
      out.byDataset = (await store.find('results', 'dataset', records.datasets.key)).map((r) => r.key);
      out.byStatus = (await store.find('experiments', 'status', 'done')).map((r) => r.key);
      out.expected = [records.results.key, records.experiments.key];
      await store.close();
      return out;
    });
    for (const name of ['datasets', 'augmentations', 'adapters', 'checkpoints', 'experiments', 'results', 'logs']) expect(checks[name], name).toBe(true);
    expect(checks.types).toEqual(['Uint8Array', 'Float32Array']);
    expect([checks.byDataset, checks.byStatus]).toEqual((checks.expected as string[]).map((k) => [k]));
  });

  it('writes all of a putMany or, when one record cannot be stored, none of it', async () => {
    const outcome = await page.evaluate(async () => {
      const store = await kit.openIdbStore('atomic');
      const first = await kit.madeRecords(1);
      await store.putMany(kit.entries(first));
      const second = kit.entries(await kit.madeRecords(2));
      // A function cannot be cloned: IndexedDB refuses the last record after the others were queued.
      const bad = { store: 'logs', record: { ...second[6].record, message: () => 'no' } } as unknown as Store.StoreEntry;
      const error = await store.putMany([...second, bad]).then(
        () => 'written',
        (err: Error) => err.name,
      );
      const keys = await Promise.all(kit.STORE_NAMES.map((name) => store.keys(name)));
      await store.close();
      return { error, counts: keys.map((k) => k.length) };
    });
    expect(outcome.error).toBe('DataCloneError');
    expect(outcome.counts).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps what was saved across a page reload', async () => {
    await page.reload();
    await page.evaluate(installKit(ALL_MODULES));
    const same = await page.evaluate(async () => {
      const store = await kit.openIdbStore();
      const records = await kit.madeRecords(1);
      const results = [];
      for (const name of kit.STORE_NAMES) results.push((await kit.canonicalJson(await store.get(name, records[name].key))) === (await kit.canonicalJson(records[name])));
      await store.close();
      return results;
    });
    expect(same).toEqual([true, true, true, true, true, true, true]);
  });

  it('upgrades a database of an older version, keeping its records, and refuses a newer one', async () => {
    const outcome = await page.evaluate(async () => {
      const request = (r: IDBRequest) =>
        new Promise<any>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      // A version-1 database made by hand with the raw API, holding one dataset and a store later dropped.
      const records = await kit.madeRecords(3);
      const opening = indexedDB.open('older', 1);
      opening.onupgradeneeded = () => {
        for (const name of kit.STORE_NAMES) opening.result.createObjectStore(name, { keyPath: 'key' });
        opening.result.createObjectStore('obsolete', { keyPath: 'key' });
      };
      const old = await request(opening);
      await request(old.transaction('datasets', 'readwrite').objectStore('datasets').put(records.datasets));
      old.close();
      // A version 2 that indexes datasets by kind and drops a store version 1 no longer needs.
      const version2: IdbStore.Migration = (db, tx) => {
        tx.objectStore('datasets').createIndex('kind', 'dataset.kind');
        db.deleteObjectStore('obsolete' as Store.StoreName);
      };
      const store = await kit.openIdbStore('older', [...kit.MIGRATIONS.slice(0, 1), version2]);
      const kept = (await kit.canonicalJson(await store.get('datasets', records.datasets.key))) === (await kit.canonicalJson(records.datasets));
      await store.close();
      const upgraded = await request(indexedDB.open('older'));
      const shape = { version: upgraded.version, stores: [...upgraded.objectStoreNames], indexes: [...upgraded.transaction('datasets').objectStore('datasets').indexNames] };
      const byKind = await request(upgraded.transaction('datasets').objectStore('datasets').index('kind').getAllKeys('reversal'));
      upgraded.close();
      const newer = await kit.openIdbStore('older').then(
        () => 'opened',
        (err: Error) => err.message,
      );
      return { kept, shape, byKind, key: records.datasets.key, newer };
    });
    expect(outcome.kept).toBe(true);
    expect(outcome.shape).toEqual({ version: 2, stores: ['adapters', 'augmentations', 'checkpoints', 'datasets', 'experiments', 'logs', 'results'], indexes: ['kind'] });
    expect(outcome.byKind).toEqual([outcome.key]);
    expect(outcome.newer).toBe('the "older" database was written by a newer version of glon than this page (schema 1); reload the page');
  });

  it('says the storage is full when the real quota is reached, and keeps every record saved before', async () => {
    // A profile of its own, empty: what the earlier tests wrote would blur how much room 3 MB leaves.
    const fresh = await launchChromium();
    try {
      const { page: empty } = await openKitPage(fresh, served, STORE_MODULES);
      const cdp = await fresh.context.newCDPSession(empty);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(served.url).origin, quotaSize: 3_000_000 });
      const outcome = await empty.evaluate(async () => {
        const store = await kit.openIdbStore('full');
        // Random bytes, so no compression makes them smaller than their size.
        const rng = new kit.Rng('quota');
        const weights = () => Uint8Array.from({ length: 256 * 1024 }, () => (rng.next() * 256) | 0);
        const training: Store.AdapterTraining = { status: 'done', steps: 1, totalSteps: 1, losses: [1], seconds: 1, device: 'wasm', examples: 1 };
        const adapter = (key: string) => ({ key, weights: weights(), config: '{}', training, savedAt: new Date().toISOString() });
        const saved: string[] = [];
        let error: Error | null = null;
        for (let i = 0; i < 40 && !error; i++) {
          const record = adapter(`a${i}`);
          await store.put('adapters', record).then(
            () => saved.push(record.key),
            (err: Error) => (error = err),
          );
        }
        const failedMany = await store
          .putMany(Array.from({ length: 4 }, (_, i) => ({ store: 'adapters' as const, record: adapter(`many${i}`) })))
          .then(
            () => 'written',
            (err: Error) => err.name,
          );
        const readable = await Promise.all(saved.map(async (key) => (await store.get('adapters', key))?.weights.length));
        const keys = await store.keys('adapters');
        await store.close();
        const e = error as Error | null;
        return { saved: saved.length, name: e?.name, message: e?.message, isStoreFull: e instanceof kit.StoreFullError, failedMany, readable, keys: keys.length };
      });
      expect(outcome.name).toBe('StoreFullError');
      expect(outcome.isStoreFull).toBe(true);
      expect(outcome.message).toMatch(/^storage is full \([\d.]+ [KMG]iB of [\d.]+ [KMG]iB used\); nothing saved before was lost; /);
      expect(outcome.saved).toBeGreaterThan(3);
      expect(outcome.saved).toBeLessThan(40);
      expect(outcome.failedMany).toBe('StoreFullError');
      expect(outcome.readable).toEqual(Array(outcome.saved).fill(256 * 1024));
      expect(outcome.keys).toBe(outcome.saved);
    } finally {
      await fresh.close();
    }
  });

  it('exports a bundle in one browser profile that imports into a fresh one with identical records', async () => {
    const text = await page.evaluate(async () => {
      const store = await kit.openIdbStore();
      const records = await kit.madeRecords(1);
      const bundle = await kit.exportBundle(store, records.experiments.key);
      await store.close();
      return bundle;
    });
    const fresh = await launchChromium();
    try {
      const { page: other, errors } = await openKitPage(fresh, served);
      const outcome = await other.evaluate(async (bundle) => {
        const store = await kit.openIdbStore();
        const corrupt = await kit.importBundle(store, bundle.replace('"format": "glon.result/2"', '"format": "glon.result/1"')).then(
          () => 'imported',
          (err: Error) => `${err.name}: ${err.message}`,
        );
        const afterCorrupt = await Promise.all(kit.STORE_NAMES.map((name) => store.keys(name)));
        const imported = await kit.importBundle(store, bundle);
        const records = await kit.madeRecords(1);
        const same: Record<string, boolean> = {};
        for (const name of ['datasets', 'augmentations', 'adapters', 'experiments', 'results'] as const)
          same[name] = (await kit.canonicalJson(await store.get(name, records[name].key))) === (await kit.canonicalJson(records[name]));
        const again = await kit.exportBundle(store, records.experiments.key);
        await store.close();
        return { corrupt, afterCorrupt: afterCorrupt.flat().length, imported, same, again };
      }, text);
      expect(outcome.corrupt).toBe('FormatError: invalid bundle: results[0].result: not a glon result: expected "format": "glon.result/2"');
      expect(outcome.afterCorrupt).toBe(0);
      expect(outcome.imported.counts).toEqual({ datasets: 1, augmentations: 1, adapters: 1, results: 1 });
      expect(outcome.same).toEqual({ datasets: true, augmentations: true, adapters: true, experiments: true, results: true });
      const content = (bundle: string) => ({ ...JSON.parse(bundle), exportedAt: null });
      expect(content(outcome.again)).toEqual(content(text));
      // The blank page itself is the dev server's 404; nothing else may go wrong.
      expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
