import { tagValue } from './configuration.js';
import type {
  BuiltinTrack, DeviceInfo, FileEnding, ImuCadence, PastIndex, Recording, RecordConfiguration, RecordingWarning, StartOffsetSource,
} from './types.js';

export interface TrackSummary {
  number: number;
  name: string;
  builtin: BuiltinTrack | null;
  codecId: string;
  fourcc: string | null;
  width: number | null;
  height: number | null;
  /** Blocks for video tracks, samples for the IMU. */
  frames: number;
  firstDeviceTimestampUs: number | null;
  lastDeviceTimestampUs: number | null;
}

/** `k4sync info --json` for one file: plain JSON, bigints as decimal strings. */
export interface RecordingSummary {
  file: string;
  fileSize: number;
  writingApp: string | null;
  muxingApp: string | null;
  dateUtc: string | null;
  finalized: boolean;
  /** How the file ends: closed by its writer, stopped after a flush, or never flushed, and what says so. */
  ending: FileEnding;
  /** Frames written after the last flush, which no index covers; null when the index covers every cluster. */
  pastIndex: PastIndex | null;
  truncatedAt: number | null;
  legacy: boolean;
  configuration: RecordConfiguration;
  device: DeviceInfo;
  startOffset: { ns: string; us: number; source: StartOffsetSource };
  /** Device time from the first to the last frame or sample of any track. */
  durationUs: number | null;
  recordingLengthUs: number;
  /** Every tag by name, first occurrence, as k4a_playback_get_tag returns it. */
  tags: Record<string, string>;
  tracks: TrackSummary[];
  calibration: { fileName: string; bytes: number; parsed: boolean } | null;
  /** IMU continuity; null without an IMU track. */
  imu: ImuCadence | null;
  warnings: RecordingWarning[];
}

function ends(times: Float64Array | null | undefined): [number | null, number | null] {
  return times && times.length ? [times[0]!, times[times.length - 1]!] : [null, null];
}

export function summarize(rec: Recording): RecordingSummary {
  const tracks = rec.tracks.map((t): TrackSummary => {
    const custom = rec.customTracks.find((c) => c.track.number === t.number);
    const times =
      t.builtin === 'COLOR' ? rec.color : t.builtin === 'DEPTH' ? rec.depth : t.builtin === 'IR' ? rec.ir :
      t.builtin === 'IMU' ? rec.imu?.accTimestampsUs : null;
    const [first, last] = custom ? [custom.firstUs, custom.lastUs] : ends(times);
    return {
      number: t.number, name: t.name, builtin: t.builtin, codecId: t.codecId, fourcc: t.fourcc,
      width: t.width, height: t.height, frames: custom ? custom.blocks : times?.length ?? 0,
      firstDeviceTimestampUs: first, lastDeviceTimestampUs: last,
    };
  });
  const firsts = tracks.map((t) => t.firstDeviceTimestampUs).filter((v): v is number => v !== null);
  const lasts = tracks.map((t) => t.lastDeviceTimestampUs).filter((v): v is number => v !== null);
  const tags: Record<string, string> = {};
  for (const t of rec.tags) tags[t.name] ??= tagValue(rec.tags, t.name)!;
  return {
    file: rec.path,
    fileSize: rec.fileSize,
    writingApp: rec.info.writingApp,
    muxingApp: rec.info.muxingApp,
    dateUtc: rec.info.dateUtc && !Number.isNaN(rec.info.dateUtc.getTime()) ? rec.info.dateUtc.toISOString() : null,
    finalized: rec.finalized,
    ending: rec.ending,
    pastIndex: rec.pastIndex,
    truncatedAt: rec.truncatedAt,
    legacy: rec.legacy,
    configuration: rec.configuration,
    device: rec.device,
    startOffset: { ns: rec.startOffset.ns.toString(), us: rec.configuration.startTimestampOffsetUs, source: rec.startOffset.source },
    durationUs: firsts.length ? Math.max(...lasts) - Math.min(...firsts) : null,
    recordingLengthUs: rec.recordingLengthUs,
    tags,
    tracks,
    calibration: rec.calibration && { fileName: rec.calibration.fileName, bytes: rec.calibration.bytes, parsed: rec.calibration.json !== null },
    imu: rec.imuCadence,
    warnings: rec.warnings,
  };
}
