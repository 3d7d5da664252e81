/**
 * The sync report of a copy, made from the copy itself: the audit reads the destination's files (what the drive
 * holds, not what the capture PC held), and its JSON and HTML report are written beside them, the report's file
 * table showing each recording's xxh64 as the destination's ASC MHL records it.
 */
import { join } from 'node:path';
import { isK4sError, errorLine } from '../errors.js';
import { writeFileAtomic } from '../output/index.js';
import type { Status } from '../audit/index.js';

/** The names of what an offload writes into each destination take folder (never copied from a source). */
export const AUDIT_OUTPUT = 'offload-audit.json';
export const REPORT_OUTPUT = 'offload-report.html';
export const DELIVERABLES: readonly string[] = [AUDIT_OUTPUT, REPORT_OUTPUT];

export interface Deliverables {
  /** Worst verdict of the takes audited, null when none could be. */
  verdict: Status | null;
  /** Files written (absolute). */
  written: string[];
  /** Takes that could not be audited, each as one error line. */
  problems: string[];
}

/**
 * Audits the take folders `takeDirs` (absolute, in the destination) and writes their audit and report into each.
 * `hashes` maps an absolute file path to its xxh64.
 */
export async function writeDeliverables(takeDirs: string[], hashes: ReadonlyMap<string, string>): Promise<Deliverables> {
  const [{ audit, mergeThresholds }, { renderTakeReport }] = await Promise.all([import('../audit/index.js'), import('../report/index.js')]);
  const out: Deliverables = { verdict: null, written: [], problems: [] };
  const rank: Record<Status, number> = { PASS: 0, WARN: 1, FAIL: 2 };
  for (const dir of takeDirs) {
    // One take at a time: a take that cannot be audited (mixed files, no recording left) must not cost the others.
    let take;
    try {
      const report = await audit({ paths: [dir], thresholds: mergeThresholds() });
      take = report.takes[0];
    } catch (e) {
      if (!isK4sError(e)) throw e;
      out.problems.push(`${dir}: ${errorLine(e)}`);
      continue;
    }
    if (!take) continue;
    writeFileAtomic(join(dir, AUDIT_OUTPUT), `${JSON.stringify(take, null, 2)}\n`);
    writeFileAtomic(join(dir, REPORT_OUTPUT), renderTakeReport(take, { hashes }));
    out.written.push(join(dir, AUDIT_OUTPUT), join(dir, REPORT_OUTPUT));
    if (out.verdict === null || rank[take.verdict] > rank[out.verdict]) out.verdict = take.verdict;
  }
  return out;
}
