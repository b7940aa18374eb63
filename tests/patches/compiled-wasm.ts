/** What the jax-js WASM backend compiles: the bytes of each module, and whether they hold an instruction sequence. */

/** The bytes of every WASM module compiled while `run` runs (both the sync and the async compile paths). */
export async function compiledDuring(run: () => Promise<unknown>): Promise<Uint8Array[]> {
  const { Module, compile } = WebAssembly;
  const modules: Uint8Array[] = [];
  const keep = (bytes: BufferSource) => modules.push(new Uint8Array(ArrayBuffer.isView(bytes) ? bytes.buffer.slice(0) : bytes.slice(0)));
  WebAssembly.Module = class extends Module {
    constructor(bytes: BufferSource) {
      super(bytes);
      keep(bytes);
    }
  };
  WebAssembly.compile = (bytes: BufferSource) => (keep(bytes), compile(bytes));
  try {
    await run();
  } finally {
    WebAssembly.Module = Module;
    WebAssembly.compile = compile;
  }
  return modules;
}

/** How many times an instruction sequence occurs in a module's bytes. */
export function occurrences(bytes: Uint8Array, pattern: readonly number[]): number {
  let count = 0;
  outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    count++;
  }
  return count;
}

export function contains(bytes: Uint8Array, pattern: readonly number[]): boolean {
  return occurrences(bytes, pattern) > 0;
}
