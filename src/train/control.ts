/** Pause, resume and cancel for a running training job; the trainer checks it between steps. */
export class TrainControl {
  private readonly abort = new AbortController();
  private resumeWaiters: (() => void)[] = [];
  private pausedFlag = false;

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    for (const wake of this.resumeWaiters.splice(0)) wake();
  }

  /** Stops the run after the current step; the result keeps the adapter from the last finished step. */
  cancel(): void {
    this.abort.abort();
    this.resume();
  }

  /** Resolves at once unless paused; then when resumed or cancelled. */
  async whilePaused(): Promise<void> {
    if (!this.pausedFlag || this.signal.aborted) return;
    await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
  }
}
