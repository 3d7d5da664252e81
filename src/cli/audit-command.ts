import { closeSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditReport, ThresholdOverrides } from '../audit/index.js';
import { startReaders, stopReaders } from '../audit/pool.js';
import { renderTerminal } from '../report/terminal.js';
import { fromSystemError, K4sError } from '../errors.js';
import { checkOutputFile, fileStart, writeFileAtomic } from '../output/index.js';
import { progressBar } from './progress.js';

export interface AuditFlags {
  json?: boolean;
  out?: string;
  config?: string;
  reference?: string;
  strict?: boolean;
  offsetTolerance?: number;
  dropFail?: number;
  audio?: string[];
  html?: string;
}

/** One take: its TakeAudit at the top level; several: the report with every take (docs/audit-json.md). */
export function auditJson(report: AuditReport): string {
  return `${JSON.stringify(report.takes.length === 1 ? report.takes[0] : report, null, 2)}\n`;
}

/** An audit.json k4sync wrote earlier: the one kind of existing file inside a take folder `--out` may replace. */
export function isAuditJson(path: string): boolean {
  return /"schema":\s*"k4sync\.audit\/1"/.test(fileStart(path));
}

function readableFile(path: string, flag: string): void {
  let st;
  try {
    st = statSync(path);
    if (!st.isDirectory()) closeSync(openSync(path, 'r'));
  } catch (e) {
    throw fromSystemError(e, path, `read the ${flag} file`);
  }
  if (st.isDirectory()) throw new K4sError('K4S_IS_FOLDER', `${flag} ${path} is a folder; it takes audio files.`, `Give the files, e.g. ${flag} ${path.replace(/[\\/]+$/, '')}/*.wav.`);
}

/** `k4sync audit`: exit 0 for PASS and WARN (1 for WARN with --strict), 1 for FAIL, 2 for bad input. */
export async function runAudit(paths: string[], flags: AuditFlags): Promise<number> {
  // The reader threads start first and load while this thread loads the audit (hence its import here, not above).
  startReaders(paths);
  try {
    return await auditWith(await import('../audit/index.js'), paths, flags);
  } finally {
    await stopReaders();
  }
}

/** runAudit once the audit module is loaded. */
async function auditWith({ audit, loadConfig, mergeThresholds }: typeof import('../audit/index.js'), paths: string[], flags: AuditFlags): Promise<number> {
  // Every output is checked before the work starts: a long shoot-day audit must not end in "cannot write there".
  const inputs = [...paths, ...(flags.audio ?? []), ...(flags.config ? [flags.config] : [])];
  // A mistyped sound file is the user's to fix now, not a warning found in the result after the whole audit.
  for (const file of flags.audio ?? []) readableFile(file, '--audio');
  if (flags.out) checkOutputFile(flags.out, { flag: '--out', inputs, ownOutput: isAuditJson });
  const htmlGuard = { flag: '--html', inputs };
  // The HTML renderer pulls in vega-lite: loaded only when a report is asked for.
  let reports: typeof import('../report/index.js') | null = null;
  if (flags.html) {
    if (flags.out && resolve(flags.out) === resolve(flags.html)) {
      throw new K4sError('K4S_BAD_FLAG', `--out and --html both name ${flags.html}; one would replace the other.`, 'Give the JSON and the HTML report different names.');
    }
    reports = await import('../report/index.js');
    checkOutputFile(flags.html, { ...htmlGuard, ownOutput: reports.isOwnReport });
  }
  const fromFlags: ThresholdOverrides = {};
  if (flags.offsetTolerance !== undefined) {
    fromFlags.offsetToleranceUs = { '30': flags.offsetTolerance, '15': flags.offsetTolerance, '5': flags.offsetTolerance };
  }
  if (flags.dropFail !== undefined) fromFlags.dropFailFraction = flags.dropFail;
  const thresholds = mergeThresholds(flags.config ? loadConfig(flags.config) : {}, fromFlags);
  const bar = progressBar(0, 'reading', flags.json === true);
  let report: AuditReport;
  try {
    let started = false;
    report = await audit({
      paths,
      thresholds,
      reference: flags.reference,
      ...(flags.audio ? { audio: flags.audio } : {}),
      onProgress: ({ done, total }) => {
        if (!started && total > 2) {
          bar.start(total);
          started = true;
        }
        bar.update(done);
      },
    });
  } finally {
    bar.stop();
  }
  // The report first: it checks every per-take page (named after the takes, so known only now) before writing any.
  if (reports && flags.html) for (const path of reports.writeReports(report, flags.html, htmlGuard)) process.stderr.write(`wrote ${path}\n`);
  if (flags.out) writeFileAtomic(flags.out, auditJson(report));
  if (flags.json) process.stdout.write(auditJson(report));
  else process.stdout.write(renderTerminal(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
  if (report.verdict === 'FAIL') return 1;
  return report.verdict === 'WARN' && flags.strict ? 1 : 0;
}
