import type { DeviceFamily, ImuCadence, Recording, RecordingWarning } from '../recording/index.js';

/**
 * What the audit needs from one recording: typed arrays and a few facts, small enough to cross from a worker thread
 * with its buffers transferred rather than copied.
 */
export interface FileFacts {
  bytes: number;
  modified: string;
  /** sha256 over the size and the first and last 64 KiB: identifies a file without reading 30 GB. */
  fingerprint: string;
}

export interface SensorInput {
  file: string;
  facts: FileFacts | null;
  error: { code: string; message: string } | null;
  serial: string;
  role: 'master' | 'subordinate' | 'standalone' | 'unknown';
  fps: number | null;
  colorMode: string | null;
  depthMode: string | null;
  colorFirmware: string | null;
  depthFirmware: string | null;
  family: DeviceFamily | null;
  /** Configured values from the tags (K4A_DEPTH_DELAY_NS, K4A_SUBORDINATE_DELAY_NS), µs. */
  depthDelayUs: number;
  subordinateDelayUs: number;
  color: Float64Array | null;
  depth: Float64Array | null;
  ir: Float64Array | null;
  hostDeviceUs: Float64Array | null;
  hostUs: Float64Array | null;
  /** IMU continuity (sample count, rate, gaps) from block headers; null when the file has no IMU track. */
  imu: ImuCadence | null;
  finalized: boolean;
  /** Frames written after the file's last flush (no index covers them; they were read all the same). */
  framesPastIndex: number | null;
  truncatedAt: number | null;
  startOffsetSource: 'tag' | 'imu' | 'none';
  warnings: RecordingWarning[];
  /**
   * When the file's writer was created (Matroska DateUTC, ISO 8601), and how long it recorded (µs): what tells
   * whether files can belong to one take (src/take/state.ts). Null when the file does not say.
   */
  recordedAt: string | null;
  spanUs: number | null;
}

const ROLES = { MASTER: 'master', SUBORDINATE: 'subordinate', STANDALONE: 'standalone' } as const;

export function sensorInput(file: string, rec: Recording, facts: FileFacts | null = null): SensorInput {
  const c = rec.configuration;
  return {
    file,
    facts,
    error: null,
    serial: rec.device.serial ?? file.replace(/^.*[\\/]/, '').replace(/\.mkv$/i, ''),
    role: ROLES[c.wiredSyncMode],
    fps: c.cameraFps,
    colorMode: c.colorTrackEnabled ? `${c.colorFormat ?? '?'}_${c.colorResolution ?? '?'}` : null,
    depthMode: c.depthMode,
    colorFirmware: rec.device.colorFirmware,
    depthFirmware: rec.device.depthFirmware,
    family: rec.device.family,
    depthDelayUs: c.depthDelayOffColorUs,
    subordinateDelayUs: c.subordinateDelayOffMasterUs,
    color: rec.color,
    depth: rec.depth,
    ir: rec.ir,
    hostDeviceUs: rec.hostTimes?.deviceUs ?? null,
    hostUs: rec.hostTimes?.hostUs ?? null,
    imu: rec.imuCadence,
    finalized: rec.finalized,
    framesPastIndex: rec.ending.state === 'after-flush' ? rec.pastIndex?.frames ?? null : null,
    truncatedAt: rec.truncatedAt,
    startOffsetSource: rec.startOffset.source,
    warnings: rec.warnings,
    recordedAt: rec.info.dateUtc && !Number.isNaN(rec.info.dateUtc.getTime()) ? rec.info.dateUtc.toISOString() : null,
    // Duration is written when a file is finalized; the last timestamp tells as much for one that was not.
    spanUs: rec.info.durationUs ?? rec.recordingLengthUs,
  };
}

export function failedInput(file: string, code: string, message: string, facts: FileFacts | null = null): SensorInput {
  return {
    file, facts, error: { code, message }, serial: file.replace(/^.*[\\/]/, '').replace(/\.mkv$/i, ''), role: 'unknown',
    fps: null, colorMode: null, depthMode: null, colorFirmware: null, depthFirmware: null, family: null, depthDelayUs: 0,
    subordinateDelayUs: 0, color: null, depth: null, ir: null, hostDeviceUs: null, hostUs: null, imu: null, finalized: false, framesPastIndex: null,
    truncatedAt: null, startOffsetSource: 'none', warnings: [], recordedAt: null, spanUs: null,
  };
}

/** The buffers a worker hands back without copying. */
export function transferables(input: SensorInput): ArrayBuffer[] {
  const arrays = [input.color, input.depth, input.ir, input.hostDeviceUs, input.hostUs];
  return arrays.filter((a): a is Float64Array => a !== null).map((a) => a.buffer as ArrayBuffer);
}
