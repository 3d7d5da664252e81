import { resolveTakes } from '../take/index.js';
import { VERSION } from '../version.js';
import { loadTimecode, placeAudio } from './timecode-input.js';
import { readFiles, type ReadProgress } from './pool.js';
import { auditTake } from './take-audit.js';
import { judgeTake } from './take-state.js';
import { AUDIT_SCHEMA, type AudioPlacement, type AuditReport, type Status, type TakeAudit, type Thresholds } from './types.js';

export interface AuditRequest {
  paths: string[];
  /** Audio files to place on the takes' timecode line (BWF time reference, or LTC in them). */
  audio?: string[];
  thresholds: Thresholds;
  reference?: string;
  onProgress?: (p: ReadProgress) => void;
}

const RANK: Record<Status, number> = { PASS: 0, WARN: 1, FAIL: 2 };

/** Audio placement joins the take's checks: a file that misses part of the take is worth a warning. */
function withAudio(take: TakeAudit, audio: AudioPlacement[]): void {
  take.audio = audio;
  for (const a of audio) {
    const where = a.startTimecode ? `starts ${a.startTimecode} (${a.source === 'bwf' ? 'BWF time reference' : 'decoded LTC'})` : 'has no timecode';
    const status = a.error || a.warnings.length > 0 || a.covers === 'none' || a.covers === 'part' ? 'WARN' : a.covers === 'all' ? 'PASS' : 'NOT_MEASURABLE';
    const covers = a.covers === 'all' ? 'covers the whole take' : a.covers === 'part' ? 'covers only part of the take' : a.covers === 'none' ? 'does not overlap the take' : 'cannot be placed (the take has no timecode)';
    take.checks.push({
      id: 'audio', status, sensor: null, value: a.startTimecode, threshold: null,
      message: a.error ? `${a.file}: ${a.error}` : [`${a.file} ${where} and ${covers}.`, ...a.warnings].join(' '),
      remedy: status === 'WARN' ? 'Check that the sound recorder rolled for the whole take and was jammed to the generator.' : null,
    });
  }
  const statuses = take.checks.map((c) => c.status);
  take.verdict = statuses.includes('FAIL') ? 'FAIL' : statuses.includes('WARN') ? 'WARN' : 'PASS';
}

/**
 * Audits every take the paths name: all files read in parallel first, then the state of every take (files that
 * cannot be one take are refused before any verdict is given), then each take judged on its own.
 */
export async function audit(req: AuditRequest): Promise<AuditReport> {
  const takes = resolveTakes(req.paths);
  const inputs = await readFiles(takes.flatMap((t) => t.files), req.onProgress);
  const judged = takes.map((t) => ({ t, ...judgeTake(t, t.files.map((f) => inputs.get(f)!)) }));
  const now = new Date();
  const results = [];
  for (const { t, inputs: sensors, checks, takeJson } of judged) {
    const timecode = await loadTimecode(t.dir, takeJson.json?.manifest ?? null);
    const take = auditTake(sensors, {
      take: t.name, thresholds: req.thresholds, reference: req.reference, version: VERSION, now,
      timecode: timecode.line, timecodeProblem: timecode.problem, timecodeWarning: timecode.warning, stateChecks: checks,
    });
    if (req.audio?.length) withAudio(take, await placeAudio(req.audio, take));
    results.push(take);
  }
  const verdict = results.reduce<Status>((w, r) => (RANK[r.verdict] > RANK[w] ? r.verdict : w), 'PASS');
  return { schema: AUDIT_SCHEMA, verdict, takes: results };
}
