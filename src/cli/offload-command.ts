import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { K4sError } from '../errors.js';
import type { OffloadOutcome } from '../offload/index.js';

export interface OffloadFlags {
  to?: string[];
  verify?: string[];
  report?: boolean;
}

const MB = 1e6;

/**
 * One bar per destination on a TTY: bytes copied and read back (the bar and ETA count both), MB/s of the copy;
 * nothing when piped.
 */
function destinationBars(destinations: string[]) {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  // Loaded only when bars are drawn: piped runs never pay for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const multi = new cliProgress.MultiBar(
    { format: '{dest} [{bar}] copied {copied}/{of} MB, verified {verified} MB, {speed} MB/s, ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const width = Math.max(...destinations.map((d) => d.length));
  const started = Date.now();
  const state = new Map(destinations.map((d) => [d, { copied: 0, verified: 0, bar: multi.create(1, 0, { dest: d.padEnd(width), copied: '0', verified: '0', of: '0', speed: '0' }) }]));
  return {
    update(dest: string, phase: 'copy' | 'verify', done: number, total: number) {
      const s = state.get(dest);
      if (!s || total <= 0) return;
      if (phase === 'copy') s.copied = done;
      else s.verified = done;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      s.bar.setTotal(2 * total);
      s.bar.update(s.copied + s.verified, { copied: (s.copied / MB).toFixed(0), verified: (s.verified / MB).toFixed(0), of: (total / MB).toFixed(0), speed: (s.copied / MB / seconds).toFixed(0) });
    },
    stop: () => multi.stop(),
  };
}

function outcomeLine(o: OffloadOutcome): string {
  const where = `${o.source} → ${o.folder}`;
  if (o.error) return `FAILED  ${where}: ${o.error.code}: ${o.error.message}`;
  const copied = `${o.copied} file(s) copied and verified (${(o.bytes / MB).toFixed(1)} MB), ${o.skipped} already verified there`;
  if (!o.generation) return `OK      ${where}: nothing new, ${o.skipped} file(s) already verified there`;
  return `OK      ${where}: ${copied}; ascmhl/${o.generation}${o.verdict ? `; audit ${o.verdict}` : ''}`;
}

/** `k4sync offload`: exit 0 when every destination is complete and verified; a failed destination is an error. */
export async function runOffload(sources: string[], flags: OffloadFlags): Promise<number> {
  if (flags.verify?.length) {
    if (sources.length > 0 || flags.to?.length) throw new K4sError('K4S_BAD_FLAG', '--verify checks destinations that are already written; it takes no sources and no --to.', 'Run k4sync offload --verify <destination> on its own.');
    return runVerify(flags.verify);
  }
  const { offload } = await import('../offload/index.js');
  const destinations = flags.to ?? [];
  const bars = destinationBars(destinations);
  let outcomes: OffloadOutcome[];
  try {
    outcomes = await offload({
      sources, destinations, report: flags.report !== false,
      onProgress: (p) => bars.update(p.destination, p.phase, p.done, p.total),
      onNote: (line) => process.stderr.write(`k4sync: ${line}\n`),
    });
  } finally {
    bars.stop();
  }
  for (const o of outcomes) process.stdout.write(`${outcomeLine(o)}\n`);
  const failed = outcomes.filter((o) => o.error);
  if (failed.length === 0) return 0;
  const first = failed[0]!.error!;
  const bad = [...new Set(failed.map((o) => o.destination))];
  const good = destinations.filter((d) => !bad.includes(d));
  throw new K4sError(
    first.code,
    `The offload to ${bad.join(', ')} did not finish (${first.message.replace(/[.\s]*$/, '')})${good.length ? `; ${good.join(', ')} ${good.length === 1 ? 'is' : 'are'} complete and verified` : ''}; nothing at the source was changed.`,
    // The registry's remedies end in "run the command again"; here the command to run is known, so it is named.
    `Make room on that drive or fix what the message names, then run k4sync offload ${sources.join(' ')} ${bad.map((d) => `--to ${d}`).join(' ')} again: files already verified there are not copied again.`,
  );
}

async function runVerify(paths: string[]): Promise<number> {
  const { historyRoots, verifyRoot } = await import('../offload/index.js');
  const roots = paths.flatMap(historyRoots);
  let bad = false;
  for (const root of roots) {
    const r = await verifyRoot(root);
    const serious = r.findings.filter((f) => f.kind !== 'unverifiable');
    if (serious.length > 0) bad = true;
    process.stdout.write(`${serious.length === 0 ? 'OK    ' : 'FAILED'}  ${root}: ${r.verified} file(s) verified, ${r.findings.length} finding(s)${r.generationFile ? `; ascmhl/${r.generationFile}` : ''}\n`);
    for (const f of r.findings) process.stdout.write(`  ${f.kind.toUpperCase().padEnd(12)} ${f.path} ${f.detail}\n`);
    if (r.writeError) throw new K4sError(r.writeError.code, `the verification of ${relative(process.cwd(), root) || root} was printed above but could not be recorded in its history: ${r.writeError.message}`, r.writeError.remedy);
  }
  return bad ? 1 : 0;
}
