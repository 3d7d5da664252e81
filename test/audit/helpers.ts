import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { auditTake, DEFAULT_THRESHOLDS, failedInput, sensorInput, type TakeAudit } from '../../src/audit/index.js';
import { isRecordingError, readRecording } from '../../src/recording/index.js';

/** Audits a folder in-process (no worker pool), reading files as the pool's worker does. */
export function auditDir(dir: string, reference?: string): TakeAudit {
  const files = readdirSync(dir).filter((f) => f.endsWith('.mkv')).sort().map((f) => join(dir, f));
  const inputs = files.map((f) => {
    try {
      return sensorInput(f, readRecording(f, { imuSamples: false }));
    } catch (e) {
      if (isRecordingError(e)) return failedInput(f, e.code, e.message);
      throw e;
    }
  });
  return auditTake(inputs, { take: dir, thresholds: DEFAULT_THRESHOLDS, version: 'test', reference });
}

/** An independent least-squares slope of times against frame indices, as ppm off the nominal period. */
export function lsqRatePpm(index: number[], times: number[], nominalUs: number): number {
  const n = index.length;
  const mx = index.reduce((a, b) => a + b, 0) / n;
  const my = times.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (index[i]! - mx) * (times[i]! - my);
    sxx += (index[i]! - mx) ** 2;
  }
  return (sxy / sxx / nominalUs - 1) * 1e6;
}

export const TICK_US = 100 / 9;
