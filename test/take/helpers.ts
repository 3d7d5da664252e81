import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { K4sError } from '../../src/errors.js';
import { tool } from '../helpers/platform.js';

export const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');

const made: string[] = [];

/** A fresh temporary folder, removed by `cleanTemp`. */
export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `k4sync-take-${label}-`));
  made.push(d);
  return d;
}

export function cleanTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A copy of a sample take in `into`, under `name` (default: the sample's name); returns its folder. */
export function copySample(sample: string, into: string, name = sample): string {
  const dir = join(into, name);
  cpSync(join(SAMPLES, sample), dir, { recursive: true });
  return dir;
}

/** Rewrites take.json of a take folder through `edit`. */
export function editTakeJson(dir: string, edit: (json: Record<string, unknown>) => void): void {
  const path = join(dir, 'take.json');
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

/**
 * Moves a recording's writer date (Matroska DateUTC: ID 0x4461, size 8, ns since 2001) by `seconds`, as if it had
 * been recorded at another time. Every sample carries the same date, so this is how a file "of another take" is made.
 */
export function shiftRecordedAt(file: string, seconds: number): void {
  const bytes = readFileSync(file);
  const at = bytes.subarray(0, 64 * 1024).indexOf(Buffer.from([0x44, 0x61, 0x88]));
  expect(at, `${file} has no DateUTC in its header`).toBeGreaterThan(0);
  bytes.writeBigInt64BE(bytes.readBigInt64BE(at + 3) + BigInt(seconds) * 1_000_000_000n, at + 3);
  writeFileSync(file, bytes);
}

/** A plain video MKV (Matroska, but no Azure Kinect tracks), as a phone or camera would leave in a take folder. */
export function plainVideo(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const r = spawnSync(tool('ffmpeg'), ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-c:v', 'mpeg4', path]);
  expect(r.status, 'ffmpeg is needed for this test (apt-get install ffmpeg)').toBe(0);
  return path;
}

/** The K4sError `f` throws (anything else fails the test). */
export function thrown(f: () => unknown): K4sError {
  try {
    f();
  } catch (e) {
    if (e instanceof K4sError) return e;
    throw e;
  }
  throw new Error('expected a K4sError, and nothing was thrown');
}
