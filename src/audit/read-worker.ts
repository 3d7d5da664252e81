import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Piscina } from 'piscina';
import { isRecordingError, readRecording } from '../recording/index.js';
import { failedInput, sensorInput, transferables, type FileFacts, type SensorInput } from './input.js';

/**
 * What one reader thread does (src/audit/pool.ts), and what the main thread does itself for a single small file.
 * It loads the recording module and input.ts (which imports nothing of ours at run time) and no more: a thread is
 * ready as soon as it can read.
 */

const FINGERPRINT_BYTES = 64 * 1024;

function fileFacts(file: string): FileFacts | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    const hash = createHash('sha256').update(String(st.size));
    const buf = Buffer.alloc(Math.min(FINGERPRINT_BYTES, st.size));
    for (const at of [0, Math.max(0, st.size - buf.length)]) hash.update(buf.subarray(0, readSync(fd, buf, 0, buf.length, at)));
    return { bytes: st.size, modified: st.mtime.toISOString(), fingerprint: `sha256-edges:${hash.digest('hex')}` };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** One recording's headers read for the audit; a file that cannot be read comes back carrying its error code. */
export function readForAudit(file: string): SensorInput {
  const facts = fileFacts(file);
  try {
    return sensorInput(file, readRecording(file, { imuSamples: false }), facts);
  } catch (e) {
    return isRecordingError(e) ? failedInput(file, e.code, e.message, facts) : failedInput(file, 'K4S_INTERNAL', `k4sync failed on ${file}: ${String(e)}`, facts);
  }
}

/** The Piscina task: one file path in, its SensorInput out with the timestamp buffers transferred, not copied. */
export default function readTask(file: string): unknown {
  const input = readForAudit(file);
  return Piscina.move({ [Piscina.transferableSymbol]: transferables(input), [Piscina.valueSymbol]: input } as never);
}
