/**
 * The audit result as `k4sync report` reads it: a TakeAudit, or an AuditReport of several takes (docs/audit-json.md),
 * validated before anything is drawn, so that a document that is JSON but not a whole audit (cut by hand, written by
 * another tool, edited) is refused with the field it lacks instead of breaking the HTML renderer half-way.
 *
 * Unknown keys are allowed and dropped (schema /1 grows by adding fields; a reader ignores what it does not know).
 * Every field the types declare is required with its type, except the timecode fields the renderer reads as optional
 * (src/report/html/timecode.ts): a document without them is read as a take without timecode.
 */
import { z } from 'zod';
import { readJsonFile, validate, type JsonFileOptions } from '../json-file.js';
import { AUDIT_SCHEMA, type AuditReport, type TakeAudit } from '../audit/types.js';

const OPTIONS: JsonFileOptions = { code: 'K4S_NOT_AUDIT', subject: 'the audit result', docs: 'docs/audit-json.md' };

const status = z.enum(['PASS', 'WARN', 'FAIL']);
const figure = z.union([z.number(), z.string()]).nullable();
const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();

const check = z.object({
  id: z.string(),
  status: z.enum(['PASS', 'WARN', 'FAIL', 'NOT_MEASURABLE']),
  sensor: nullableString,
  value: figure,
  threshold: figure,
  message: z.string(),
  remedy: nullableString,
});

const drop = z.object({
  frameIndex: z.number(),
  deviceTimestampUs: z.number(),
  count: z.number(),
  timecode: z.string().optional(),
});

const imu = z.object({
  samples: z.number(),
  rateHz: nullableNumber,
  missing: z.number(),
  gaps: z.array(z.object({ deviceTimestampUs: z.number(), count: z.number(), durationUs: z.number() })),
});

const rateSegment = z.object({
  fromFrame: z.number(),
  toFrame: z.number(),
  ratePpm: z.number(),
  stdErrPpm: z.number(),
  freeRunning: z.boolean().nullable(),
});

const pairOffset = z.object({
  reference: z.string(),
  track: z.enum(['COLOR', 'DEPTH']),
  expectedUs: z.number(),
  measuredUs: nullableNumber,
  maxResidualUs: nullableNumber,
  frameShift: nullableNumber,
  pairedBy: z.enum(['host-time', 'device-time']).nullable(),
  matchedFrames: z.number(),
  rawDivergenceUs: nullableNumber,
  trendUsPerMinute: nullableNumber,
  trendStdErrUsPerMinute: nullableNumber,
  hostGapUs: nullableNumber,
  endShift: nullableNumber,
  startShift: nullableNumber,
  // Audits written before the rate uncertainty was stated read as unknown.
  uncertaintyUs: nullableNumber.default(null),
  aligned: z.boolean().nullable(),
});

const sensor = z.object({
  serial: z.string(),
  file: z.string(),
  fileInfo: z.object({ bytes: z.number(), modified: z.string(), fingerprint: z.string() }).nullable(),
  role: z.enum(['master', 'subordinate', 'standalone', 'unknown']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  fps: nullableNumber,
  colorMode: nullableString,
  depthMode: nullableString,
  firmware: z.object({ color: nullableString, depth: nullableString }),
  // Audits written before the device family was named read as unknown.
  deviceFamily: z.enum(['azure-kinect', 'orbbec-femto', 'unknown']).nullable().default(null),
  depthDelayUs: z.number(),
  subordinateDelayUs: z.number(),
  frames: z.number(),
  firstDeviceTimestampUs: nullableNumber,
  lastDeviceTimestampUs: nullableNumber,
  drops: z.array(drop),
  // Audits written before the IMU check read as files without an IMU track.
  imu: imu.nullable().default(null),
  clockRatePpm: nullableNumber,
  clockRateStdErrPpm: nullableNumber,
  // Audits written before this field fitted every rate.
  clockRateSource: z.enum(['fitted', 'source-take', 'too-few-frames']).nullable().default(null),
  rateSegments: z.array(rateSegment),
  jitterTicks: z.object({ rms: z.number(), max: z.number() }).nullable(),
  locked: z.boolean().nullable(),
  lockEvidence: z.enum(['host-clock', 'rate-change', 'offset', 'rate', 'role', 'heuristic', 'none']),
  lockLostAtFrame: nullableNumber,
  hostRateVsReferencePpm: nullableNumber,
  colorToDepth: z.object({ measuredUs: z.number(), expectedUs: z.number() }).nullable(),
  offset: pairOffset.nullable(),
  depthOffset: pairOffset.nullable(),
  window: z.object({ framesBefore: z.number(), framesAfter: z.number() }).nullable(),
  series: z
    .object({ frameIndex: z.array(z.number()), intervalUs: z.array(z.number()), offsetResidualUs: z.array(nullableNumber) })
    .nullable(),
  timecodeIn: nullableString.default(null),
  timecodeOut: nullableString.default(null),
  driftVsTimecodePpm: nullableNumber.default(null),
});

const thresholds = z.object({
  offsetToleranceUs: z.object({ 30: z.number(), 15: z.number(), 5: z.number() }),
  dropFailFraction: z.number(),
  jitterWarnTicks: z.number(),
  implausibleRatePpm: z.number(),
  minDepthSpacingUs: z.number(),
  colorDepthToleranceUs: z.number(),
});

const audioPlacement = z.object({
  file: z.string(),
  source: z.enum(['bwf', 'ltc']).nullable(),
  startTimecode: nullableString,
  startSeconds: nullableNumber,
  endSeconds: nullableNumber,
  covers: z.enum(['all', 'part', 'none']).nullable(),
  // Absent from documents written before LTC was read beside BWF.
  ltcLevelDbfs: nullableNumber.default(null),
  warnings: z.array(z.string()).default([]),
  error: nullableString,
});

const envelope = z.object({ schema: z.literal(AUDIT_SCHEMA) });

const takeAuditSchema = envelope.extend({
  k4syncVersion: z.string(),
  auditedAt: z.string(),
  take: z.string(),
  verdict: status,
  fps: nullableNumber,
  syncSource: z.enum(['master', 'generator', 'none', 'mixed']),
  reference: nullableString,
  window: z.object({ startUs: z.number(), endUs: z.number(), frames: z.number() }).nullable(),
  sensors: z.array(sensor),
  timecode: z.object({ rate: z.string(), source: z.string(), in: z.string(), out: z.string() }).nullable().default(null),
  audio: z.array(audioPlacement).default([]),
  checks: z.array(check),
  thresholds,
});

/** k4sync never writes a report of no take (an audit of nothing is refused with K4S_NO_TAKE). */
const auditReportSchema = envelope.extend({ verdict: status, takes: z.array(takeAuditSchema).min(1) });

// The schema and src/audit/types.ts must describe the same document: a field added to the types and not here (or
// the other way round, or with another type or optionality) stops `tsc` on these lines.
type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
export type SchemaMatchesTypes = [
  Holds<Identical<z.output<typeof takeAuditSchema>, TakeAudit>>,
  Holds<Identical<z.output<typeof auditReportSchema>, AuditReport>>,
];

/**
 * Reads the audit result a user gave `report`. Throws K4sError K4S_NOT_AUDIT naming the first faulty field (and the
 * others), or the path's own error (K4S_NOT_FOUND, K4S_IS_FOLDER, ...).
 */
export function readAuditDocument(path: string): AuditReport | TakeAudit {
  // The schema id is checked on its own first: a rig.json or take.json given by mistake is named as such, not
  // answered with every field of an audit it lacks.
  const doc = readJsonFile(path, z.unknown(), OPTIONS);
  validate(envelope, doc, path, OPTIONS);
  // The two shapes are told apart by `takes` (docs/audit-json.md): each is validated as itself, so that a fault is
  // named where it is, not as "neither shape fits".
  return typeof doc === 'object' && doc !== null && 'takes' in doc ? validate(auditReportSchema, doc, path, OPTIONS) : validate(takeAuditSchema, doc, path, OPTIONS);
}
