import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the checkout holds test material nobody here wrote; it is read in place, never copied. */
export const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared');
export const REAL = join(SHARED, 'fixtures/real');
export const SDK_WRITTEN = join(SHARED, 'fixtures/sdk-written');

if (!existsSync(SDK_WRITTEN)) {
  throw new Error(`Test fixtures not found at ${SHARED}: clone k4sync beside the shared folder.`);
}

/** Every SDK-written MKV, with the paths of the official reader's output beside it. */
export function sdkWrittenRecordings(): { mkv: string; csv: string; imuCsv: string; json: string; name: string }[] {
  const out = [];
  for (const take of readdirSync(SDK_WRITTEN, { withFileTypes: true })) {
    if (!take.isDirectory()) continue;
    const dir = join(SDK_WRITTEN, take.name);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.mkv')).sort()) {
      const base = join(dir, f.slice(0, -4));
      out.push({ mkv: `${base}.mkv`, csv: `${base}.playback.csv`, imuCsv: `${base}.playback_imu.csv`, json: `${base}.playback.json`, name: f });
    }
  }
  return out;
}
