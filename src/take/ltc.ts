import { join } from 'node:path';
import type { TakeManifest } from './manifest.js';

/**
 * Where a take's LTC audio is: take.json names the file (ltc.wav, captured beside the MKVs, named relative to the
 * take folder so that the take can be copied anywhere). Null when the take recorded no LTC.
 */
export function ltcPath(dir: string, manifest: TakeManifest | null): string | null {
  return manifest?.ltc ? join(dir, manifest.ltc.file) : null;
}
