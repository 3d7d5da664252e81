import { readFileSync } from 'node:fs';
import type { AuditReport, TakeAudit } from '../audit/types.js';
import { writeReports } from '../report/index.js';

/** `k4sync report <audit.json> -o report.html`: exit 0, or 2 when the audit file is unreadable. */
export function runReport(auditJson: string, out: string): number {
  let doc: AuditReport | TakeAudit;
  try {
    doc = JSON.parse(readFileSync(auditJson, 'utf8')) as AuditReport | TakeAudit;
  } catch (e) {
    process.stderr.write(`k4sync: K4S_UNREADABLE: cannot read ${auditJson} as an audit result (${(e as Error).message}). Write one with \`k4sync audit ... --out audit.json\`.\n`);
    return 2;
  }
  if (doc?.schema !== 'k4sync.audit/1') {
    process.stderr.write(`k4sync: K4S_NOT_AUDIT: ${auditJson} is not a k4sync audit result (schema k4sync.audit/1).\n`);
    return 2;
  }
  for (const path of writeReports(doc, out)) process.stdout.write(`wrote ${path}\n`);
  return 0;
}
