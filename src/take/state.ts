import { basename } from 'node:path';
import { ERROR_CODES, K4sError } from '../errors.js';
import { excludedByTrim, STILL_RECORDING, type TakeJson } from './manifest.js';
import type { TakeFiles } from './resolve.js';

/**
 * What state a take is in, from facts about its folder and its files: a pure function, so that every combination can
 * be tested without making files. What a state means for a verdict is the audit's to say; this module only says
 * which states apply, in sentences naming the files.
 */
export type TakeStateName = 'complete' | 'recording' | 'interrupted' | 'trimmed' | 'incomplete' | 'mixed';

export type TakeProblemKind =
  /** take.json's stopReason is still "recording": the recorder crashed or was killed, or is still running. */
  | 'recording'
  /** Files a writer left half-way. */
  | 'interrupted'
  /** A trim left a sensor out. */
  | 'trimmed'
  /** take.json lists a sensor whose recording is not there. */
  | 'incomplete'
  /** Two recordings of one sensor. */
  | 'duplicate-serial'
  /** Recordings made at times that do not overlap. */
  | 'dates'
  /** A Matroska file that is not an Azure Kinect recording: not a sensor, not part of the take's state. */
  | 'not-k4a'
  /** take.json is there but cannot be read: the state it would tell is unknown. */
  | 'manifest';

export interface TakeProblem {
  kind: TakeProblemKind;
  /** The state this puts the take in; null for what does not change it (a stray video, an unreadable take.json). */
  state: Exclude<TakeStateName, 'complete'> | null;
  /** The sensor concerned, when one is. */
  serial: string | null;
  /** The files concerned (paths), e.g. the recordings that do not fit the others. */
  files: string[];
  message: string;
  /** The files cannot be handled as one take: k4sync refuses them rather than give a verdict. */
  refuse: boolean;
}

/** What the take's reader found in one recording. */
export interface RecordingFacts {
  file: string;
  /** 'not-k4a': a Matroska file without Azure Kinect tracks; 'unreadable': anything else that could not be read. */
  kind: 'k4a' | 'not-k4a' | 'unreadable';
  serial: string | null;
  /** When the file's writer was created (Matroska DateUTC), ms since 1970; null when the file does not say. */
  recordedAtMs: number | null;
  /** How long it recorded, µs; null when unknown. */
  spanUs: number | null;
}

export interface TakeState {
  /** ['complete'], or every state that applies; empty when take.json cannot be read and nothing else is wrong. */
  states: TakeStateName[];
  problems: TakeProblem[];
  /** The files to audit as sensors: every recording but those that are not Azure Kinect recordings. */
  sensors: string[];
}

/**
 * Recordings of one take overlap in time. A file's DateUTC is when its writer was created, before the sensor waited
 * for its first pulse, so the span from it is allowed this much slack for start-up. Host and device clocks are not
 * used: multi-PC rigs and a wrong start order legitimately differ there.
 */
export const START_UP_SLACK_MS = 30_000;

/** The files of a take all lie in its folder: their names say which. */
const short = (files: string[]): string[] => files.map((f) => basename(f));

const names = (items: string[]): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;

const sentence = (s: string): string => s.trim().replace(/([^.!?])$/, '$1.');

const utc = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;

interface Dated {
  file: string;
  from: number;
  to: number;
}

/**
 * Groups recordings that can have been made together. Widened by half the slack on each side, two recordings can be
 * one take exactly when their intervals overlap, and intervals that overlap pairwise share a point: each group is the
 * most recordings one moment lies in (the earliest such moment on a tie), taken out until none are left.
 */
function timeGroups(dated: Dated[]): Dated[][] {
  const half = START_UP_SLACK_MS / 2;
  let rest = [...dated].sort((a, b) => a.from - b.from);
  const groups: Dated[][] = [];
  while (rest.length > 0) {
    let best: Dated[] = [];
    for (const p of rest) {
      const at = p.from - half;
      const covering = rest.filter((q) => q.from - half <= at && at <= q.to + half);
      if (covering.length > best.length) best = covering;
    }
    groups.push(best);
    rest = rest.filter((d) => !best.includes(d));
  }
  return groups;
}

function datesProblem(take: TakeFiles, files: RecordingFacts[]): TakeProblem | null {
  const dated = files
    .filter((f) => f.kind === 'k4a' && f.recordedAtMs !== null)
    .map((f) => ({ file: f.file, from: f.recordedAtMs!, to: f.recordedAtMs! + (f.spanUs ?? 0) / 1000 }));
  const groups = timeGroups(dated);
  if (groups.length < 2) return null;
  const when = (g: Dated[]) => {
    const from = Math.min(...g.map((d) => d.from));
    const seconds = (Math.max(...g.map((d) => d.to)) - from) / 1000;
    return `${names(short(g.map((d) => d.file)))} ${g === groups[0] ? `${g.length > 1 ? 'were' : 'was'} recorded ` : ''}at ${utc(from)} for ${seconds.toFixed(1)} s`;
  };
  const strays = groups.slice(1).flat().map((d) => d.file);
  const verb = strays.length > 1 ? 'do' : 'does';
  return {
    kind: 'dates', state: 'mixed', serial: null, files: strays, refuse: take.loose,
    message: `The recordings cannot all belong to one take (writer dates): ${groups.map(when).join('; ')}. ${names(short(strays))} ${verb} not overlap ${groups[0]!.length > 1 ? 'the others' : names(short(groups[0]!.map((d) => d.file)))} in time, even allowing ${START_UP_SLACK_MS / 1000} s for start-up.`,
  };
}

function duplicateProblems(files: RecordingFacts[]): TakeProblem[] {
  const bySerial = new Map<string, string[]>();
  for (const f of files) if (f.kind === 'k4a' && f.serial !== null) bySerial.set(f.serial, [...(bySerial.get(f.serial) ?? []), f.file]);
  return [...bySerial].filter(([, fs]) => fs.length > 1).map(([serial, fs]) => ({
    kind: 'duplicate-serial', state: 'mixed', serial, files: fs, refuse: true,
    message: `${names(short(fs))} are ${fs.length === 2 ? 'both' : 'all'} recordings of sensor ${serial}: a take holds one recording per sensor.`,
  }));
}

function manifestProblems(take: TakeFiles, json: TakeJson | null, files: RecordingFacts[]): TakeProblem[] {
  const out: TakeProblem[] = [];
  const manifest = json?.manifest ?? null;
  const present = (serial: string, file: string) => take.folderRecordings.includes(file) || files.some((f) => f.kind === 'k4a' && f.serial === serial);
  if (manifest?.stopReason === STILL_RECORDING) {
    out.push({
      kind: 'recording', state: 'recording', serial: null, files: take.manifestPath ? [take.manifestPath] : [], refuse: false,
      message: json?.recover
        ? `take.json still says "recording": the recorder stopped without finishing the take (it crashed or was killed). Its files were recovered by k4sync recover from ${json.recover.source.dir}.`
        : 'take.json still says "recording": the recorder stopped without finishing the take (it crashed or was killed), or it is still running.',
    });
  }
  const excluded = excludedByTrim(json?.trim ?? null).filter((e) => !present(e.serial, e.file));
  for (const e of excluded) {
    out.push({
      kind: 'trimmed', state: 'trimmed', serial: e.serial, files: [e.file], refuse: false,
      message: sentence(`${e.serial} (${e.file}) was left out when this take was trimmed${e.source ? ` from ${e.source}` : ''}: ${e.reason}`),
    });
  }
  for (const s of manifest?.sensors ?? []) {
    if (present(s.serial, s.file) || excluded.some((e) => e.serial === s.serial)) continue;
    out.push({
      kind: 'incomplete', state: 'incomplete', serial: s.serial, files: [s.file], refuse: false,
      message: `take.json lists sensor ${s.serial} (${s.file}), which is not in ${take.dir}.`,
    });
  }
  return out;
}

/** The state of a take from its folder (`take`), its take.json as read, and what was found in each recording. */
export function takeState(take: TakeFiles, takeJson: { json: TakeJson | null; problem: string | null }, files: RecordingFacts[]): TakeState {
  const problems: TakeProblem[] = [];
  if (takeJson.problem) {
    problems.push({
      kind: 'manifest', state: null, serial: null, files: take.manifestPath ? [take.manifestPath] : [], refuse: false,
      message: `${sentence(takeJson.problem)} Whether the take was finished, and which sensors it should hold, cannot be told.`,
    });
  }
  problems.push(...manifestProblems(take, takeJson.json, files));
  if (take.partials.length > 0) {
    problems.push({
      kind: 'interrupted', state: 'interrupted', serial: null, files: take.partials, refuse: false,
      message: `${names(take.partials.map((p) => basename(p)))} ${take.partials.length > 1 ? 'were' : 'was'} left by a writer that stopped half-way (an interrupted trim or copy): the take is not whole.`,
    });
  }
  problems.push(...duplicateProblems(files));
  const dates = datesProblem(take, files);
  if (dates) problems.push(dates);
  for (const f of files.filter((x) => x.kind === 'not-k4a')) {
    problems.push({
      kind: 'not-k4a', state: null, serial: null, files: [f.file], refuse: false,
      message: `${basename(f.file)} is a Matroska video, not an Azure Kinect recording; it was not audited.`,
    });
  }
  const states = [...new Set(problems.flatMap((p) => (p.state ? [p.state] : [])))];
  // Without a readable take.json, "complete" cannot be said: the states found in the files are all there is.
  const complete = states.length === 0 && takeJson.problem === null;
  return { states: complete ? ['complete'] : states, problems, sensors: files.filter((f) => f.kind !== 'not-k4a').map((f) => f.file) };
}

/**
 * Why the files cannot be given a verdict as one take, as the error to throw; null when they can. Two recordings of
 * one sensor, or files named one by one that were recorded at different times, are refused (K4S_MIXED_TAKE); so is a
 * take without a single Azure Kinect recording (K4S_NO_TAKE).
 */
export function refusal(take: TakeFiles, state: TakeState): K4sError | null {
  const refused = state.problems.filter((p) => p.refuse);
  if (refused.length > 0) {
    const duplicate = refused.some((p) => p.kind === 'duplicate-serial');
    return new K4sError('K4S_MIXED_TAKE', `${take.dir}: ${refused.map((p) => p.message).join(' ')}`,
      duplicate ? 'Keep one recording per sensor in the take (one is probably a copy: compare sizes and dates), then run the command again.' : ERROR_CODES.K4S_MIXED_TAKE.remedy);
  }
  if (state.sensors.length === 0) {
    const strays = state.problems.filter((p) => p.kind === 'not-k4a').flatMap((p) => p.files);
    const what = strays.length > 1 ? 'are Matroska videos, not recordings' : 'is a Matroska video, not a recording';
    return new K4sError('K4S_NO_TAKE', `${take.loose ? 'No Azure Kinect recording was given' : `${take.dir} holds no Azure Kinect recording`}: ${names(short(strays))} ${what} of a sensor.`);
  }
  return null;
}
