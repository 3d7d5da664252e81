/** What `src/recording` tells the rest of k4sync about one Azure Kinect recording. */
import type { DeviceFamily } from './device-family.js';

export type BuiltinTrack = 'COLOR' | 'DEPTH' | 'IR' | 'IMU';

export type ColorFormat = 'MJPG' | 'NV12' | 'YUY2' | 'BGRA32';
export type ColorResolution = '720P' | '1080P' | '1440P' | '1536P' | '2160P' | '3072P';
export type DepthMode = 'NFOV_2X2BINNED' | 'NFOV_UNBINNED' | 'WFOV_2X2BINNED' | 'WFOV_UNBINNED' | 'PASSIVE_IR';
export type WiredSyncMode = 'STANDALONE' | 'MASTER' | 'SUBORDINATE';
export type CameraFps = 5 | 15 | 30;

export interface SegmentInfo {
  /** Nanoseconds per Matroska timestamp tick; 1000 in every k4arecord file. */
  timecodeScaleNs: number;
  muxingApp: string | null;
  writingApp: string | null;
  title: string | null;
  /** When the writer was created (k4arecord: before the first frame, not at it). */
  dateUtc: Date | null;
  /** Matroska Duration converted to µs; written only when a file is finalized. */
  durationUs: number | null;
}

export interface TrackInfo {
  number: number;
  uid: bigint | null;
  name: string;
  /** Matroska TrackType: 1 video, 2 audio, 0x11 subtitle. */
  type: number;
  codecId: string;
  /** FOURCC from the BITMAPINFOHEADER of V_MS/VFW/FOURCC tracks. */
  fourcc: string | null;
  width: number | null;
  height: number | null;
  bitCount: number | null;
  defaultDurationNs: number | null;
  /** Which built-in stream this is, found by K4A_*_TRACK tag first, then by name. */
  builtin: BuiltinTrack | null;
}

export type TagTarget =
  | { kind: 'global' }
  | { kind: 'track'; uid: bigint }
  | { kind: 'attachment'; uid: bigint }
  | { kind: 'other'; type: string | null };

export interface Tag {
  name: string;
  value: string;
  target: TagTarget;
}

export interface AttachmentInfo {
  fileName: string;
  mimeType: string | null;
  uid: bigint | null;
  size: number;
  /** Byte offset of the attachment data in the file. */
  offset: number;
}

/** The same facts as the SDK's k4a_record_configuration_t, with names instead of enum numbers. */
export interface RecordConfiguration {
  colorFormat: ColorFormat | null;
  colorResolution: ColorResolution | null;
  depthMode: DepthMode | null;
  cameraFps: CameraFps | null;
  colorTrackEnabled: boolean;
  depthTrackEnabled: boolean;
  irTrackEnabled: boolean;
  imuTrackEnabled: boolean;
  depthDelayOffColorUs: number;
  wiredSyncMode: WiredSyncMode;
  subordinateDelayOffMasterUs: number;
  /** 64-bit exact (the SDK keeps 32 bits and wraps past 71.6 minutes). */
  startTimestampOffsetUs: number;
}

/** The K4A_* tags with their values typed; null where the writer left a tag out. */
export interface K4aTags {
  colorMode: string | null;
  depthMode: string | null;
  irMode: 'ACTIVE' | 'PASSIVE' | null;
  imuMode: 'ON' | 'OFF' | null;
  depthDelayNs: bigint | null;
  wiredSyncMode: WiredSyncMode | null;
  subordinateDelayNs: bigint | null;
  colorFirmwareVersion: string | null;
  depthFirmwareVersion: string | null;
  deviceSerialNumber: string | null;
  calibrationFile: string | null;
  /** 64-bit: device uptime past 2^32 µs is real and must not wrap. */
  startOffsetNs: bigint | null;
  /** K4A_COLOR_TRACK etc.: the UID each built-in track tag names. */
  trackUids: Partial<Record<BuiltinTrack, bigint>>;
  /** K4A_CUSTOM_TRACK_<NAME> → track UID. */
  customTrackUids: Record<string, bigint>;
}

export interface DeviceInfo {
  serial: string | null;
  colorFirmware: string | null;
  depthFirmware: string | null;
  /** Azure Kinect DK or Orbbec Femto, from the serial number's and firmware versions' formats. */
  family: DeviceFamily;
}

export type StartOffsetSource =
  /** From the K4A_START_OFFSET_NS tag of a finalized file. */
  | 'tag'
  /** Recovered from the first IMU sample: the file was not finalized. */
  | 'imu'
  /** Neither: device timestamps are relative to the first block of the file. */
  | 'none';

export interface StartOffset {
  ns: bigint;
  source: StartOffsetSource;
}

export interface RecordingWarning {
  code: string;
  message: string;
  offset?: number;
}

export interface ImuSamples {
  /** Accelerometer timestamps, device µs. */
  accTimestampsUs: Float64Array;
  gyroTimestampsUs: Float64Array;
}

/** Samples missing between two IMU samples, found from block headers (see ImuCadence). */
export interface ImuGap {
  /** Device time of the last sample before the gap, µs. For samples lost inside one laced run, the run's first sample. */
  lastUs: number;
  /** Device time of the first sample after the gap, µs (inside a run: its last sample). */
  nextUs: number;
  missing: number;
}

/**
 * The IMU stream's continuity, read from block headers only (times, lace counts, BlockDuration), so it is there even
 * when the samples themselves are not read: a 10-minute take holds a million samples, this holds their gaps.
 */
export interface ImuCadence {
  samples: number;
  /** Device time of the first and last sample, µs. */
  firstUs: number | null;
  lastUs: number | null;
  /** Mean step between continuous samples, µs (about 600 at the IMU's 1666 Hz); null with fewer than two samples. */
  periodUs: number | null;
  gaps: ImuGap[];
}

/**
 * Where the data the last flush indexed ends. A recorder killed mid-take leaves complete clusters after it: its Segment
 * size and Cues describe the file as it was at that flush.
 */
export interface PastIndex {
  /** File offset of the first cluster the last index does not cover. */
  fromByte: number;
  /** Frames in those clusters: of the fullest of COLOR, DEPTH and IR, so one per capture when all three are on. */
  frames: number;
  imuSamples: number;
}

/**
 * What the writer left at the end of the file, which tells a file it closed from one it was stopped in. A closed
 * k4arecord file has a Segment size spanning its data, Cues after its last cluster and K4A_START_OFFSET_NS.
 */
export interface FileEnding {
  /**
   * 'closed': all three are there and nothing lies past the index. 'after-flush': at least one flush reached the disk
   * (a size or the start offset tag) but the writer did not close the file. 'never-flushed': no flush reached the disk.
   */
  state: 'closed' | 'after-flush' | 'never-flushed';
  /**
   * 'spans-data': the Segment ends where the data does (or past the end of a file cut short). 'stale': a flush's size,
   * with clusters written after it. 'zero' (k4arecord before its first flush) or 'unknown'.
   */
  segmentSize: 'spans-data' | 'stale' | 'zero' | 'unknown';
  /** Cues follow the last cluster (or are not due: track 1 holds no block, or the file is cut short before them). */
  cues: boolean;
  startOffsetTag: boolean;
}

export interface CustomTrackSummary {
  track: TrackInfo;
  blocks: number;
  firstUs: number | null;
  lastUs: number | null;
}

export interface Calibration {
  fileName: string;
  /** Parsed calibration JSON, or null when it does not parse. */
  json: unknown;
  bytes: number;
}

export interface Recording {
  path: string;
  fileSize: number;
  info: SegmentInfo;
  tracks: TrackInfo[];
  tags: Tag[];
  attachments: AttachmentInfo[];
  calibration: Calibration | null;
  configuration: RecordConfiguration;
  k4aTags: K4aTags;
  device: DeviceInfo;
  startOffset: StartOffset;
  /** Device timestamps in µs, one per block in file order; null when the track is absent. */
  color: Float64Array | null;
  depth: Float64Array | null;
  ir: Float64Array | null;
  imu: ImuSamples | null;
  /** IMU continuity from block headers, read in every mode (imuSamples: false included); null without an IMU track. */
  imuCadence: ImuCadence | null;
  customTracks: CustomTrackSummary[];
  /**
   * Host arrival time of each capture, from the track k4sync's recorder adds (K4SYNC_HOST_TIME): device time of the
   * capture and host monotonic clock, both µs. Null for files from other recorders.
   */
  hostTimes: { deviceUs: Float64Array; hostUs: Float64Array } | null;
  /** Last timestamp relative to the start offset, as k4a_playback_get_recording_length_usec. */
  recordingLengthUs: number;
  /**
   * The writer closed it: Segment size spanning the data, Cues after the last cluster, the start offset tag, nothing
   * past the index (ending.state 'closed'). A file stopped after a flush is read to its end but never called finalized.
   */
  finalized: boolean;
  ending: FileEnding;
  /** Frames the last index does not cover (written after the last flush); null when the index covers every cluster. */
  pastIndex: PastIndex | null;
  /** Where good data ends when the file is cut short; null for a whole file. */
  truncatedAt: number | null;
  /** Where the top-level elements are, as this reader found them: what trim and recover copy and rewrite. */
  layout: RecordingLayout;
  /** True for pre-1.0 SDK files (YUY2 depth, DEPTH_IR, lower-case modes). */
  legacy: boolean;
  warnings: RecordingWarning[];
  /** Bytes read from the file to produce this; a fraction of the file size when payloads are skipped. */
  bytesRead: number;
}

/** A top-level element of known size. */
export interface LayoutElement {
  id: number;
  start: number;
  dataStart: number;
  size: number;
  end: number;
}

export interface RecordingLayout {
  /** End of the EBML header: bytes [0, ebmlEnd) are the EBML header (and anything before the Segment). */
  ebmlEnd: number;
  /** The Segment's header; `size` null for unknown, 0 when never written. */
  segment: { start: number; dataStart: number; size: number | null };
  /** Offset of the first cluster the reader read; null when there is none. */
  firstCluster: number | null;
  /** Top-level elements other than clusters, SeekHead, Cues, Void and CRC-32, in file order. */
  headerElements: LayoutElement[];
}
