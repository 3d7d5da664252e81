export { PostError, isPostError, type PostErrorCode } from './errors.js';
export { loadTake, type LoadedTake, type LoadTakeOptions, type TakeSensor } from './take.js';
export {
  buildFrameIndex, cellOf, frameIndexCsv, frameIndexJson, hasTimecode, missingRows, rigFrameUs, rowTimecode, FRAME_INDEX_SCHEMA,
  type ExcludedSensor, type FrameCell, type FrameIndex, type SensorColumns,
} from './frame-index.js';
export { parseWindow, selectRows, windowText, compareTimecode, type RowRange, type WindowSpec } from './window.js';
export { trimTake, planFor, TRIM_SCHEMA, type TrimOptions, type TrimRecord, type TrimResult, type TrimmedSensor } from './trim.js';
export { trimFile, type KeepSpan, type RewriteOptions, type TrimFileResult, type TrimPlan } from './mkv-trim.js';
export { recoverTake, RECOVER_SCHEMA, type RecoveredFile, type RecoverOptions, type RecoverRecord, type RecoverResult } from './recover.js';
export { inspectFile, type FileCondition } from './crashed-file.js';
export { locateBlocks, type BlockPosition } from './blocks.js';
export { renderPreview, type PreviewOptions, type PreviewResult } from './preview.js';
