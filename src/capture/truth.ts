/**
 * truth.json: what every sensor of a simulated take really did, so that the reader and the audit can be checked
 * against known values. Written by `k4sync simulate` beside the MKVs.
 */
export const TRUTH_SCHEMA = 'k4sync.truth/1';

export interface TruthDrop {
  /** Index in the sensor's delivered-frame sequence (0 = first frame after the firmware's start-up drops). */
  frameIndex: number;
  /** Device time the first missing frame would have had. */
  deviceTimestampUs: number;
  count: number;
  cause: 'scheduled' | 'usb' | 'disk';
}

export interface TruthRateSegment {
  fromFrame: number;
  /** Inclusive; null when the segment runs to the end of the take. */
  toFrame: number | null;
  locked: boolean;
  /** Device-clock period against the nominal one, in ppm: what a fit of the timestamps must find. */
  ratePpm: number;
}

export interface TruthSensor {
  serial: string;
  file: string;
  role: 'master' | 'subordinate' | 'standalone';
  started: boolean;
  /** Why the sensor refused to start (wired wrong, say), as the SDK would say it. */
  startError: string | null;
  syncIn: string | null;
  crystalPpm: number;
  /** What its frames followed: the generator, a master's pulses, or its own crystal. */
  source: 'generator' | 'master' | 'own_clock';
  sourceSerial: string | null;
  /** Followed the sync source for the whole take. */
  locked: boolean;
  lockLostAtFrame: number | null;
  rateSegments: TruthRateSegment[];
  /** Host time (µs, reference axis) at which its cameras started. */
  startTimeUs: number;
  /** The sync pulse that zeroed its clock (locked sensors). */
  zeroPulse: number;
  startupDrops: number;
  depthDelayUs: number;
  subordinateDelayUs: number;
  /** Configured delays as the device applies them: whole 90 kHz ticks. */
  depthDelayEffectiveUs: number;
  subordinateDelayEffectiveUs: number;
  unplugged: boolean;
  frames: {
    index: number[];
    /** Sync pulse each frame followed; -1 when free-running. */
    pulse: number[];
    colorUs: number[];
    depthUs: number[];
    hostArrivalNs: number[];
    /** Reference time of each frame's colour exposure, µs. */
    trueTimeUs: number[];
    /** The generator's timecode of each frame, when the rig records LTC. */
    timecode?: string[];
  };
  drops: TruthDrop[];
  /**
   * The IMU stream the sensor delivered (null with the IMU off): every sample time follows from it (imuTimesUs).
   * Absent from the truth.json of takes simulated before it was recorded (samples/).
   */
  imu?: TruthImu | null;
}

export interface TruthImu {
  firstUs: number;
  rateHz: number;
  samples: number;
}

/** Every IMU sample time of a simulated sensor: sample k at firstUs + floor(k · 1e6 / rateHz), in device µs. */
export function imuTimesUs(imu: TruthImu): number[] {
  return Array.from({ length: imu.samples }, (_, k) => imu.firstUs + Math.floor((k * 1e6) / imu.rateHz));
}

export interface Truth {
  schema: typeof TRUTH_SCHEMA;
  rig: string;
  fps: number;
  nominalPeriodUs: number;
  sync: { source: 'master' | 'generator' | 'none'; rateHz: number | null; switchedOnAtUs: number | null };
  startOrder: string[];
  jitterTicks: number;
  seed: number;
  payload: 'tiny' | 'realistic';
  hostPpm: number;
  /** The generator's LTC: its rate and the timecode of pulse 0. */
  timecode: { rate: string; firstPulse: string } | null;
  sensors: TruthSensor[];
}

/** The device quantizes a delay to 90 kHz ticks, truncating toward zero. */
export function quantizedDelayUs(us: number): number {
  return (Math.trunc((us * 9) / 100) * 100) / 9;
}

/** Consecutive missing frames become one drop, as the audit reports them. */
export function groupDrops(drops: { index: number; colorUs: number; cause: string }[]): TruthDrop[] {
  const out: TruthDrop[] = [];
  for (const d of drops) {
    const last = out[out.length - 1];
    if (last && last.frameIndex + last.count === d.index && last.cause === d.cause) last.count++;
    else out.push({ frameIndex: d.index, deviceTimestampUs: d.colorUs, count: 1, cause: d.cause as TruthDrop['cause'] });
  }
  return out;
}
