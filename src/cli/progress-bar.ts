/** A progress bar on stderr (cli-progress) that changes stage in place: "loading onnx/model.onnx", "options", ... */
import cliProgress from 'cli-progress';

export class StageBar {
  private readonly bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{stage} [{bar}] {percentage}% {detail}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  private stage: string | undefined;

  /** Shows `done` of `total` for `stage`; `detail` (e.g. "3.1/9.0 MB") defaults to "done/total". */
  update(stage: string, done: number, total: number, detail = `${done}/${total}`): void {
    if (stage !== this.stage) {
      if (this.stage !== undefined) this.bar.stop();
      this.stage = stage;
      this.bar.start(Math.max(total, 1), done, { stage, detail });
    } else {
      this.bar.setTotal(Math.max(total, 1));
      this.bar.update(done, { detail });
    }
  }

  stop(): void {
    if (this.stage !== undefined) this.bar.stop();
    this.stage = undefined;
  }
}

/** "1m05s", "42s": an ETA or a run time. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
