import { ERROR_CODES } from '../errors.js';
import {
  emptyTakeError, loadTakeJson, refusal, takeState, type RecordingFacts, type TakeFiles, type TakeJsonRead, type TakeProblemKind, type TakeState,
} from '../take/index.js';
import type { SensorInput } from './input.js';
import type { Check, CheckStatus } from './types.js';

/** A take ready to audit: its sensors (every file that is an Azure Kinect recording), its state and its take.json. */
export interface JudgedTake {
  inputs: SensorInput[];
  state: TakeState;
  /** What the state means: the take-state checks, for auditTake's `stateChecks`. */
  checks: Check[];
  takeJson: TakeJsonRead;
}

function factsOf(input: SensorInput): RecordingFacts {
  return {
    file: input.file,
    kind: input.error === null ? 'k4a' : input.error.code === 'K4S_NOT_K4A' ? 'not-k4a' : 'unreadable',
    serial: input.error === null ? input.serial : null,
    recordedAtMs: input.recordedAt !== null ? Date.parse(input.recordedAt) : null,
    spanUs: input.spanUs,
  };
}

/**
 * What state the take is in, from its folder, take.json and the files as read. Throws (exit 2) for files that cannot
 * be judged as one take (K4S_MIXED_TAKE) or hold no Azure Kinect recording (K4S_NO_TAKE); drops from the sensors the
 * files that are not Azure Kinect recordings (the state lists them).
 */
export function judgeTake(take: TakeFiles, inputs: SensorInput[]): JudgedTake {
  const takeJson = loadTakeJson(take.manifestPath);
  const state = takeState(take, takeJson, inputs.map(factsOf));
  const refused = take.files.length === 0 ? emptyTakeError(take) : refusal(take, state);
  if (refused && !take.inDay) throw refused;
  if (refused) {
    // One take of a shoot day that cannot be judged fails on its own; the rest of the day is still audited.
    const check: Check = { id: 'take-state', status: 'FAIL', sensor: null, value: refused.code, threshold: null, message: refused.message, remedy: refused.remedy || null };
    return { inputs: [], state, checks: [check], takeJson };
  }
  return { inputs: inputs.filter((i) => state.sensors.includes(i.file)), state, checks: stateChecks(state, take.manifestPath !== null), takeJson };
}

/** What each state means for the verdict, and what the crew does about it. */
const MEANING: Record<TakeProblemKind, { status: CheckStatus; remedy: string }> = {
  recording: {
    status: 'FAIL',
    remedy: 'The recorder stopped without finishing the take: check the capture PC\'s log; the frames up to the stop are in the files; record again if needed.',
  },
  interrupted: {
    status: 'FAIL',
    remedy: 'Make the take again from its source (trim the source take again, or copy it again from the recording machine) into a new folder; a half-written file is never a usable recording.',
  },
  incomplete: {
    status: 'FAIL',
    remedy: 'Copy the missing recording from the capture PC or a verified copy of the take, then audit again.',
  },
  trimmed: {
    status: 'WARN',
    remedy: 'The sensor\'s recording is still in the source take: audit that take to see why it was left out, and use it from there if you need it.',
  },
  dates: {
    status: 'FAIL',
    remedy: 'Move the recordings of the other take into a folder of their own, then audit each take.',
  },
  // judgeTake refuses these; a caller that audits such files anyway must not get a PASS.
  'duplicate-serial': {
    status: 'FAIL',
    remedy: 'Keep one recording per sensor in the take folder.',
  },
  'not-k4a': {
    status: 'WARN',
    remedy: 'Move it out of the take folder.',
  },
  manifest: {
    status: 'WARN',
    remedy: ERROR_CODES.K4S_BAD_MANIFEST.remedy,
  },
};

/**
 * The take-state checks: one per problem, or one PASS saying what was found whole. `value` is the state the problem
 * puts the take in (or the problem's kind, for those that do not change it).
 */
export function stateChecks(state: TakeState, hasManifest: boolean): Check[] {
  if (state.problems.length === 0) {
    const message = hasManifest
      ? 'The take is complete: take.json says the recorder finished it, every sensor it lists is here, and no file was left half-written.'
      : 'No file was left half-written and the recordings belong together; the take has no take.json (not recorded by k4sync), so whether a sensor is missing cannot be told.';
    return [{ id: 'take-state', status: 'PASS', sensor: null, value: 'complete', threshold: null, message, remedy: null }];
  }
  return state.problems.map((p) => ({
    id: 'take-state', status: MEANING[p.kind].status, sensor: p.serial, value: p.state ?? p.kind, threshold: null,
    message: p.message, remedy: MEANING[p.kind].remedy,
  }));
}
