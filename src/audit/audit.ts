import { resolveTakes, type TakeFiles } from '../take/index.js';
import { VERSION } from '../version.js';
import { loadTimecode, placeAudio } from './timecode-input.js';
import { readFiles, type ReadProgress } from './pool.js';
import type { SensorInput } from './input.js';
import { assessFrames } from './take-audit.js';
import { judgeTake, type JudgedTake } from './take-state.js';
import type { TakeTimeline } from './timeline.js';
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

export interface TakeAssessment {
  audit: TakeAudit;
  /** Every frame placed on the reference clock; null when the take has no common window. */
  timeline: TakeTimeline | null;
  judged: JudgedTake;
}

export interface AssessOptions {
  thresholds: Thresholds;
  reference?: string | undefined;
  audio?: string[] | undefined;
  now?: Date;
}

/**
 * The one way a take is judged, for `audit` and for post-processing alike: its state, its timecode line, its frames,
 * and the audio placed on it. `inputs` are its files as read, in `take.files` order.
 */
export async function assessTake(take: TakeFiles, inputs: SensorInput[], opts: AssessOptions): Promise<TakeAssessment> {
  return assessJudged(take, judgeTake(take, inputs), opts);
}

/** assessTake for a take whose state is judged already. */
async function assessJudged(take: TakeFiles, judged: JudgedTake, opts: AssessOptions): Promise<TakeAssessment> {
  const timecode = await loadTimecode(take.dir, judged.takeJson.json?.manifest ?? null);
  // A trimmed take keeps the clocks its source measured: a window of it cannot measure them as well.
  const trim = judged.takeJson.json?.trim ?? null;
  const sourceClocks = new Map((trim?.sensors ?? []).flatMap((s) => (s.clock ? [[s.serial, s.clock] as const] : [])));
  const { audit, timeline } = assessFrames(judged.inputs, {
    take: take.name, thresholds: opts.thresholds, reference: opts.reference, version: VERSION, now: opts.now ?? new Date(), sourceClocks,
    timecode: timecode.line, timecodeProblem: timecode.problem, timecodeWarning: timecode.warning, stateChecks: judged.checks,
  });
  if (opts.audio?.length) withAudio(audit, await placeAudio(opts.audio, audit));
  return { audit, timeline, judged };
}

/**
 * Audits every take the paths name: all files read in parallel first, then the state of every take (files that
 * cannot be one take are refused before any verdict is given), then each take judged on its own.
 */
export async function audit(req: AuditRequest): Promise<AuditReport> {
  const takes = resolveTakes(req.paths);
  const inputs = await readFiles(takes.flatMap((t) => t.files), req.onProgress);
  // Files that cannot be one take are refused (judgeTake throws) before any take is judged.
  const judged = takes.map((t) => judgeTake(t, t.files.map((f) => inputs.get(f)!)));
  const now = new Date();
  const results = [];
  for (const [i, t] of takes.entries()) {
    const { audit: take } = await assessJudged(t, judged[i]!, { thresholds: req.thresholds, reference: req.reference, audio: req.audio, now });
    results.push(take);
  }
  const verdict = results.reduce<Status>((w, r) => (RANK[r.verdict] > RANK[w] ? r.verdict : w), 'PASS');
  return { schema: AUDIT_SCHEMA, verdict, takes: results };
}
