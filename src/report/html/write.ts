/** Writes the report files: one take, one file; several takes, an index at the path and one file per take beside it. */
import { basename, dirname, extname, join } from 'node:path';
import { checkOutputFile, fileStart, writeFileAtomic } from '../../output/index.js';
import { AUDIT_SCHEMA, type AuditReport, type Status, type TakeAudit } from '../../audit/types.js';
import { GENERATOR_META } from './document.js';
import { renderTakeReport } from './take.js';
import { renderDayIndex, type TakeLink } from './day.js';

const RANK: Record<Status, number> = { PASS: 0, WARN: 1, FAIL: 2 };

/** `audit --json` writes a TakeAudit for one take and an AuditReport for several: either is accepted. */
export function asAuditReport(doc: AuditReport | TakeAudit): AuditReport {
  if ('takes' in doc) return doc;
  return { schema: AUDIT_SCHEMA, verdict: doc.verdict, takes: [doc] };
}

/** A take name as a file-name part: no separators, dots only inside, nothing a shell or a URL would trip on. */
export function safeFilePart(name: string): string {
  const s = name.normalize('NFC').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').replace(/[._]+$/, '').slice(0, 80);
  return s || 'take';
}

/** A report k4sync wrote earlier (document.ts marks every page): the one kind of existing page it may replace. */
export function isOwnReport(path: string): boolean {
  return fileStart(path).includes(GENERATOR_META);
}

/** How the command names the report path in its messages, and every file it reads (never to be replaced). */
export interface ReportGuard {
  flag: string;
  inputs: readonly string[];
}

/**
 * One take: the report at `outPath`. Several: the index at `outPath`, each take's report beside it as
 * `<index-basename>-<take>.html` (names made safe and unique). Every page path is checked before any is written
 * (an input, a recording, a take's file, a folder are refused), and each page is written under a temporary name
 * and renamed into place. Returns the paths written, the index first.
 */
export function writeReports(doc: AuditReport | TakeAudit, outPath: string, guard: ReportGuard = { flag: '-o', inputs: [] }): string[] {
  const report = asAuditReport(doc);
  const pages = layout(report, outPath);
  for (const p of pages) checkOutputFile(p.path, { ...guard, ownOutput: isOwnReport });
  for (const p of pages) writeFileAtomic(p.path, p.render());
  return pages.map((p) => p.path);
}

/** The pages of a report, the index first. */
function layout(report: AuditReport, outPath: string): { path: string; render: () => string }[] {
  const only = report.takes.length === 1 ? report.takes[0] : undefined;
  if (only) return [{ path: outPath, render: () => renderTakeReport(only) }];
  const dir = dirname(outPath);
  const ext = extname(outPath);
  const base = basename(outPath, ext);
  const used = new Set<string>();
  const links: TakeLink[] = [];
  const pages: { path: string; render: () => string }[] = [];
  for (const take of report.takes) {
    let name = `${base}-${safeFilePart(take.take)}`;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${safeFilePart(take.take)}-${n}`;
    used.add(name.toLowerCase());
    const file = `${name}.html`;
    pages.push({ path: join(dir, file), render: () => renderTakeReport(take) });
    links.push({ take: take.take, href: encodeURIComponent(file) });
  }
  // The worst verdict is the index's own, whatever the document said.
  const verdict = report.takes.reduce<Status>((w, t) => (RANK[t.verdict] > RANK[w] ? t.verdict : w), 'PASS');
  return [{ path: outPath, render: () => renderDayIndex({ ...report, verdict }, links) }, ...pages];
}
