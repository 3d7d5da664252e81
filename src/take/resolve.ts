import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fromSystemError, K4sError } from '../errors.js';
import { isPartialName, isRecordingName, TAKE_MANIFEST } from './folder.js';

/** One take as the user pointed at it: its recordings and what its folder holds beside them. */
export interface TakeFiles {
  name: string;
  /** The folder the recordings are in, absolute. */
  dir: string;
  /** The recordings to read, one per sensor: every .mkv of a take folder, or the files named one by one. */
  files: string[];
  /** The recordings were named one by one: the folder may hold recordings that were not given. */
  loose: boolean;
  /**
   * Found inside a shoot-day folder: one take that cannot be judged must not stop the audit of the day, so it is
   * reported as a failed take instead of refused.
   */
  inDay: boolean;
  /** Every finished recording in the folder (names), given or not: what take.json's sensor list is checked against. */
  folderRecordings: string[];
  /** The folder's take.json, when it has one. */
  manifestPath: string | null;
  /** What writers that stopped half-way left: `.partial` and temporary files in the folder, or the folder itself. */
  partials: string[];
}

const NO_RECORDING_REMEDY = 'Copy the take\'s recordings into it again from the capture PC or a verified copy; for an interrupted trim, trim the source take again into a new folder.';

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw fromSystemError(e, dir, 'read');
  }
}

function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw fromSystemError(e, path, 'read');
  }
}

/** What a folder holds of a take; `given` are the recordings to read (default: all of the folder's). */
function inFolder(dir: string, entries: Dirent[], given?: string[], inDay = false): TakeFiles {
  const abs = resolve(dir);
  const names = entries.map((e) => e.name).sort();
  const recordings = entries.filter((e) => !e.isDirectory() && isRecordingName(e.name)).map((e) => e.name).sort();
  const partials = names.filter(isPartialName).map((n) => join(dir, n));
  // A folder written under a temporary name (src/output/atomic.ts) and never renamed is itself a partial output.
  if (isPartialName(basename(abs))) partials.unshift(dir);
  return {
    name: basename(abs),
    dir: abs,
    files: given ?? recordings.map((n) => join(dir, n)),
    loose: given !== undefined,
    inDay,
    folderRecordings: recordings,
    manifestPath: names.includes(TAKE_MANIFEST) ? join(dir, TAKE_MANIFEST) : null,
    partials,
  };
}

/** A folder with take.json or partial files but no finished recording is a take whose recordings are gone. */
export function emptyTakeError(t: TakeFiles): K4sError {
  const held = [...(t.manifestPath ? [TAKE_MANIFEST] : []), ...t.partials.map((p) => basename(p))].join(', ');
  return new K4sError('K4S_NO_TAKE', `${t.dir} holds ${held} but no finished recording: ${t.partials.length > 0 ? 'a writer stopped half-way there (an interrupted trim or copy)' : 'its MKVs are missing'}.`, NO_RECORDING_REMEDY);
}

const holdsTake = (t: TakeFiles) => t.manifestPath !== null || t.partials.length > 0;

/** A folder given on the command line: a take folder, or a shoot-day folder of take folders. */
function folderTakes(dir: string): TakeFiles[] {
  const entries = list(dir);
  const take = inFolder(dir, entries);
  if (take.files.length > 0) return [take];
  if (holdsTake(take)) throw emptyTakeError(take);
  // A take folder of the day whose recordings are gone stays in the list: the audit fails it, naming what is left.
  const takes = entries
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name))
    .sort()
    .map((sub) => inFolder(sub, list(sub), undefined, true))
    .filter((t) => t.files.length > 0 || holdsTake(t));
  if (takes.length === 0) throw new K4sError('K4S_NO_TAKE', `${dir} holds no .mkv files, and no folders of them.`, 'Point at a take folder, a shoot-day folder of take folders, or the MKVs of one take.');
  return takes;
}

/**
 * What the user pointed at, as takes: a take folder (MKVs inside), a shoot-day folder (take folders inside), or MKV
 * files. MKV files given one by one form one take per folder they are in: files of one folder are one take (the
 * state of the take says whether they can be), files of different folders are different takes.
 */
export function resolveTakes(paths: string[]): TakeFiles[] {
  const takes: TakeFiles[] = [];
  const loose = new Map<string, string[]>();
  for (const p of paths) {
    if (!stat(p).isFile()) {
      takes.push(...folderTakes(p));
      continue;
    }
    if (isPartialName(basename(p))) {
      throw new K4sError('K4S_NO_TAKE', `${p} was left by a writer that stopped half-way (an interrupted trim or copy); it is not a finished recording.`, NO_RECORDING_REMEDY);
    }
    if (!isRecordingName(basename(p))) throw new K4sError('K4S_NO_TAKE', `${p} is not an .mkv file.`, 'Give take folders, or the MKVs of one take.');
    const file = resolve(p);
    const inDir = loose.get(dirname(file)) ?? [];
    if (!inDir.includes(file)) inDir.push(file);
    loose.set(dirname(file), inDir);
  }
  for (const [dir, files] of loose) takes.push(inFolder(dir, list(dir), files));
  return takes;
}
