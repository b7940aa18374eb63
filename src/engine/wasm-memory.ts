/**
 * The peak bytes jax-js's WASM backend held: it keeps every array in one WebAssembly.Memory that only grows
 * (freed blocks are reused, never returned), so that memory's size after a run is the run's high-water
 * mark, and it is what the 4 GiB wasm32 limit applies to. Unlike the process's RSS it counts neither the
 * JavaScript copies of the weights nor the ONNX file they were read from.
 */
export interface WasmMemoryWatch {
  /** Size in bytes of the largest WebAssembly.Memory that grew since the watch began. */
  peakBytes(): number;
  stop(): void;
}

/**
 * jax-js creates its memory when it is imported, empty, and grows it as arrays are allocated: the watch
 * notes every memory that grows while it runs.
 */
export function watchWasmMemory(): WasmMemoryWatch {
  const prototype = WebAssembly.Memory.prototype;
  const grow = prototype.grow;
  const memories = new Set<WebAssembly.Memory>();
  prototype.grow = function (this: WebAssembly.Memory, delta: number) {
    memories.add(this);
    return grow.call(this, delta);
  };
  return {
    peakBytes: () => Math.max(0, ...[...memories].map((m) => m.buffer.byteLength)),
    stop: () => {
      prototype.grow = grow;
    },
  };
}
