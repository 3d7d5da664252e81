/**
 * `k4sync report <audit.json> -o report.html`: exit 0. A file that is not a whole audit result, or an `-o` that would
 * replace the input, a recording or a take's file, throws to bin/'s boundary (exit 2) before anything is written.
 */
export async function runReport(auditJson: string, out: string): Promise<number> {
  // The schema library and the chart library load only when this command runs: `k4sync --version` needs neither.
  const { readAuditDocument } = await import('../report/audit-document.js');
  const doc = readAuditDocument(auditJson);
  const { writeReports } = await import('../report/index.js');
  // writeReports checks every page path (the index and, for a shoot day, each take's page beside it) before it
  // renders any: an earlier k4sync report may be replaced, an input, a recording or a take's file never.
  for (const path of writeReports(doc, out, { flag: '-o', inputs: [auditJson] })) process.stdout.write(`wrote ${path}\n`);
  return 0;
}
