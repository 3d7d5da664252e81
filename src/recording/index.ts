export { readRecording, readRecordingFrom } from './recording.js';
export { RecordingError, isRecordingError, type RecordingErrorCode } from './errors.js';
export { FileSource, MemorySource, type ByteSource } from './source.js';
export type * from './types.js';
export { summarize, type RecordingSummary, type TrackSummary } from './summary.js';
export { timestampsCsv, TIMESTAMP_TRACKS, TIMESTAMPS_CSV_HEADER, type TimestampTrack } from './timestamps-csv.js';
export { describeRecording } from './describe.js';
