/**
 * An experiment's record and log in the store, kept current while it runs: its status and stage (for the
 * "interrupted run" offer), the pieces it made or reused (what its bundle carries), and one log line per
 * event worth keeping.
 */
import type { ExperimentRecord, GlonStore } from './store.ts';
import { contentKey } from './content-keys.ts';
import { savedNow } from './piece.ts';
import type { ExperimentSpec } from './spec.ts';

type PieceList = 'datasets' | 'augmentations' | 'adapters' | 'results';

export class ExperimentJournal {
  readonly record: ExperimentRecord;
  private logged = 0;

  constructor(
    private readonly store: GlonStore,
    key: string,
    spec: ExperimentSpec,
    stopAfter?: ExperimentRecord['stopAfter'],
  ) {
    const at = savedNow();
    this.record = {
      key,
      spec,
      status: 'running',
      stage: 'starting',
      results: [],
      datasets: [],
      augmentations: [],
      adapters: [],
      ...(stopAfter ? { stopAfter } : {}),
      startedAt: at,
      updatedAt: at,
    };
  }

  save(change: Partial<ExperimentRecord> = {}): Promise<void> {
    Object.assign(this.record, change, { updatedAt: savedNow() });
    return this.store.put('experiments', structuredClone(this.record));
  }

  /** Names a piece the experiment made or reused in its record, as soon as it exists. */
  own(list: PieceList, pieceKey: string): Promise<void> {
    if (!this.record[list].includes(pieceKey)) this.record[list].push(pieceKey);
    return this.save();
  }

  async log(level: 'info' | 'warn' | 'error', message: string): Promise<void> {
    const experiment = this.record.key;
    const at = savedNow();
    await this.store.put('logs', { key: await contentKey({ experiment, at, n: this.logged++, message }), experiment, at, level, message });
  }
}
