export { readRecording, readRecordingFrom, walkBlocks, type ReadOptions } from './recording.js';
export type { BlockRef } from './clusters.js';
export { RecordingError, isRecordingError, type RecordingErrorCode } from './errors.js';
export { FileSource, MemorySource, type ByteSource } from './source.js';
export type * from './types.js';
export { summarize, type RecordingSummary, type TrackSummary } from './summary.js';
export { timestampsCsv, TIMESTAMP_TRACKS, TIMESTAMPS_CSV_HEADER, type TimestampTrack } from './timestamps-csv.js';
export { describeRecording } from './describe.js';
export { deviceFamily, EPOCH_CLOCK_MIN_US, epochDate, familyName, OFFICIAL_READER_START_OFFSET_LIMIT_US, type DeviceFamily } from './device-family.js';
export { IMU_NOMINAL_PERIOD_US } from './imu-cadence.js';
// The EBML primitives, for src/post's rewriter (it copies what this reader parses).
export { readVint, readUint, readHeader, type ElementHeader } from './ebml.js';
export { ID, SEGMENT_LEVEL_IDS } from './ids.js';
export { listChildren, type Child } from './walk.js';
export { parseLace, type Lace } from './lacing.js';
export * from './modes.js';
