/** The audit result: the versioned schema of `k4sync audit --json` (see docs/audit-json.md). */

export const AUDIT_SCHEMA = 'k4sync.audit/1';

export type Status = 'PASS' | 'WARN' | 'FAIL';
/** A check whose data is not in the files (host times from a recorder other than k4sync, say). */
export type CheckStatus = Status | 'NOT_MEASURABLE';

export interface Check {
  /** Stable identifier, e.g. "drops", "lock", "offset", "depth-delays". */
  id: string;
  status: CheckStatus;
  /** Serial of the sensor the check is about; null for rig-wide checks. */
  sensor: string | null;
  value: number | string | null;
  threshold: number | string | null;
  message: string;
  /** What the crew does about it; null when nothing needs doing. */
  remedy: string | null;
}

export interface Drop {
  /** Index of the first missing frame in the sensor's own frame sequence (0 = its first frame in the file). */
  frameIndex: number;
  /** Device time the first missing frame would have had. */
  deviceTimestampUs: number;
  count: number;
  /** The generator's timecode of the first missing frame, when the take has LTC (ltc.wav + host times). */
  timecode?: string;
}

/** IMU samples missing between two samples the file holds. */
export interface ImuGap {
  /** Device time the first missing sample would have had, µs. */
  deviceTimestampUs: number;
  count: number;
  /** From the last sample before the gap to the first after it, µs. */
  durationUs: number;
}

export interface ImuAudit {
  samples: number;
  /** Sample rate measured over the continuous stretches (about 1666 Hz); null with fewer than two samples. */
  rateHz: number | null;
  missing: number;
  gaps: ImuGap[];
}

export interface RateSegment {
  fromFrame: number;
  toFrame: number;
  ratePpm: number;
  stdErrPpm: number;
  /** The sensor stepped exactly the nominal period on its own clock here: no pulses were followed. */
  freeRunning: boolean | null;
}

/**
 * How a sensor's clock rate is known: fitted to its frames; carried from the whole take a trimmed take was cut from;
 * or not at all (too few frames: nominal is assumed, with an unmeasured crystal's uncertainty).
 */
export type ClockRateSource = 'fitted' | 'source-take' | 'too-few-frames';

export type LockEvidence = 'host-clock' | 'rate-change' | 'offset' | 'rate' | 'role' | 'heuristic' | 'none';

export interface PairOffset {
  reference: string;
  track: 'COLOR' | 'DEPTH';
  /** What the configured delays say the offset must be (on the 90 kHz grid). */
  expectedUs: number;
  /** Median offset of matched frames after clock-rate correction, whole frame periods removed. */
  measuredUs: number | null;
  /** Largest departure of a matched frame from the expected offset. */
  maxResidualUs: number | null;
  /** Whole frame periods between the time bases (a start-order fault); 0 when they share one, null if unknown. */
  frameShift: number | null;
  /** How frames were paired: by host arrival time (decisive) or by nearest device time. */
  pairedBy: 'host-time' | 'device-time' | null;
  matchedFrames: number;
  /** Raw device-time divergence from the reference over the take: clock rate, not misalignment. */
  rawDivergenceUs: number | null;
  /** Linear trend of the offset, µs per minute: a sensor drifting away is not following the same pulses. */
  trendUsPerMinute: number | null;
  trendStdErrUsPerMinute: number | null;
  /** Median host arrival gap of paired frames: frames of one pulse arrive together, a few ms apart at most. */
  hostGapUs: number | null;
  /** Device-time pairing: whole frames between the recordings' last (and first) frames, expected offset removed. */
  endShift: number | null;
  startShift: number | null;
  /**
   * How far the offset may be off because the clock rates are known only so well (two standard errors of both rates,
   * times the device time they scale): large when the rates were not measured (too few frames).
   */
  uncertaintyUs: number | null;
  /** Null when the offset cannot be judged (unpaired, or an uncertainty beyond the tolerance). */
  aligned: boolean | null;
}

/** Per-frame series for charts, thinned to at most SERIES_POINTS points (min/max kept where thinned). */
export interface SensorSeries {
  frameIndex: number[];
  /** Device time from the previous delivered frame, µs: drops show as multiples of the period. */
  intervalUs: number[];
  /** Offset from the reference after clock-rate correction, minus the expected offset, µs; null where unpaired. */
  offsetResidualUs: (number | null)[];
}

export interface SensorAudit {
  serial: string;
  file: string;
  /** Size, modification time and a fingerprint of the file, for the deliverables' record. */
  fileInfo: { bytes: number; modified: string; fingerprint: string } | null;
  role: 'master' | 'subordinate' | 'standalone' | 'unknown';
  /** Set when the file could not be read; everything else is then empty. */
  error: { code: string; message: string } | null;
  fps: number | null;
  colorMode: string | null;
  depthMode: string | null;
  firmware: { color: string | null; depth: string | null };
  /** The kind of sensor: Azure Kinect DK or Orbbec Femto (K4A wrapper), from its serial number and firmware; null when unread. */
  deviceFamily: 'azure-kinect' | 'orbbec-femto' | 'unknown' | null;
  depthDelayUs: number;
  subordinateDelayUs: number;
  frames: number;
  firstDeviceTimestampUs: number | null;
  lastDeviceTimestampUs: number | null;
  drops: Drop[];
  /** The IMU stream's continuity; null when the file has no IMU track (the sensor's IMU was off). */
  imu: ImuAudit | null;
  /** Null (with its error) when the rate is not known: too few frames (clockRateSource says why). */
  clockRatePpm: number | null;
  clockRateStdErrPpm: number | null;
  clockRateSource: ClockRateSource | null;
  rateSegments: RateSegment[];
  jitterTicks: { rms: number; max: number } | null;
  locked: boolean | null;
  lockEvidence: LockEvidence;
  lockLostAtFrame: number | null;
  /** Frame rate measured against the host clock, relative to the reference sensor's, when host times exist. */
  hostRateVsReferencePpm: number | null;
  colorToDepth: { measuredUs: number; expectedUs: number } | null;
  /** Colour (or depth, when colour is off) against the reference. */
  offset: PairOffset | null;
  /** Depth against the reference's depth: configured depth delays show here. */
  depthOffset: PairOffset | null;
  window: { framesBefore: number; framesAfter: number } | null;
  series: SensorSeries | null;
  /** The generator's timecode of the sensor's first and last frame (from ltc.wav and host arrival times). */
  timecodeIn: string | null;
  timecodeOut: string | null;
  /** The sensor's device clock against the timecode clock, ppm. */
  driftVsTimecodePpm: number | null;
}

export interface Thresholds {
  /** Offset tolerance per frame rate (the SDK's own functional-test values). */
  offsetToleranceUs: { 30: number; 15: number; 5: number };
  /** Dropped frames above this share of a sensor's frames fail the take (any drop warns). */
  dropFailFraction: number;
  jitterWarnTicks: number;
  /** Above this a rate is not a crystal error any more. */
  implausibleRatePpm: number;
  /** Configured depth firing times closer than this interfere (125 µs laser pulse plus margin). */
  minDepthSpacingUs: number;
  colorDepthToleranceUs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  offsetToleranceUs: { 30: 110, 15: 220, 5: 660 },
  dropFailFraction: 0.05,
  jitterWarnTicks: 15,
  implausibleRatePpm: 300,
  minDepthSpacingUs: 160,
  colorDepthToleranceUs: 55,
};

export interface TakeAudit {
  schema: typeof AUDIT_SCHEMA;
  k4syncVersion: string;
  auditedAt: string;
  take: string;
  verdict: Status;
  fps: number | null;
  syncSource: 'master' | 'generator' | 'none' | 'mixed';
  reference: string | null;
  /** Device time span (reference clock) that every aligned sensor covers. */
  window: { startUs: number; endUs: number; frames: number } | null;
  sensors: SensorAudit[];
  /** The take on the generator's timecode line, when it has LTC. */
  timecode: { rate: string; source: string; in: string; out: string } | null;
  /** Audio files given with --audio, placed on the timecode line. */
  audio: AudioPlacement[];
  checks: Check[];
  thresholds: Thresholds;
}

export interface AudioPlacement {
  file: string;
  /** Where its start time came from: the BWF bext/iXML time reference, or LTC decoded from its audio. */
  source: 'bwf' | 'ltc' | null;
  startTimecode: string | null;
  /** Seconds since midnight of its first and last sample. */
  startSeconds: number | null;
  endSeconds: number | null;
  /** How much of the take's timecode span it covers. */
  covers: 'all' | 'part' | 'none' | null;
  /** Level of the LTC found on one of its channels, dBFS; null when it carries none. */
  ltcLevelDbfs: number | null;
  /** BWF and LTC disagreeing (the recorder was not jammed), LTC recorded too low: each one sentence. */
  warnings: string[];
  error: string | null;
}

export interface AuditReport {
  schema: typeof AUDIT_SCHEMA;
  verdict: Status;
  takes: TakeAudit[];
}
