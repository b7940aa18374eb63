/**
 * Weight formats of transformers.js ONNX exports, turned into float32. Each function follows the ONNX
 * (or ONNX Runtime contrib) operator definition, so the result equals what ORT computes inside the node.
 */

/** IEEE half-precision bits to float32. */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** bfloat16 bits are the high half of a float32. */
export function bfloat16ToFloat(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

export type IntArray = Int8Array | Uint8Array | Int32Array;

/**
 * DequantizeLinear: y = (x - zeroPoint) * scale, with per-tensor (scale of size 1), per-axis (scale of
 * size dims[axis]) or blocked (scale's shape = dims with dims[axis] divided by blockSize) parameters.
 */
export function dequantizeLinear(
  x: IntArray,
  dims: readonly number[],
  scale: Float32Array,
  zeroPoint: IntArray | undefined,
  axis = 1,
  blockSize = 0,
): Float32Array {
  const out = new Float32Array(x.length);
  if (scale.length === 1) {
    const zp = zeroPoint ? zeroPoint[0] : 0;
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - zp) * scale[0];
    return out;
  }
  const ax = axis < 0 ? axis + dims.length : axis;
  const inner = dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  const size = dims[ax];
  const groups = blockSize > 0 ? Math.ceil(size / blockSize) : size;
  for (let i = 0; i < x.length; i++) {
    const outer = Math.floor(i / (size * inner));
    const along = Math.floor(i / inner) % size;
    const rest = i % inner;
    const s = (outer * groups + (blockSize > 0 ? Math.floor(along / blockSize) : along)) * inner + rest;
    const idx = blockSize > 0 ? s : along;
    out[i] = (x[i] - (zeroPoint ? zeroPoint[idx] : 0)) * scale[idx];
  }
  return out;
}

/**
 * The weight of com.microsoft MatMulNBits as a [K, N] float32 matrix. B is [N, blocks, blockSize*bits/8]
 * bytes, low bits first; scales are [N * blocks]; zero points are packed like B ([N, ceil(blocks*bits/8)]
 * bytes) or absent (then 2^(bits-1)).
 */
export function dequantizeMatMulNBits(
  b: Uint8Array,
  scales: Float32Array,
  zeroPoints: Uint8Array | Float32Array | undefined,
  k: number,
  n: number,
  bits: number,
  blockSize: number,
): Float32Array {
  if (bits !== 4 && bits !== 8) throw new Error(`MatMulNBits with ${bits} bits is not supported (4 or 8)`);
  const blocks = Math.ceil(k / blockSize);
  const blobSize = (blockSize * bits) / 8;
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const zpRow = Math.ceil((blocks * bits) / 8);
  const out = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let blk = 0; blk < blocks; blk++) {
      const scale = scales[col * blocks + blk];
      let zp: number;
      if (zeroPoints instanceof Float32Array) zp = zeroPoints[col * blocks + blk];
      else if (zeroPoints) zp = (zeroPoints[col * zpRow + Math.floor(blk / perByte)] >> ((blk % perByte) * bits)) & mask;
      else zp = 1 << (bits - 1);
      const base = (col * blocks + blk) * blobSize;
      for (let j = 0; j < blockSize; j++) {
        const row = blk * blockSize + j;
        if (row >= k) break;
        const q = (b[base + Math.floor(j / perByte)] >> ((j % perByte) * bits)) & mask;
        out[row * n + col] = (q - zp) * scale;
      }
    }
  }
  return out;
}
