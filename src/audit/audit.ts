import { VERSION } from '../version.js';
import { readFiles, type ReadProgress } from './pool.js';
import { auditTake } from './take-audit.js';
import { resolveTakes } from './takes.js';
import { AUDIT_SCHEMA, type AuditReport, type Status, type Thresholds } from './types.js';

export interface AuditRequest {
  paths: string[];
  thresholds: Thresholds;
  reference?: string;
  onProgress?: (p: ReadProgress) => void;
}

const RANK: Record<Status, number> = { PASS: 0, WARN: 1, FAIL: 2 };

/** Audits every take the paths name: all files read in parallel first, then each take judged on its own. */
export async function audit(req: AuditRequest): Promise<AuditReport> {
  const takes = resolveTakes(req.paths);
  const inputs = await readFiles(takes.flatMap((t) => t.files), req.onProgress);
  const now = new Date();
  const results = takes.map((t) =>
    auditTake(t.files.map((f) => inputs.get(f)!), { take: t.name, thresholds: req.thresholds, reference: req.reference, version: VERSION, now }),
  );
  const verdict = results.reduce<Status>((w, r) => (RANK[r.verdict] > RANK[w] ? r.verdict : w), 'PASS');
  return { schema: AUDIT_SCHEMA, verdict, takes: results };
}
