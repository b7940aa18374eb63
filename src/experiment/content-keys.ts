/**
 * Content keys: the SHA-256 of a value's canonical JSON, so the same inputs give the same key whatever
 * order their fields were written in, in the page, a worker and Node alike.
 */
import { sha256Hex } from '../util/hash.ts';
import { ENGINE_VERSIONS, type Engine } from '../model/engines.ts';

export async function contentKey(value: unknown): Promise<string> {
  return sha256Hex(await canonicalJson(value));
}

/** The key of a piece an engine made: what went in, and the version of that engine (src/model/engines.ts). */
export function pieceKey(engine: Engine, inputs: Readonly<Record<string, unknown>>): Promise<string> {
  return contentKey({ ...inputs, engine: `${engine}/${ENGINE_VERSIONS[engine]}` });
}

/**
 * JSON with object keys sorted at every level. A typed array stands as `<Float32Array sha256>` of its
 * bytes (a form JSON cannot produce, so it never collides with a string or an array of numbers): weights
 * are hashed as bytes, not as millions of decimal numbers.
 */
export async function canonicalJson(value: unknown): Promise<string> {
  const parts: (string | ArrayBufferView)[] = [];
  write(value, '', parts);
  const texts = await Promise.all(
    parts.map(async (part) =>
      typeof part === 'string' ? part : `<${part.constructor.name} ${await sha256Hex(new Uint8Array(part.buffer, part.byteOffset, part.byteLength))}>`,
    ),
  );
  return texts.join('');
}

function write(value: unknown, path: string, out: (string | ArrayBufferView)[]): void {
  const where = path || 'the value';
  if (value === null) return void out.push('null');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return void out.push(JSON.stringify(value));
    case 'number':
      // NaN and Infinity would both become null in JSON: two different inputs, one key.
      if (!Number.isFinite(value)) throw new TypeError(`content key: ${where} is ${value}, which has no JSON form`);
      return void out.push(JSON.stringify(value));
    case 'object':
      break;
    default:
      throw new TypeError(`content key: ${where} is a ${typeof value}, which has no JSON form`);
  }
  if (ArrayBuffer.isView(value)) return void out.push(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item === undefined ? null : item, `${path}[${i}]`, out);
    });
    return void out.push(']');
  }
  const proto = Object.getPrototypeOf(value);
  // A Map or a Date would otherwise turn into {} or a locale-free string silently.
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`content key: ${where} is a ${proto?.constructor?.name ?? 'non-plain object'}, not plain data`);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  out.push('{');
  keys.forEach((k, i) => {
    out.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
    write(record[k], path ? `${path}.${k}` : k, out);
  });
  out.push('}');
}
