import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/index.js';
import { exe } from '../helpers/platform.js';

const BUILD = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'build');

function built(name: string): string {
  const path = join(BUILD, exe(name));
  if (!existsSync(path)) throw new Error(`${path} is missing: the native layer was not built (npm install builds it; needs cmake and g++)`);
  return path;
}

describe('native writer contract (native/tests, built by npm install)', () => {
  it('record_api_test passes: argument checks, reference counts, call order, reorder window, refusal after flush', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-native-'));
    const r = spawnSync(built('record_api_test'), [dir], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('a recording aborted right after a flush reads whole up to that flush', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k4sync-native-')), 'aborted.mkv');
    const r = spawnSync(built('write_test_recording'), [file, '--seconds', '3', '--flush-every', '1', '--abort-after-flush', '2'], { encoding: 'utf8' });
    expect(r.signal ?? r.status).not.toBe(0);
    const rec = readRecording(file);
    expect(rec.finalized).toBe(true);
    expect(rec.color!.length).toBeGreaterThan(0);
    // Frames are 30 fps and evenly spaced: nothing inside what was flushed is missing.
    const c = Array.from(rec.color!);
    for (let i = 1; i < c.length; i++) expect(c[i]! - c[i - 1]!).toBeLessThan(34_000);
  });
});
