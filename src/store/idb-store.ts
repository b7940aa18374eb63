/**
 * The store in IndexedDB (through `idb`), for the page and its worker. One object store per StoreName,
 * keyed by the record's `key`; typed arrays are stored as they are (structured clone). Every write is one
 * transaction, so a write that fails — the quota hit, a record that cannot be stored — leaves nothing half
 * written and everything saved before intact.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { storageUsage } from './persistence.ts';
import { StoreFullError, checkEntry, type GlonStore, type StoreEntry, type StoreName, type StoreRecords } from '../experiment/store.ts';

export type Migration = (db: IDBPDatabase, tx: IDBPTransaction<unknown, StoreName[], 'versionchange'>) => void;

/** Version 1, written out rather than read from STORE_NAMES and INDEXES: a step's effect must never change. */
function createStores(db: IDBPDatabase): void {
  const store = (name: string) => db.createObjectStore(name, { keyPath: 'key' });
  for (const name of ['datasets', 'adapters', 'checkpoints']) store(name);
  store('augmentations').createIndex('dataset', 'augmentation.dataset.hash');
  store('experiments').createIndex('status', 'status');
  store('results').createIndex('dataset', 'result.dataset.hash');
  store('logs').createIndex('experiment', 'experiment');
}

/**
 * The schema's history (SCHEMA_VERSION steps): entry i brings a database from version i to i + 1. Append,
 * never edit: a database of any older version catches up by running the steps it missed, in order.
 */
export const MIGRATIONS: readonly Migration[] = [createStores];

/** A write refused for lack of space becomes StoreFullError, which says how full the storage is. */
async function storeError(err: unknown): Promise<unknown> {
  return (err as { name?: unknown } | null)?.name === 'QuotaExceededError' ? new StoreFullError(await storageUsage()) : err;
}

/**
 * Opens (creating or upgrading) the database. `migrations` is the schema history, MIGRATIONS unless a
 * test rehearses a later version.
 */
export async function openIdbStore(name = 'glon', migrations: readonly Migration[] = MIGRATIONS): Promise<GlonStore> {
  let db: IDBPDatabase;
  try {
    db = await openDB(name, migrations.length, {
      upgrade(database, oldVersion, _newVersion, tx) {
        for (let version = oldVersion; version < migrations.length; version++)
          migrations[version](database, tx as unknown as IDBPTransaction<unknown, StoreName[], 'versionchange'>);
      },
      // Another tab opens a newer schema: step aside so it can upgrade (this tab then needs a reload).
      blocking() {
        db.close();
      },
    });
  } catch (err) {
    if ((err as { name?: unknown }).name === 'VersionError')
      throw new Error(`the "${name}" database was written by a newer version of glon than this page (schema ${migrations.length}); reload the page`);
    throw err;
  }

  async function write(entries: readonly StoreEntry[]): Promise<void> {
    for (const { store, record } of entries) checkEntry(store, record);
    if (entries.length === 0) return;
    const tx = db.transaction([...new Set(entries.map((e) => e.store))], 'readwrite');
    try {
      // A request that fails aborts the transaction; its error reaches us once, through tx.done.
      for (const { store, record } of entries) tx.objectStore(store).put(record).catch(() => {});
    } catch (err) {
      // A record that cannot be stored at all (not cloneable) must not leave the ones before it written.
      tx.abort();
      await tx.done.catch(() => {});
      throw err;
    }
    try {
      await tx.done;
    } catch (err) {
      throw await storeError(tx.error ?? err);
    }
  }

  return {
    async get<S extends StoreName>(store: S, key: string) {
      return (await db.get(store, key)) as StoreRecords[S] | undefined;
    },
    put(store, record) {
      return write([{ store, record } as StoreEntry]);
    },
    putMany: write,
    async delete(store, key) {
      await db.delete(store, key);
    },
    async keys(store) {
      return (await db.getAllKeys(store)) as string[];
    },
    async find(store, index, value) {
      return db.getAllFromIndex(store, index as string, value);
    },
    usage: storageUsage,
    async close() {
      db.close();
    },
  };
}
