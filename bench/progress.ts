// A one-line progress bar on stderr: [#####.....] 42% label (elapsed). Redraws in place on a TTY,
// prints a line per step otherwise (so CI logs stay readable).
const WIDTH = 30;

export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY;
  private lastPrinted = -1;

  constructor(
    private readonly title: string,
    private readonly total: number,
  ) {}

  tick(amount: number, label: string): void {
    this.done = Math.min(this.total, this.done + amount);
    const share = this.total ? this.done / this.total : 1;
    const filled = Math.round(share * WIDTH);
    const line = `${this.title} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${label} (${this.elapsed()} s)`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (share === 1 || share * 100 - this.lastPrinted >= 10) {
      // Not a terminal (a log file): a line every 10% is enough.
      this.lastPrinted = share * 100;
      process.stderr.write(`${line}\n`);
    }
  }

  finish(label = 'done'): void {
    this.tick(this.total - this.done, label);
    if (this.tty) process.stderr.write('\n');
  }

  elapsed(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }
}
