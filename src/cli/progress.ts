import cliProgress from 'cli-progress';

/** A progress bar on a TTY, nothing when piped or asked for JSON: long work shows it is alive, logs stay clean. */
export function progressBar(total: number, label: string, quiet = false): { update(n: number): void; stop(): void } {
  if (quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (n) => bar.update(Math.min(n, total)), stop: () => bar.stop() };
}
