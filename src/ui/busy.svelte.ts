/**
 * Whether the lab worker is busy, kept by the worker client as it posts commands and gets their replies,
 * so every component reads one answer instead of passing flags up and down. A run that uses the loaded
 * model holds the worker until its reply; the page starts one such run at a time (a second would fail,
 * or interleave with the first and slow both). The context probe only advises and gives way to any run,
 * and reads and writes of the store are quick: they hold nothing.
 */
import type { RunCommand } from '../worker/protocol.ts';

/** What each command does to the worker while it runs: the words say it, undefined holds nothing. */
const HOLDS: { readonly [C in RunCommand['type']]: string | undefined } = {
  load: 'a model is loading',
  // Every Learn-step press and every experiment: one-seed experiments or more.
  'run-experiment': 'a run is going',
  probe: undefined,
  'list-models': undefined,
  'list-experiments': undefined,
  'open-experiment': undefined,
  'mark-failed': undefined,
  'delete-experiment': undefined,
  'export-bundle': undefined,
  'import-bundle': undefined,
};

export class WorkerBusy {
  /** The runs holding the worker, oldest first. */
  private runs = $state.raw<{ request: number; type: RunCommand['type'] }[]>([]);

  /** A run holds the worker: no other may start. */
  get held(): boolean {
    return this.runs.length > 0;
  }

  /** Why the worker is held ("a model is loading"), for a disabled button's hint; undefined when it is free. */
  get reason(): string | undefined {
    const first = this.runs[0];
    return first && HOLDS[first.type];
  }

  /** A run of this command holds the worker now. */
  running(type: RunCommand['type']): boolean {
    return this.runs.some((run) => run.type === type);
  }

  /** The client posted `request`; it holds the worker when its command does. */
  start(request: number, type: RunCommand['type']): void {
    if (HOLDS[type] !== undefined) this.runs = [...this.runs, { request, type }];
  }

  /** The reply to `request` came (its result, a cancellation, an error, or a restarted worker). */
  end(request: number): void {
    this.runs = this.runs.filter((run) => run.request !== request);
  }
}
