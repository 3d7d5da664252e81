import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Piscina } from 'piscina';
import { isRecordingError, readRecording } from '../recording/index.js';
import { failedInput, sensorInput, transferables, type FileFacts, type SensorInput } from './input.js';

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

/** One Piscina task: read one recording's headers and hand back its timestamps, buffers transferred, not copied. */
export default function readForAudit(file: string): unknown {
  let input: SensorInput;
  const facts = fileFacts(file);
  try {
    input = sensorInput(file, readRecording(file, { imuSamples: false }), facts);
  } catch (e) {
    input = isRecordingError(e) ? failedInput(file, e.code, e.message, facts) : failedInput(file, 'K4S_INTERNAL', `k4sync failed on ${file}: ${String(e)}`, facts);
  }
  return Piscina.move({ [Piscina.transferableSymbol]: transferables(input), [Piscina.valueSymbol]: input } as never);
}
