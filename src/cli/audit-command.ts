import { writeFileSync } from 'node:fs';
import { audit, loadConfig, mergeThresholds, type AuditReport, type ThresholdOverrides } from '../audit/index.js';
import { renderTerminal } from '../report/terminal.js';
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

/** `k4sync audit`: exit 0 for PASS and WARN (1 for WARN with --strict), 1 for FAIL, 2 for bad input. */
export async function runAudit(paths: string[], flags: AuditFlags): Promise<number> {
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
  if (flags.out) writeFileSync(flags.out, auditJson(report));
  // The HTML renderer pulls in vega-lite: loaded only when a report is asked for.
  if (flags.html) for (const path of (await import('../report/index.js')).writeReports(report, flags.html)) process.stderr.write(`wrote ${path}\n`);
  if (flags.json) process.stdout.write(auditJson(report));
  else process.stdout.write(renderTerminal(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
  if (report.verdict === 'FAIL') return 1;
  return report.verdict === 'WARN' && flags.strict ? 1 : 0;
}
