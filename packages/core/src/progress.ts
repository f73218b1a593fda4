// Kept hand-written rather than cli-progress: one short line format for TTYs and logs alike (CI, queue workers), with
// the rate counted from this process's work only; cli-progress prints nothing off a TTY unless told to.

/** Format seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface ProgressOptions {
  /** Label printed before the bar. */
  label: string;
  total: number;
  /** Unit name for the rate, e.g. "steps". */
  unit?: string;
  /** Where to write; defaults to stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Minimum seconds between redraws when not a TTY (log lines). */
  logEverySeconds?: number;
  /** Units finished before this process started (a resumed job): counted as done, never as throughput. */
  alreadyDone?: number;
  /** Clock in milliseconds; defaults to performance.now (tests pass a fake one). */
  now?: () => number;
}

/**
 * A progress bar with rate and ETA. On a TTY it redraws one line; elsewhere (CI, pipes) it prints
 * a line at most every `logEverySeconds`, so logs stay short but a long job never looks dead.
 */
export class Progress {
  private done: number;
  private readonly start: number;
  private readonly now: () => number;
  private readonly doneBefore: number;
  private lastPrint: number;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private extra = '';
  private printed = -1;
  private printedExtra = '';

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.start = this.lastPrint = this.now();
    this.done = this.doneBefore = options.alreadyDone ?? 0;
  }

  /** Advance by `n` units and redraw; `extra` is appended (e.g. "loss 0.123"). */
  tick(n = 1, extra?: string): void {
    this.done += n;
    if (extra !== undefined) this.extra = extra;
    this.draw(false);
  }

  /** Set the absolute count, including any `alreadyDone` units. */
  set(done: number, extra?: string): void {
    this.done = done;
    if (extra !== undefined) this.extra = extra;
    this.draw(false);
  }

  /** Final redraw and newline. */
  finish(extra?: string): void {
    if (extra !== undefined) this.extra = extra;
    this.draw(true);
  }

  /** Elapsed seconds since the bar was made. */
  elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }

  private draw(final: boolean): void {
    const now = this.now();
    const tty = Boolean(this.stream.isTTY);
    const every = (tty ? 0.1 : this.options.logEverySeconds ?? 10) * 1000;
    if (!final && now - this.lastPrint < every && this.done < this.options.total) return;
    // A finished bar is drawn once: finish() after the last tick adds nothing new.
    if (this.printed === this.done && this.printedExtra === this.extra) {
      if (final && tty) this.stream.write('\n');
      return;
    }
    this.printed = this.done;
    this.printedExtra = this.extra;
    this.lastPrint = now;
    const { total, label, unit = 'it' } = this.options;
    const elapsed = (now - this.start) / 1000;
    // Only work done by this process says how fast the rest will go; resumed units took no time here.
    const rate = elapsed > 0 ? Math.max(0, this.done - this.doneBefore) / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : NaN;
    const frac = total > 0 ? Math.min(1, this.done / total) : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const line = `${label} [${bar}] ${this.done}/${total} ${rate.toFixed(2)} ${unit}/s ` +
      `elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${this.extra ? ' ' + this.extra : ''}`;
    if (tty) this.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else this.stream.write(line + '\n');
  }
}
