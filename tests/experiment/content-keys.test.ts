import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentKey, pieceKey } from '../../src/experiment/content-keys.ts';
import { ENGINE_VERSIONS } from '../../src/model/engines.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('contentKey', () => {
  it('is the sha256 of JSON with keys sorted at every level', async () => {
    const value = { model: 'm@fp32', dataset: 'abc', params: { rank: 8, alpha: 16, targets: ['q', 'v'] }, adapter: null };
    const canonical = '{"adapter":null,"dataset":"abc","model":"m@fp32","params":{"alpha":16,"rank":8,"targets":["q","v"]}}';
    expect(await canonicalJson(value)).toBe(canonical);
    expect(await contentKey(value)).toBe(sha256(canonical));
  });

  it('does not depend on the order fields were written in, but on every value', async () => {
    const a = await contentKey({ x: 1, y: { p: [1, 2], q: 'z' } });
    expect(await contentKey({ y: { q: 'z', p: [1, 2] }, x: 1 })).toBe(a);
    expect(await contentKey({ y: { q: 'z', p: [2, 1] }, x: 1 })).not.toBe(a);
    expect(await contentKey({ y: { q: 'z', p: [1, 2] }, x: '1' })).not.toBe(a);
  });

  it('leaves out undefined fields as JSON does', async () => {
    expect(await contentKey({ a: 1, b: undefined })).toBe(await contentKey({ a: 1 }));
  });

  it('hashes a typed array by its bytes and its type', async () => {
    const theta = new Float32Array([0.5, -1, 3]);
    const bytes = new Uint8Array(theta.buffer);
    expect(await canonicalJson({ theta })).toBe(`{"theta":<Float32Array ${sha256(bytes)}>}`);
    // A view into a larger buffer is hashed by the bytes it shows, not the whole buffer.
    const padded = new Float32Array([9, 0.5, -1, 3, 9]).subarray(1, 4);
    expect(await contentKey({ theta: padded })).toBe(await contentKey({ theta }));
    expect(await contentKey({ theta: new Uint8Array(bytes) })).not.toBe(await contentKey({ theta }));
    expect(await contentKey({ theta: [0.5, -1, 3] })).not.toBe(await contentKey({ theta }));
    expect(await contentKey({ theta: new Float32Array([0.5, -1, 3.0001]) })).not.toBe(await contentKey({ theta }));
  });

  it('refuses values JSON cannot say exactly, naming where they are', async () => {
    await expect(contentKey({ train: { lr: NaN } })).rejects.toThrow('train.lr is NaN');
    await expect(contentKey({ at: [1, Infinity] })).rejects.toThrow('at[1] is Infinity');
    await expect(contentKey({ seen: new Map() })).rejects.toThrow('seen is a Map');
    await expect(contentKey({ n: 1n })).rejects.toThrow('n is a bigint');
  });

  it('keys a piece by the version of the engine that made it, as well as by its inputs', async () => {
    const inputs = { dataset: 'abc', seed: 1 };
    const keys = await Promise.all([contentKey(inputs), pieceKey('scorer', inputs), pieceKey('trainer', inputs), pieceKey('augmenter', inputs)]);
    expect(new Set(keys).size).toBe(4);
    expect(await pieceKey('scorer', inputs)).toBe(await contentKey({ ...inputs, engine: `scorer/${ENGINE_VERSIONS.scorer}` }));
  });
});
