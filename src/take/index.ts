/**
 * The take folder as a format: what a path names (a take, a shoot day, loose MKVs), take.json, ltc.wav, and the state
 * a take is in. Audit, capture and post depend on this module; it depends on nothing of theirs.
 */
export { isPartialName, isRecordingName, isTakeFolder, isTakeMember, LTC_AUDIO, PARTIAL_SUFFIX, RIG, TAKE_MANIFEST, TRUTH } from './folder.js';
export {
  excludedByTrim, loadTakeJson, readManifest, RecoverNoteSchema, SourceClockSchema, STILL_RECORDING, TAKE_SCHEMA, TakeManifestSchema, TrimNoteSchema,
  type RecoverNote, type SourceClock, type TakeJson, type TakeJsonRead, type TakeManifest, type TrimNote,
} from './manifest.js';
export { ltcPath } from './ltc.js';
export { emptyTakeError, resolveTakes, type TakeFiles } from './resolve.js';
export {
  refusal, START_UP_SLACK_MS, takeState,
  type RecordingFacts, type TakeProblem, type TakeProblemKind, type TakeState, type TakeStateName,
} from './state.js';
