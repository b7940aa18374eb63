/**
 * What every piece function shares (dataset, augmentation, adapter, result): a piece is looked up in the
 * store under its content key first, and made and stored only when it is not there; the caller hears
 * which (from the store, started, done) and how far the making has come. Without a store (`glon train`
 * without --store) a piece is always made and nothing is kept.
 */
import type { Progress } from '../model/language-model.ts';
import type { GlonStore } from './store.ts';

export interface PieceReport {
  /** The piece was in the store. */
  cached?(key: string): Promise<void> | void;
  /** The piece is about to be made. */
  start?(key: string): Promise<void> | void;
  done?(key: string): Promise<void> | void;
  progress?(progress: Progress): void;
}

export interface PieceContext {
  store?: GlonStore;
  signal?: AbortSignal;
  report?: PieceReport;
}

export const savedNow = (): string => new Date().toISOString();

/** `lookup` first; `make` (which stores what it makes) only when it finds nothing. */
export async function storedOrMade<T>(
  key: string,
  report: PieceReport | undefined,
  lookup: () => Promise<T | undefined>,
  make: () => Promise<T>,
): Promise<{ value: T; cached: boolean }> {
  const found = await lookup();
  if (found !== undefined) {
    await report?.cached?.(key);
    return { value: found, cached: true };
  }
  await report?.start?.(key);
  const value = await make();
  await report?.done?.(key);
  return { value, cached: false };
}
