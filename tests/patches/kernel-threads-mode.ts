/**
 * Imported first by a child process that runs jax-js on its kernel threads or on one thread: "one-thread" in
 * its arguments hides SharedArrayBuffer before jax-js loads (as in a page that is not cross-origin isolated),
 * and every chunk of a kernel handed to a thread is counted (the caller wakes a thread with Atomics.notify
 * once per chunk).
 */
if (process.argv.includes('one-thread')) (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;

let handed = 0;
const notify = Atomics.notify;
Atomics.notify = ((typedArray: Int32Array, index: number, count?: number) => (handed++, notify(typedArray, index, count))) as typeof Atomics.notify;

export const handedOut = (): number => handed;
export function resetHandedOut(): void {
  handed = 0;
}
