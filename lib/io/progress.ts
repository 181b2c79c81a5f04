// A terminal progress bar on stderr when it is a TTY; otherwise silent (callers print one line per
// epoch, which is what notebooks and CI logs want).

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const ss = String(Math.floor(s % 60)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar {
  private readonly start = Date.now();
  private last = 0;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    enabled = true,
  ) {
    this.tty = enabled && process.stderr.isTTY === true;
  }

  update(done: number, info = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (done < this.total && now - this.last < 100) return;
    this.last = now;
    const width = 24;
    const frac = this.total > 0 ? done / this.total : 1;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Infinity;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${info} ${clock(elapsed)}<${clock(eta)}`;
    const cols = process.stderr.columns ?? 120;
    process.stderr.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}

export { clock as formatDuration };
