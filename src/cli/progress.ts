import { createRequire } from 'node:module';

/** A progress bar on a TTY, nothing when piped or asked for JSON: long work shows it is alive, logs stay clean. */
export interface Progress {
  /** Shows the bar (once the total is known); a total of 0 at creation means "not yet". */
  start(total: number): void;
  update(n: number): void;
  stop(): void;
}

export function progressBar(total: number, label: string, quiet = false): Progress {
  if (quiet || !process.stderr.isTTY) return { start() {}, update() {}, stop() {} };
  // Loaded only when a bar is drawn: piped and --json runs never pay for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const start = (n: number) => {
    if (running || n <= 0) return;
    bar.start(n, 0);
    running = true;
  };
  start(total);
  return {
    start,
    update: (n) => running && bar.update(n),
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}
