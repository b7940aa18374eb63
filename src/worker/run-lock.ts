/**
 * An experiment's Web Lock: held by the tab that runs it, so a 'running' record whose lock is free was
 * interrupted (its tab closed mid-run).
 */
export const runLock = (key: string) => `glon-run-${key}`;

export async function heldLocks(): Promise<Set<string>> {
  const { held = [] } = await navigator.locks.query();
  return new Set(held.map((lock) => lock.name ?? ''));
}
