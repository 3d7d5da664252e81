import { Piscina } from 'piscina';
import { isRecordingError, readRecording } from '../recording/index.js';
import { failedInput, sensorInput, transferables, type SensorInput } from './input.js';

/** One Piscina task: read one recording's headers and hand back its timestamps, buffers transferred, not copied. */
export default function readForAudit(file: string): unknown {
  let input: SensorInput;
  try {
    input = sensorInput(file, readRecording(file));
  } catch (e) {
    input = isRecordingError(e) ? failedInput(file, e.code, e.message) : failedInput(file, 'K4S_INTERNAL', `k4sync failed on ${file}: ${String(e)}`);
  }
  return Piscina.move({ [Piscina.transferableSymbol]: transferables(input), [Piscina.valueSymbol]: input } as never);
}
