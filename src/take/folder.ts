import { readdirSync } from 'node:fs';
import { basename } from 'node:path';

/** The names a take folder is made of. Nothing k4sync writes as an output may replace one of them. */
export const TAKE_MANIFEST = 'take.json';
export const LTC_AUDIO = 'ltc.wav';
/** Written by `k4sync simulate`: what every simulated sensor really did. */
export const TRUTH = 'truth.json';
/** A simulated take keeps the rig it was made from. */
export const RIG = 'rig.json';
/** What a writer that stopped half-way leaves (trim's files in progress, other tools' temporary files). */
export const PARTIAL_SUFFIX = '.partial';

/**
 * What a writer that stopped half-way leaves: a `.partial` file or folder (trim's files in progress), or the
 * temporary name k4sync's own outputs are written under before they are renamed into place (src/output/atomic.ts:
 * `.<name>.k4sync-<pid>-<n>.tmp.<ext>`), which keeps the extension and so can end in `.mkv`.
 */
export const isPartialName = (name: string): boolean => name.endsWith(PARTIAL_SUFFIX) || /^\..*\.k4sync-\d+-\d+\.tmp(\.[^.]*)?$/.test(name);

/**
 * macOS writes `._<name>` beside every file it copies to an exFAT or FAT drive (AppleDouble metadata, a few KB, no
 * video): never a recording, whatever it ends with.
 */
const isAppleDouble = (name: string): boolean => name.startsWith('._');

/** A finished recording's name: an `.mkv` that is not a writer's temporary file or macOS metadata. */
export const isRecordingName = (name: string): boolean => /\.mkv$/i.test(name) && !isPartialName(name) && !isAppleDouble(name);

/** A file that belongs to a take: a recording, its manifest, its timecode audio, a simulation's truth and rig. */
export function isTakeMember(path: string): boolean {
  const name = basename(path);
  return isRecordingName(name) || isPartialName(name) || [TAKE_MANIFEST, LTC_AUDIO, TRUTH, RIG].includes(name.toLowerCase());
}

/** A folder holding recordings or a take manifest. Unreadable folders are not take folders. */
export function isTakeFolder(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => isRecordingName(n) || n === TAKE_MANIFEST);
  } catch {
    return false;
  }
}
