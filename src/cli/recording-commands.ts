import {
  describeRecording, isRecordingError, readRecording, summarize, timestampsCsv, type Recording, type RecordingSummary, type TimestampTrack,
} from '../recording/index.js';

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;

interface FileError {
  file: string;
  error: { code: string; message: string; offset: number | null };
}

function fileError(file: string, e: unknown): FileError {
  if (isRecordingError(e)) return { file, error: { code: e.code, message: e.message, offset: e.offset } };
  // Anything else is a k4sync bug; say so rather than pretend the file is at fault.
  return { file, error: { code: 'K4S_INTERNAL', message: `k4sync failed on ${file}: ${String(e)}. Please report this with the file.`, offset: null } };
}

/** `k4sync info`: one file's problem never stops the others. */
export function runInfo(files: string[], opts: { json: boolean }): number {
  const results: (RecordingSummary | FileError)[] = [];
  for (const file of files) {
    try {
      results.push(summarize(readRecording(file)));
    } catch (e) {
      results.push(fileError(file, e));
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  } else {
    const blocks = results.map((r) => ('error' in r ? `${r.file}\n  error      ${r.error.code}: ${r.error.message}` : describeRecording(r)));
    process.stdout.write(`${blocks.join('\n\n')}\n`);
  }
  return results.some((r) => 'error' in r) ? EXIT_BAD_INPUT : EXIT_OK;
}

/** Resolves when the stream takes more data or is gone; never rejects (events.once would, on EPIPE). */
export function writable(out: NodeJS.WritableStream): Promise<void> {
  const events = ['drain', 'close', 'error'] as const;
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) out.off(e, done);
      resolve();
    };
    for (const e of events) out.on(e, done);
  });
}

/** One line about a file whose timestamps are not the whole, closed recording: relative, stopped, or cut short. */
function timestampsWarning(file: string, rec: Recording): string | null {
  const relative = rec.startOffset.source === 'none' ? '; it has no start offset, so timestamps are relative to its first block' : '';
  if (rec.truncatedAt !== null) return `${file} is cut short at byte ${rec.truncatedAt}; every complete block before it is listed${relative}.`;
  if (!rec.finalized) {
    const past = rec.pastIndex && rec.ending.state === 'after-flush' ? ` (${rec.pastIndex.frames} frames past its last index)` : '';
    return `${file} was not finalized: its recorder stopped without closing it; every complete block up to its end is listed${past}${relative}.`;
  }
  return relative ? `${file}${relative.replace(/^; it/, '')}.` : null;
}

/** `k4sync timestamps`: streams CSV, respecting back-pressure and a reader that goes away (| head). */
export async function runTimestamps(file: string, track?: TimestampTrack): Promise<number> {
  const rec = readRecording(file);
  const warning = timestampsWarning(file, rec);
  if (warning) process.stderr.write(`k4sync: warning: ${warning}\n`);
  const out = process.stdout;
  // A reader that stops early (| head) is not an error: stop writing quietly.
  out.on('error', () => {});
  for (const chunk of timestampsCsv(rec, track)) {
    if (out.destroyed) break;
    if (!out.write(chunk)) await writable(out);
  }
  return EXIT_OK;
}
