/**
 * The one error model of k4sync. Every error a user can meet carries a stable code from the registry below, a
 * kind that decides the exit status in bin/ (input: exit 2, the user can fix what they asked for; failure: exit 1,
 * the work itself could not be done, e.g. a full disk; internal: exit 70, a bug in k4sync), one sentence saying what
 * happened, and a remedy saying what to do. docs/errors.md lists every code; a test keeps the two in step.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type ErrorKind = 'input' | 'failure' | 'internal';

interface CodeEntry {
  /** 'warning': a note attached to a result (the audit JSON, `info`), never thrown. */
  kind: ErrorKind | 'warning';
  meaning: string;
  /** What to do, when the error itself does not say something more precise. */
  remedy: string;
}

export const ERROR_CODES = {
  // What a path names
  K4S_NOT_FOUND: { kind: 'input', meaning: 'A path given to k4sync does not exist.', remedy: 'Check the path (tab completion helps).' },
  K4S_PERMISSION: { kind: 'input', meaning: 'The operating system refused access to a path.', remedy: 'Check the permissions of the file and its folder, or choose another place.' },
  K4S_IS_FOLDER: { kind: 'input', meaning: 'A folder was given where a file belongs.', remedy: 'Give a file path.' },
  K4S_NOT_FOLDER: { kind: 'input', meaning: 'A file was given where a folder belongs, or a path runs through a file.', remedy: 'Give a folder path.' },
  K4S_READ_ONLY: { kind: 'input', meaning: 'An output path is on a read-only file system.', remedy: 'Write to a drive that is mounted writable.' },
  K4S_DISK_FULL: { kind: 'failure', meaning: 'The disk filled up (or a file-size limit was reached) while writing; any earlier file at that path is unchanged.', remedy: 'Free space on that drive, or write to another one, then run the command again.' },
  K4S_IO: { kind: 'failure', meaning: 'The operating system reported an input/output error on a path.', remedy: 'Check the drive and its cable; copy the file again if it came from a failing drive.' },
  K4S_OUTPUT_IS_INPUT: { kind: 'input', meaning: 'An output flag names a file the same command reads.', remedy: 'Write the output to another path.' },
  K4S_OUTPUT_IS_RECORDING: { kind: 'input', meaning: 'An output flag names a recording or another file of a take folder; k4sync never replaces those.', remedy: 'Write the output to another path, e.g. beside the take folder.' },
  K4S_TAKE_EXISTS: { kind: 'input', meaning: 'The output folder of record or simulate already holds files; k4sync never records over a take.', remedy: 'Give a new folder name (k4sync suggests the next free one).' },
  K4S_OUT_EXISTS: { kind: 'input', meaning: 'The output of trim, recover or preview already exists, or an offload destination folder holds files no offload recorded.', remedy: 'Give a path that does not exist yet, or remove the old output first.' },
  K4S_BAD_FLAG: { kind: 'input', meaning: 'A command-line flag or argument is missing or has a value k4sync does not accept.', remedy: 'Run the command with --help for what each flag takes.' },
  K4S_BAD_JSON: { kind: 'input', meaning: 'A JSON file given to k4sync is not valid JSON or not of the expected shape.', remedy: 'Fix the field the message names.' },
  K4S_INTERRUPTED: { kind: 'failure', meaning: 'The command was stopped by Ctrl-C or SIGTERM; partial outputs were removed.', remedy: 'Run the command again.' },
  K4S_INTERNAL: { kind: 'internal', meaning: 'An unexpected error: a bug in k4sync.', remedy: 'Please report it with the command, the k4sync version and, if you can, the files (run with K4SYNC_DEBUG=1 for the stack).' },

  // Recordings (src/recording)
  K4S_UNREADABLE: { kind: 'input', meaning: 'A file could not be read at all.', remedy: 'Check the path and that the drive is mounted.' },
  K4S_NOT_EBML: { kind: 'input', meaning: 'The file is not a Matroska (EBML) file.', remedy: 'Give the .mkv files an Azure Kinect recorder wrote.' },
  K4S_NOT_MATROSKA: { kind: 'input', meaning: 'The file is EBML but not Matroska (e.g. WebM or another DocType).', remedy: 'Give the .mkv files an Azure Kinect recorder wrote.' },
  K4S_NOT_K4A: { kind: 'input', meaning: 'The file is Matroska but not an Azure Kinect recording (no COLOR, DEPTH or IR track): an ordinary video, not a sensor.', remedy: 'Move it out of the take folder, or give only the sensors\' recordings.' },
  K4S_TRUNCATED: { kind: 'input', meaning: 'The file was cut short (bytes missing, not wrong): an error when it ends before its first frame, a warning naming the byte where good data ends when the frames before the cut were read.', remedy: 'Copy the file again from the recording machine.' },
  K4S_CORRUPT: { kind: 'input', meaning: 'The file\'s bytes are wrong (not missing) where k4sync cannot read past them.', remedy: 'Copy the file again from the recording machine; audit the sensor\'s other copies.' },
  K4S_UNFINALIZED: { kind: 'warning', meaning: 'The recording was not finalized (its writer stopped without closing it); every complete block up to the end of the file was read.', remedy: 'Check the recorder\'s log; the frames up to the stop are usable.' },
  K4S_PAST_INDEX: { kind: 'warning', meaning: 'Frames lie past the file\'s last index (written after its last flush by a recorder that was stopped); k4sync read them from the clusters, other readers may not.', remedy: 'Rewrite the take with `k4sync recover` before handing it to tools built on Microsoft\'s reader.' },
  K4S_NO_INFO: { kind: 'warning', meaning: 'The file has no Info element; the Azure Kinect timestamp scale of 1 µs was assumed.', remedy: 'None needed unless the file came from a non-Azure Kinect writer.' },
  K4S_WIDE_START_OFFSET: { kind: 'warning', meaning: 'K4A_START_OFFSET_NS is 2^32 µs or more (an epoch clock, as on Orbbec Femto): Microsoft\'s playback library wraps it and returns other image times than k4sync.', remedy: 'None needed for k4sync; compare times with tools built on k4a_playback knowing they are shifted.' },
  K4S_NO_START_OFFSET: { kind: 'warning', meaning: 'K4A_START_OFFSET_NS is missing; the start offset was recovered from the IMU, or timestamps are relative.', remedy: 'None needed; offsets against other sensors may be unmeasurable when timestamps are relative.' },
  K4S_BAD_CALIBRATION: { kind: 'warning', meaning: 'The calibration attachment is missing, too large or not JSON; it was not read.', remedy: 'None for the audit; re-export the calibration from the sensor for reconstruction.' },
  K4S_LEGACY: { kind: 'warning', meaning: 'The file was written by a pre-1.0 Azure Kinect SDK and read with its rules.', remedy: 'None needed.' },
  K4S_BAD_TAG: { kind: 'warning', meaning: 'A K4A_* tag has a value the SDK would not write; it was ignored.', remedy: 'Check the tool that wrote the file.' },
  K4S_UNKNOWN_MODE: { kind: 'warning', meaning: 'A track\'s format, size or frame rate is not an Azure Kinect mode.', remedy: 'Check the tool that wrote the file.' },
  K4S_NO_DEPTH_MODE: { kind: 'warning', meaning: 'The file has depth or IR but no K4A_DEPTH_MODE tag; the mode was inferred from the image size.', remedy: 'None needed.' },

  // Takes (src/take) and the audit (src/audit)
  K4S_NO_TAKE: { kind: 'input', meaning: 'What was given is not a take: no Azure Kinect recordings in it.', remedy: 'Point at a take folder, a shoot-day folder of take folders, or the MKVs of one take.' },
  K4S_MIXED_TAKE: { kind: 'input', meaning: 'The files given together cannot belong to one take (a serial twice, or recordings made at different times).', remedy: 'Give each take\'s folder, or the MKVs of one take only.' },
  K4S_BAD_MANIFEST: { kind: 'input', meaning: 'take.json is not readable JSON or not of the k4sync.take/1 shape.', remedy: 'Restore take.json from the capture PC or a verified copy; without it, move it aside and audit the MKVs alone.' },
  K4S_BAD_CONFIG: { kind: 'input', meaning: 'The audit configuration file is not valid.', remedy: 'Fix the setting the message names (docs/audit-json.md lists them).' },
  K4S_NOT_AUDIT: { kind: 'input', meaning: 'The file given to report is not a complete k4sync audit result.', remedy: 'Write one with `k4sync audit <take> --out audit.json`.' },

  // Timecode (src/timecode)
  K4S_NOT_AUDIO: { kind: 'input', meaning: 'The file is not audio k4sync can read.', remedy: 'Give a WAV/BWF, or a container ffmpeg can read with an audio stream.' },
  K4S_BAD_CHANNEL: { kind: 'input', meaning: 'The audio file has no such channel.', remedy: 'Pick a channel the file has (counted from 0).' },
  K4S_NO_FFMPEG: { kind: 'input', meaning: 'ffmpeg is needed for this and was not found.', remedy: 'Install ffmpeg (Debian: apt-get install ffmpeg), or set FFMPEG_PATH.' },

  // Capture (src/capture, native/)
  K4S_NO_NATIVE: { kind: 'input', meaning: 'The native layer is not built, so k4sync cannot record or simulate here.', remedy: 'Install CMake and a C++ compiler, then run `npm run build:native`.' },
  K4S_NO_SDK: { kind: 'input', meaning: 'The Azure Kinect SDK (or Orbbec\'s K4A wrapper) could not be loaded.', remedy: 'Install the SDK, or give its library with --sdk or K4SYNC_K4A_LIBRARY.' },
  K4S_BAD_RIG: { kind: 'input', meaning: 'rig.json is not a valid simulated rig.', remedy: 'Fix the field the message names (docs/rig-json.md).' },
  K4S_PREFLIGHT: { kind: 'input', meaning: 'Pre-flight refused to record: the rig, the plan or the modes are wrong.', remedy: 'Change what the message names and record again.' },
  K4S_LTC_INPUT: { kind: 'input', meaning: 'The LTC audio input could not be opened.', remedy: 'Check the --ltc-input device name (ffmpeg -sources lists them).' },
  K4S_NO_TERMINAL: { kind: 'input', meaning: 'record needs to ask the operator, and there is no terminal to ask in.', remedy: 'Pass --yes to answer the prompts in scripts.' },

  // Post-processing (src/post)
  K4S_NO_WINDOW: { kind: 'input', meaning: 'The sensors of the take share no common window of frames.', remedy: 'Audit the take: its sensors do not overlap in time.' },
  K4S_BAD_WINDOW: { kind: 'input', meaning: 'The --window value is malformed or outside the take.', remedy: 'Use common, tc:HH:MM:SS:FF-HH:MM:SS:FF or frames:FIRST-LAST within the take.' },
  K4S_NO_TIMECODE: { kind: 'input', meaning: 'A timecode window was asked of a take without timecode.', remedy: 'Use a frames: window, or record with the generator\'s LTC.' },
  K4S_NOT_TRIMMABLE: { kind: 'input', meaning: 'A recording cannot be trimmed safely (damaged or of an unsupported layout).', remedy: 'Audit the take to see what is wrong with that file.' },
  K4S_NO_COLOR: { kind: 'input', meaning: 'No sensor of the take has a colour track to show.', remedy: 'Record with colour on, or use k4sync index instead.' },
  K4S_TRIM_FAILED: { kind: 'failure', meaning: 'Writing the trimmed take failed.', remedy: 'Check the destination drive; the source take is untouched.' },
  K4S_NOT_RECOVERABLE: { kind: 'input', meaning: 'A recording of a crashed take cannot be recovered: its headers are damaged, or its device times are unknown (no start offset and no IMU).', remedy: 'Move that file out of the take folder and run recover again for the other sensors.' },
  K4S_RECOVER_FAILED: { kind: 'failure', meaning: 'Writing the recovered take failed, or a recovered file did not read back as its source.', remedy: 'Check the destination drive; the source take is untouched.' },
  K4S_PREVIEW_FAILED: { kind: 'failure', meaning: 'ffmpeg could not make the preview video.', remedy: 'The message quotes ffmpeg\'s last line: check the destination drive, or audit the take when it names a damaged file.' },

  // Offload (src/offload)
  K4S_DEST_IN_SOURCE: { kind: 'input', meaning: 'An offload destination is inside a source folder, or holds one; the copy would land in (or over) what it copies.', remedy: 'Give a destination outside every source, ideally on another drive.' },
  K4S_OFFLOAD_FAILED: { kind: 'failure', meaning: 'A copy did not read back as its source was read, or the source changed while it was copied; the copy was removed, verified files stay.', remedy: 'Check the destination drive and its cable, then run the same offload again: verified files are not copied again.' },
  K4S_BAD_MHL: { kind: 'input', meaning: 'An ASC MHL file (a generation or ascmhl_chain.xml) is not readable ASC MHL v2, or a file name cannot be recorded in one.', remedy: 'Restore the ascmhl folder from another copy of the drive; the message names the file and what is wrong.' },
  K4S_NO_MHL: { kind: 'input', meaning: 'offload --verify was given a folder without an ASC MHL history.', remedy: 'Give the folder an offload wrote (it holds an ascmhl folder), or the drive that holds such folders.' },
} as const satisfies Record<string, CodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The base of every error k4sync raises on purpose. */
export class K4sError extends Error {
  override name = 'K4sError';
  readonly kind: ErrorKind;
  readonly remedy: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Overrides the registry's remedy when this error knows better; '' when the message already says what to do. */
    remedy?: string,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    const entry: CodeEntry = ERROR_CODES[code];
    this.kind = options?.kind ?? (entry.kind === 'warning' ? 'input' : entry.kind);
    this.remedy = remedy ?? entry.remedy;
  }
}

export function isK4sError(e: unknown): e is K4sError {
  return e instanceof K4sError;
}

/** The one line a user sees: the sentence, then the remedy unless the sentence already ends with it. */
export function errorLine(e: K4sError): string {
  const message = e.message.trim().replace(/([^.!?])$/, '$1.');
  return e.remedy ? `${e.code}: ${message} ${e.remedy}` : `${e.code}: ${message}`;
}

const ERRNO: Record<string, { code: ErrorCode; why: string }> = {
  ENOENT: { code: 'K4S_NOT_FOUND', why: 'it does not exist' },
  EACCES: { code: 'K4S_PERMISSION', why: 'permission was denied' },
  EPERM: { code: 'K4S_PERMISSION', why: 'permission was denied' },
  EISDIR: { code: 'K4S_IS_FOLDER', why: 'it is a folder, not a file' },
  ENOTDIR: { code: 'K4S_NOT_FOLDER', why: 'it, or a folder on its way, is a file' },
  ENOSPC: { code: 'K4S_DISK_FULL', why: 'the disk is full' },
  EDQUOT: { code: 'K4S_DISK_FULL', why: 'the disk quota is used up' },
  EFBIG: { code: 'K4S_DISK_FULL', why: 'the file reached the largest size this system allows' },
  EROFS: { code: 'K4S_READ_ONLY', why: 'the drive is read-only' },
  EIO: { code: 'K4S_IO', why: 'the drive reported an input/output error' },
  ENAMETOOLONG: { code: 'K4S_BAD_FLAG', why: 'the path is too long' },
  ELOOP: { code: 'K4S_BAD_FLAG', why: 'it loops through symbolic links' },
};

/**
 * Whether the nearest part of `path` that exists is a file: Windows answers ENOENT for a path that runs through a
 * file (file.mkv/x), where POSIX says ENOTDIR, and the user should hear the same sentence on both.
 */
function runsThroughFile(path: string): boolean {
  let p = resolve(path);
  for (let parent = dirname(p); parent !== p; p = parent, parent = dirname(p)) {
    try {
      return !statSync(parent).isDirectory();
    } catch (e) {
      // Missing, or itself below a file: look further up.
      if (errnoOf(e) !== 'ENOENT' && errnoOf(e) !== 'ENOTDIR') return false;
    }
  }
  return false;
}

/** The errno of a Node system error, when it is one. */
export function errnoOf(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null;
}

/**
 * A system error on a path the user gave, as one sentence naming that path: `doing` is the verb for it ("read",
 * "write", "create"). Errors that are already k4sync's pass through; errnos k4sync has no sentence for stay a
 * failure that names the path and the errno.
 */
export function fromSystemError(e: unknown, path: string, doing: string): K4sError {
  if (isK4sError(e)) return e;
  let errno = errnoOf(e);
  if (errno === 'ENOENT' && runsThroughFile(path)) errno = 'ENOTDIR';
  const known = errno ? ERRNO[errno] : undefined;
  if (known) return new K4sError(known.code, `Cannot ${doing} ${path}: ${known.why}.`, undefined, { cause: e });
  if (errno) return new K4sError('K4S_IO', `Cannot ${doing} ${path}: ${errno} (${(e as Error).message}).`, undefined, { cause: e });
  throw e;
}
