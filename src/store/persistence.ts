/**
 * The browser's storage manager: ask that the lab's data not be evicted under storage pressure, and how
 * much space it uses. Both answer null where the platform has no such thing (Node, a worker for persist()).
 */

/** true: the browser promised to keep the data; false: it may evict it when space runs low. */
export async function requestPersistence(): Promise<boolean | null> {
  const storage = globalThis.navigator?.storage;
  if (typeof storage?.persist !== 'function') return null;
  try {
    return await storage.persist();
  } catch {
    return null;
  }
}

export async function storageUsage(): Promise<{ used: number; quota: number } | null> {
  const storage = globalThis.navigator?.storage;
  if (typeof storage?.estimate !== 'function') return null;
  try {
    const { usage, quota } = await storage.estimate();
    return usage === undefined || quota === undefined ? null : { used: usage, quota };
  } catch {
    return null;
  }
}
