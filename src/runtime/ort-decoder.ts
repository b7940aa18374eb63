/**
 * One forward pass of a decoder-only ONNX graph (the transformers.js export layout: input_ids,
 * attention_mask, [position_ids], past_key_values.{i}.{key,value} -> logits, present.{i}.{key,value}),
 * called on the ORT session directly so a pass can fetch the logits alone: the present key/values of a
 * scoring batch would otherwise be copied out and dropped. Batches are right-padded; positions continue
 * after the past.
 */
import { Tensor } from '@huggingface/transformers';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';

/** Key/value cache of a prefix, keyed by the graph's past input names; batch size and length are shared. */
export interface KvCache {
  tensors: Record<string, OrtTensor>;
  batch: number;
  length: number;
}

export interface ForwardOutput {
  /** [batch * seq, vocab], row b * seq + j is the prediction after token j of sequence b. */
  logits: Float32Array;
  vocab: number;
  seq: number;
  /** The cache extended by this pass (only when asked for). */
  present?: KvCache;
}

const PAST_PREFIX = 'past_key_values.';

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function toFloat32(tensor: OrtTensor): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  // float16 arrives as raw bits (Uint16Array) in Node, possibly as Float16Array in browsers.
  if (data instanceof Uint16Array) return Float32Array.from(data, halfToFloat);
  return Float32Array.from(data as ArrayLike<number>);
}

function int64(values: number[], dims: number[]): OrtTensor {
  return new Tensor('int64', BigInt64Array.from(values, BigInt), dims).ort_tensor;
}

async function cpuData(tensor: OrtTensor): Promise<OrtTensor['data']> {
  // On WebGPU, transformers.js keeps present key/values in GPU buffers; reading them downloads once.
  return tensor.location === 'cpu' ? tensor.data : tensor.getData();
}

export class OrtDecoder {
  private readonly pastInputs: InferenceSession.TensorValueMetadata[];
  private readonly hasPositionIds: boolean;
  private multiTokenAfterPast?: Promise<boolean>;

  constructor(private readonly session: InferenceSession) {
    this.hasPositionIds = session.inputNames.includes('position_ids');
    this.pastInputs = session.inputMetadata.filter(
      (m): m is InferenceSession.TensorValueMetadata => m.isTensor && m.name.startsWith(PAST_PREFIX),
    );
    for (const name of ['input_ids', 'attention_mask'])
      if (!session.inputNames.includes(name)) throw new Error(`the ONNX graph has no "${name}" input; not a causal LM export`);
    if (this.pastInputs.length === 0)
      throw new Error('the ONNX graph has no past_key_values inputs; glon needs a causal LM exported with a key/value cache');
    if (!session.outputNames.includes('logits')) throw new Error('the ONNX graph has no "logits" output');
  }

  /** A cache of length 0 for the first pass. */
  emptyCache(batch: number): KvCache {
    const tensors: Record<string, OrtTensor> = {};
    for (const input of this.pastInputs) {
      const dims = input.shape.map((d, i) => (i === 0 ? batch : i === 2 ? 0 : d));
      if (dims.some((d) => typeof d !== 'number'))
        throw new Error(`cannot size ${input.name}: its shape [${input.shape.join(', ')}] has a symbolic head dimension`);
      const data = input.type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
      tensors[input.name] = new Tensor(input.type as 'float32', data as Float32Array, dims as number[]).ort_tensor;
    }
    return { tensors, batch, length: 0 };
  }

  /** The batch-1 cache repeated `batch` times, so one prefix serves a whole batch of continuations. */
  async expand(cache: KvCache, batch: number): Promise<KvCache> {
    if (cache.batch !== 1) throw new Error('only a batch-1 cache can be expanded');
    if (batch === 1) return cache;
    const tensors: Record<string, OrtTensor> = {};
    for (const [name, tensor] of Object.entries(cache.tensors)) {
      const data = (await cpuData(tensor)) as Float32Array | Uint16Array;
      const out = new (data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(data.length * batch);
      for (let b = 0; b < batch; b++) out.set(data, b * data.length);
      const dims = [batch, ...tensor.dims.slice(1)];
      tensors[name] = new Tensor(tensor.type as 'float32', out as Float32Array, dims).ort_tensor;
    }
    return { tensors, batch, length: cache.length };
  }

  /**
   * Whether the graph takes several new tokens after a non-empty cache. ONNX Runtime GenAI's builder makes
   * its causal mask for a prompt (no past) or for one token at a time only, and fails otherwise (an Expand
   * in its attention-mask subgraph); such a graph is fed one token per pass after the first. Asked once,
   * with two one-token passes.
   */
  private acceptsMultiTokenAfterPast(): Promise<boolean> {
    this.multiTokenAfterPast ??= (async () => {
      const first = await this.run([[0]], this.emptyCache(1), true);
      try {
        // ORT logs the failure at error level; for a probe, that is noise.
        await this.run([[0, 0]], first.present!, false, { logSeverityLevel: 4 });
        return true;
      } catch {
        return false;
      } finally {
        this.release(first.present!);
      }
    })();
    return this.multiTokenAfterPast;
  }

  /**
   * Runs `ids` (one row per sequence, right-padded here) after `cache`. Rows past a sequence's end are
   * padding: masked out, and their logits are meaningless.
   */
  async forward(ids: readonly (readonly number[])[], cache: KvCache, withPresent: boolean): Promise<ForwardOutput> {
    const seq = Math.max(...ids.map((row) => row.length));
    if (cache.length > 0 && seq > 1 && !(await this.acceptsMultiTokenAfterPast())) return this.forwardStepwise(ids, cache, withPresent);
    return this.run(ids, cache, withPresent);
  }

  /** forward() one position at a time: padding rows get token 0, whose logits are as meaningless as padding's. */
  private async forwardStepwise(ids: readonly (readonly number[])[], cache: KvCache, withPresent: boolean): Promise<ForwardOutput> {
    const seq = Math.max(...ids.map((row) => row.length));
    let current = cache;
    let logits: Float32Array | undefined;
    let vocab = 0;
    try {
      for (let j = 0; j < seq; j++) {
        const out = await this.run(ids.map((row) => [j < row.length ? row[j] : 0]), current, true);
        if (current !== cache) this.release(current);
        current = out.present!;
        vocab = out.vocab;
        logits ??= new Float32Array(ids.length * seq * vocab);
        for (let b = 0; b < ids.length; b++) logits.set(out.logits.subarray(b * vocab, (b + 1) * vocab), (b * seq + j) * vocab);
      }
    } catch (err) {
      if (current !== cache) this.release(current);
      throw err;
    }
    if (!withPresent && current !== cache) this.release(current);
    return { logits: logits!, vocab, seq, present: withPresent ? current : undefined };
  }

  private async run(
    ids: readonly (readonly number[])[],
    cache: KvCache,
    withPresent: boolean,
    options?: InferenceSession.RunOptions,
  ): Promise<ForwardOutput> {
    const batch = ids.length;
    if (cache.batch !== batch) throw new Error(`cache batch ${cache.batch} does not match input batch ${batch}`);
    const seq = Math.max(...ids.map((row) => row.length));
    const past = cache.length;
    const inputIds: number[] = [];
    const mask: number[] = [];
    const positions: number[] = [];
    for (const row of ids) {
      for (let j = 0; j < seq; j++) {
        inputIds.push(j < row.length ? row[j] : 0);
        positions.push(past + j);
      }
      for (let j = 0; j < past; j++) mask.push(1);
      for (let j = 0; j < seq; j++) mask.push(j < row.length ? 1 : 0);
    }
    const feeds: Record<string, OrtTensor> = {
      input_ids: int64(inputIds, [batch, seq]),
      attention_mask: int64(mask, [batch, past + seq]),
      ...cache.tensors,
    };
    if (this.hasPositionIds) feeds.position_ids = int64(positions, [batch, seq]);
    const fetches = withPresent ? this.session.outputNames : ['logits'];
    const out = await this.session.run(feeds, fetches, options);
    const logits = out.logits;
    const result: ForwardOutput = { logits: toFloat32(logits), vocab: logits.dims[2], seq, present: undefined };
    if (withPresent) {
      const tensors: Record<string, OrtTensor> = {};
      for (const name of Object.keys(cache.tensors)) {
        const present = out[name.replace(PAST_PREFIX, 'present.')];
        if (!present) throw new Error(`the ONNX graph has no output for ${name} (expected "${name.replace(PAST_PREFIX, 'present.')}")`);
        tensors[name] = present;
      }
      result.present = { tensors, batch, length: past + seq };
    }
    return result;
  }

  /**
   * Encodes one sequence in chunks, so a long context never materializes [length, vocab] logits at once.
   * Returns its cache and the logits after its last token (undefined for an empty sequence).
   */
  async prefill(
    ids: readonly number[],
    chunk: number,
    signal?: AbortSignal,
    onChunk?: (done: number, total: number) => void,
  ): Promise<{ cache: KvCache; last?: Float32Array }> {
    // A graph fed one token at a time after a cache takes the whole sequence in its first pass instead.
    if (!(await this.acceptsMultiTokenAfterPast())) chunk = Math.max(chunk, ids.length);
    let cache = this.emptyCache(1);
    let last: Float32Array | undefined;
    const total = Math.ceil(ids.length / chunk);
    try {
      for (let c = 0; c < total; c++) {
        signal?.throwIfAborted();
        const out = await this.forward([ids.slice(c * chunk, (c + 1) * chunk)], cache, true);
        this.release(cache);
        cache = out.present!;
        last = out.logits.slice((out.seq - 1) * out.vocab, out.seq * out.vocab);
        onChunk?.(c + 1, total);
      }
    } catch (err) {
      this.release(cache);
      throw err;
    }
    return { cache, last };
  }

  /** Frees GPU-resident cache tensors (CPU ones are garbage-collected). */
  release(cache: KvCache): void {
    for (const tensor of Object.values(cache.tensors)) if (tensor.location === 'gpu-buffer') tensor.dispose();
  }
}
