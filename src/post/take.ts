import {
  assessTake, DEFAULT_THRESHOLDS, failedInput, sensorInput,
  type SensorAudit, type SensorInput, type TakeAudit, type TakeTimeline, type Thresholds,
} from '../audit/index.js';
import { isRecordingError, readRecording, type Recording } from '../recording/index.js';
import { resolveTakes } from '../take/index.js';
import { K4sError } from '../errors.js';
import { PostError } from './errors.js';

/** One sensor of a take: its recording as our reader sees it and what the audit made of it. */
export interface TakeSensor {
  serial: string;
  file: string;
  /**
   * Null when the file could not be read; `input.error` says why. `imu` is always null here: IMU sample times are
   * not kept (the IMU track is still listed in `tracks`, and trim copies its samples).
   */
  recording: Recording | null;
  input: SensorInput;
  audit: SensorAudit;
}

/** A take folder, read and audited once, for trim, index and preview to share. */
export interface LoadedTake {
  /** The folder the take's MKVs are in. */
  dir: string;
  name: string;
  sensors: TakeSensor[];
  audit: TakeAudit;
  /** Every frame on the reference clock, as the audit placed it; null when the take has no common window. */
  timeline: TakeTimeline | null;
  /** take.json as found (parsed JSON, not validated: trim carries it over as it is); null for takes from other tools. */
  manifest: Record<string, unknown> | null;
  /** Set when take.json exists but is not a JSON object: trim then writes a fresh one and says so. */
  manifestProblem: string | null;
}

export interface LoadTakeOptions {
  thresholds?: Thresholds;
  /** Serial of the sensor whose clock defines rig frames (default: the audit's reference). */
  reference?: string;
}

/**
 * Reads every MKV of one take (headers and timestamps only, in this thread: trim, index and preview need the
 * recordings themselves, not only the audit's numbers) and judges it through the audit's own path (assessTake), so
 * post-processing and `k4sync audit` cannot disagree about a take.
 */
export async function loadTake(path: string, opts: LoadTakeOptions = {}): Promise<LoadedTake> {
  const takes = resolveTakes([path]);
  if (takes.length !== 1) {
    throw new PostError('K4S_NO_TAKE', `${path} holds ${takes.length} takes (${takes.map((t) => t.name).join(', ')}); give one take folder.`);
  }
  const take = takes[0]!;
  const recordings = new Map<string, Recording>();
  const inputs = take.files.map((file) => {
    try {
      // IMU sample times are most of a long take's timestamps and nothing here needs them: they are not kept.
      const rec: Recording = { ...readRecording(file, { imuSamples: false }), imu: null };
      recordings.set(file, rec);
      return sensorInput(file, rec);
    } catch (e) {
      if (isRecordingError(e)) return failedInput(file, e.code, e.message);
      throw e;
    }
  });
  const { audit, timeline, judged } = await assessTake(take, inputs, { thresholds: opts.thresholds ?? DEFAULT_THRESHOLDS, reference: opts.reference });
  // Rig frames are counted on the reference's clock: another sensor than the one asked for would number them silently.
  if (opts.reference && audit.reference !== opts.reference) {
    const readable = audit.sensors.filter((s) => s.error === null).map((s) => s.serial);
    throw new K4sError('K4S_BAD_FLAG', `--reference ${opts.reference} is not a readable sensor of ${take.name}.`, `Give one of its sensors: ${readable.join(', ') || 'none is readable'}.`);
  }
  const sensors = judged.inputs.map((input, i): TakeSensor => ({
    serial: input.serial,
    file: input.file,
    recording: recordings.get(input.file) ?? null,
    input,
    audit: audit.sensors[i]!,
  }));
  // trim carries take.json over as found, valid or not; only one that is not a JSON object is replaced.
  const { raw, problem } = judged.takeJson;
  return { dir: take.dir, name: take.name, sensors, audit, timeline, manifest: raw, manifestProblem: raw === null ? problem : null };
}
