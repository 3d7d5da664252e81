import {
  describeRecording, isRecordingError, readRecording, summarize, timestampsCsv, type RecordingSummary, type TimestampTrack,
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

/** `k4sync timestamps`: streams CSV, respecting back-pressure and a reader that goes away (| head). */
export async function runTimestamps(file: string, track?: TimestampTrack): Promise<number> {
  const rec = readRecording(file);
  if (rec.startOffset.source === 'none') {
    process.stderr.write(`k4sync: warning: ${file} has no start offset; timestamps are relative to its first block.\n`);
  }
  const out = process.stdout;
  // A reader that stops early (| head) is not an error: stop writing quietly.
  out.on('error', () => {});
  for (const chunk of timestampsCsv(rec, track)) {
    if (out.destroyed) break;
    if (!out.write(chunk)) await writable(out);
  }
  return EXIT_OK;
}
