import { accessSync, closeSync, constants, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoOf, fromSystemError, K4sError } from '../errors.js';
import { isRecordingName, isTakeFolder, isTakeMember } from '../take/folder.js';

/**
 * Checks an output path before any work starts, so that nothing k4sync writes ever replaces an input, a recording,
 * or a file of a take folder other than k4sync's own earlier output.
 */
export interface OutputCheck {
  /** The flag that named the path, for the sentence ("--out", "-o"). */
  flag: string;
  /** Every file and folder the command reads. */
  inputs: readonly string[];
  /**
   * An existing file inside a take folder may be replaced only when this says it is this command's own earlier
   * output (e.g. an audit.json with k4sync's schema); default: never.
   */
  ownOutput?: (path: string) => boolean;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw fromSystemError(e, path, 'write');
  }
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** Throws a K4sError (exit 2) when `path` must not be written as a file output; returns its absolute form. */
export function checkOutputFile(path: string, check: OutputCheck): string {
  const abs = resolve(path);
  checkOutputParent(path, check.flag);
  const st = statOrNull(abs);
  if (!st) return abs;
  if (st.isDirectory()) throw new K4sError('K4S_IS_FOLDER', `${check.flag} ${path} is a folder; it needs a file name.`, `Give a file path, e.g. ${check.flag} ${path.replace(/[\\/]+$/, '')}/<name>.`);
  for (const input of check.inputs) {
    const ist = statOrNull(resolve(input));
    if (ist && sameFile(st, ist)) {
      throw new K4sError('K4S_OUTPUT_IS_INPUT', `${check.flag} ${path} is ${input}, which this command reads; k4sync never writes over its input.`, 'Write the output to another path.');
    }
  }
  if (isRecordingName(abs) || isTakeMember(abs)) {
    throw new K4sError('K4S_OUTPUT_IS_RECORDING', `${check.flag} ${path} would replace ${isRecordingName(abs) ? 'a recording' : 'a file of a take'}; k4sync never writes over recordings or take files.`, 'Write the output to another path.');
  }
  if (isTakeFolder(dirname(abs)) && !check.ownOutput?.(abs)) {
    throw new K4sError('K4S_OUTPUT_IS_RECORDING', `${check.flag} ${path} already exists in a take folder and is not an earlier output of this command; k4sync never replaces a take's files.`, 'Write the output to a new name, or beside the take folder.');
  }
  return abs;
}

/**
 * Checks the folder `record` or `simulate` will fill: it must be new or empty. A folder with anything in it is
 * refused, with the next free name in the same series (take-0042 → take-0043) as the remedy.
 */
export function checkNewTakeFolder(path: string, flag: string): string {
  const abs = resolve(path);
  const given = path.replace(/(.)[\\/]+$/, '$1');
  const st = statOrNull(abs);
  if (st && !st.isDirectory()) throw new K4sError('K4S_NOT_FOLDER', `${flag} ${path} is a file; a take needs a folder of its own.`, `Give a new folder name, e.g. ${flag} ${nextFreeName(given)}.`);
  if (st) {
    let entries: string[];
    try {
      entries = readdirSync(abs);
    } catch (e) {
      throw fromSystemError(e, path, 'open');
    }
    if (entries.length > 0) {
      const what = isTakeFolder(abs) ? 'holds a take' : `holds ${entries.length} file(s)`;
      throw new K4sError('K4S_TAKE_EXISTS', `${flag} ${path} already ${what}; k4sync never records over a take.`, `Record into a new folder: ${flag} ${nextFreeName(given)}.`);
    }
  }
  checkOutputParent(path, flag);
  // record fills an existing empty folder in place.
  if (st) writableOrThrow(abs, path);
  return abs;
}

/**
 * The folder an output is created in must exist, be a folder and be writable: checked before any work starts, so
 * a long audit or trim does not end with "permission denied".
 */
export function checkOutputParent(path: string, flag: string): void {
  const parent = dirname(resolve(path));
  const st = statOrNull(parent);
  if (!st) throw new K4sError('K4S_NOT_FOUND', `${flag} ${path}: the folder ${parent} does not exist.`, 'Create it first, or write elsewhere.');
  if (!st.isDirectory()) throw new K4sError('K4S_NOT_FOLDER', `${flag} ${path}: ${parent} is a file, not a folder.`, 'Give a path inside a folder.');
  writableOrThrow(parent, path);
}

/** EACCES and EROFS up front; `path` is what the user gave, named in the sentence. */
function writableOrThrow(folder: string, path: string): void {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fromSystemError(e, path, 'write');
  }
}

/** The first bytes of a file as text, to recognise k4sync's own earlier output ('' when unreadable). */
export function fileStart(path: string, bytes = 4096): string {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(bytes);
    return buf.toString('utf8', 0, readSync(fd, buf, 0, bytes, 0));
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The next name of a numbered series that does not exist yet: take-0042 → take-0043, scene → scene-2. */
export function nextFreeName(path: string): string {
  const m = /^(.*?)(\d+)$/.exec(path);
  const make = m ? (n: number) => `${m[1]}${String(Number(m[2]) + n).padStart(m[2]!.length, '0')}` : (n: number) => `${path}-${n + 1}`;
  for (let n = 1; ; n++) if (!statOrNull(make(n))) return make(n);
}
