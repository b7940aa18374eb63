/**
 * The store as a folder on disk, for the CLI (Node only): `<dir>/<store>/<key>.json`, with every typed
 * array in a sidecar file of raw bytes beside it, so a 4 MB checkpoint stays 4 MB.
 *
 * Atomicity: every file is written under a temporary name and renamed into place, and a record's JSON is
 * renamed last, so a reader sees the old record or the new one, never a mix. Sidecars are named by their
 * content hash, so a new version never overwrites the bytes the old JSON points at. `putMany` writes every
 * file first (a failure there removes them all and changes nothing), then renames the JSON files one by
 * one: only a crash of the process during those renames leaves some records new and some old. A crash
 * can also leave orphaned temporary files and sidecars, which waste space but are never read.
 * One process writes a folder at a time; within it, operations run one after another.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  INDEXES,
  SCHEMA_VERSION,
  STORE_NAMES,
  StoreFullError,
  checkEntry,
  checkStoreName,
  type GlonStore,
  type StoreEntry,
  type StoreName,
  type StoreRecords,
} from '../experiment/store.ts';
import { checkWritable, fileSystemReason } from './file-system.ts';

const MARKER_FILE = 'glon-store.json';
const MARKER_FORMAT = 'glon.store/1';

const TYPED_ARRAYS = { Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array } as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

type Path = (string | number)[];

/** What a record file holds: the record with its typed arrays and non-finite numbers taken out, and where they go back. */
interface RecordFile {
  record: unknown;
  binary: { path: Path; type: TypedArrayName; file: string }[];
  /** NaN and ±Infinity (a diverged loss), which JSON would turn into null. */
  numbers: { path: Path; value: 'NaN' | 'Infinity' | '-Infinity' }[];
}

/** File-name form of a key: percent-encoded, dots included, so no key can be a path or a hidden file. */
function fileName(key: string): string {
  return encodeURIComponent(key).replace(/[.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function isMissing(err: unknown): boolean {
  return errorCode(err) === 'ENOENT';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** Splits a record into JSON-safe data plus its typed arrays (with their paths) and non-finite numbers. */
function takeApart(value: unknown, path: Path, arrays: { path: Path; data: ArrayBufferView }[], numbers: RecordFile['numbers']): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    numbers.push({ path, value: String(value) as RecordFile['numbers'][number]['value'] });
    return null;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) {
    if (!Object.hasOwn(TYPED_ARRAYS, value.constructor.name)) throw new TypeError(`${path.join('.')}: a ${value.constructor.name} cannot be stored`);
    arrays.push({ path, data: value });
    return null;
  }
  if (Array.isArray(value)) return value.map((item, i) => takeApart(item, [...path, i], arrays, numbers));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, takeApart(v, [...path, k], arrays, numbers)]));
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], root);
  (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueAt(record: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, step) => (node as Record<string, unknown> | undefined)?.[step], record);
}

let temporaries = 0;

async function makeStore(dir: string, marker: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const present = await readdir(dir);
    if (present.length > 0)
      throw new Error(`${dir} is not a glon store (no ${MARKER_FILE}) and not empty: name a new or empty folder for --store`);
    await writeFile(marker, JSON.stringify({ format: MARKER_FORMAT, schema: SCHEMA_VERSION }) + '\n');
  } catch (err) {
    if (err instanceof Error && !('code' in err)) throw err;
    throw new Error(`cannot make a store in ${dir}: ${fileSystemReason(err)}`);
  }
}

/**
 * Opens the store in `dir`, making it when `dir` is new or empty. A folder that holds anything but no
 * marker is someone else's: it is refused, never filled with glon's folders.
 */
export async function openFolderStore(dir: string): Promise<GlonStore> {
  await checkWritable(dir, 'folder');
  const marker = join(dir, MARKER_FILE);
  try {
    const { format, schema } = JSON.parse(await readFile(marker, 'utf8'));
    if (format !== MARKER_FORMAT || !Number.isInteger(schema)) throw new Error(`${marker} is not a glon store marker`);
    if (schema > SCHEMA_VERSION) throw new Error(`the store in ${dir} was written by a newer version of glon (schema ${schema}, this one knows ${SCHEMA_VERSION})`);
  } catch (err) {
    if (!isMissing(err)) throw err instanceof SyntaxError ? new Error(`${marker}: not JSON`) : err;
    await makeStore(dir, marker);
  }
  for (const name of STORE_NAMES) await mkdir(join(dir, name), { recursive: true });

  const recordPath = (store: StoreName, key: string) => join(dir, store, `${fileName(key)}.json`);
  const temporary = (store: StoreName) => join(dir, store, `.tmp-${process.pid}-${++temporaries}`);

  // One operation at a time, so a write's clean-up never removes a sidecar another operation is reading.
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = queue.then(operation, operation);
    queue = run.catch(() => {});
    return run;
  }

  // The store name becomes part of a path: every operation checks it first.
  async function readRecordFile(store: StoreName, key: string): Promise<RecordFile | undefined> {
    checkStoreName(store);
    const path = recordPath(store, key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as RecordFile;
    } catch {
      throw new Error(`${path}: not JSON (edited by hand?)`);
    }
  }

  async function read(store: StoreName, key: string): Promise<unknown> {
    const file = await readRecordFile(store, key);
    if (!file) return undefined;
    const { record } = file;
    for (const { path, value } of file.numbers) setAt(record, path, Number(value));
    for (const { path, type, file: name } of file.binary) {
      const bytes = await readFile(join(dir, store, name));
      // Copied into a fresh buffer: Node's file buffers may be unaligned for a Float32Array view.
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      setAt(record, path, new TYPED_ARRAYS[type](buffer));
    }
    return record;
  }

  interface Staged {
    store: StoreName;
    key: string;
    /** Temporary JSON file to rename into place. */
    temp: string;
    /** Sidecars the new record uses, and those the record it replaces used. */
    sidecars: string[];
    previous: string[];
  }

  /** Writes every file of every entry (record JSON under a temporary name), renaming nothing yet. */
  async function stage(entries: readonly StoreEntry[], created: string[]): Promise<Staged[]> {
    const staged: Staged[] = [];
    for (const { store, record } of entries) {
      const key = record.key;
      const arrays: { path: Path; data: ArrayBufferView }[] = [];
      const numbers: RecordFile['numbers'] = [];
      const plain = takeApart(record, [], arrays, numbers);
      const binary: RecordFile['binary'] = [];
      for (const { path, data } of arrays) {
        const bytes = bytesOf(data);
        const name = `${fileName(key)}.${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
        const target = join(dir, store, name);
        // Named by content: a sidecar already there holds these very bytes (and an old record may use it).
        if (!(await exists(target))) {
          const temp = temporary(store);
          created.push(temp);
          await writeFile(temp, bytes);
          await rename(temp, target);
          created[created.length - 1] = target;
        }
        binary.push({ path, type: data.constructor.name as TypedArrayName, file: name });
      }
      const temp = temporary(store);
      created.push(temp);
      await writeFile(temp, JSON.stringify({ record: plain, binary, numbers } satisfies RecordFile));
      const previous = (await readRecordFile(store, key))?.binary.map((b) => b.file) ?? [];
      staged.push({ store, key, temp, sidecars: binary.map((b) => b.file), previous });
    }
    return staged;
  }

  async function write(entries: readonly StoreEntry[]): Promise<void> {
    for (const { store, record } of entries) checkEntry(store, record);
    // The last of several records with one key wins, as it would in IndexedDB.
    const last = new Map(entries.map((e) => [`${e.store}/${e.record.key}`, e]));
    const created: string[] = [];
    let staged: Staged[];
    try {
      staged = await stage([...last.values()], created);
    } catch (err) {
      // Sidecars a record already used stay: only files this write made are removed.
      await Promise.all(created.map((file) => unlink(file).catch(() => {})));
      throw ['ENOSPC', 'EDQUOT'].includes(errorCode(err) as string) ? new StoreFullError(null) : err;
    }
    for (const s of staged) await rename(s.temp, recordPath(s.store, s.key));
    for (const s of staged)
      for (const old of s.previous) if (!s.sidecars.includes(old)) await unlink(join(dir, s.store, old)).catch(() => {});
  }

  async function keys(store: StoreName): Promise<string[]> {
    checkStoreName(store);
    const names = await readdir(join(dir, store));
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => decodeURIComponent(n.slice(0, -'.json'.length)));
  }

  return {
    get<S extends StoreName>(store: S, key: string) {
      return exclusive(() => read(store, key) as Promise<StoreRecords[S] | undefined>);
    },
    put(store, record) {
      return exclusive(() => write([{ store, record } as StoreEntry]));
    },
    putMany(entries) {
      return exclusive(() => write(entries));
    },
    delete(store, key) {
      return exclusive(async () => {
        const file = await readRecordFile(store, key);
        if (!file) return;
        await unlink(recordPath(store, key));
        for (const { file: name } of file.binary) await unlink(join(dir, store, name)).catch(() => {});
      });
    },
    keys(store) {
      return exclusive(() => keys(store));
    },
    find(store, index, value) {
      return exclusive(async () => {
        const path = (INDEXES as Partial<Record<string, Record<string, string>>>)[store]?.[index as string];
        if (path === undefined) throw new Error(`${store} has no index "${String(index)}"`);
        const records = await Promise.all((await keys(store)).map((key) => read(store, key)));
        return records.filter((r) => valueAt(r, path) === value) as StoreRecords[typeof store][];
      });
    },
    async usage() {
      return null;
    },
    async close() {
      await queue;
    },
  };
}
