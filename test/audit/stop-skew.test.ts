import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/index.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { auditDir } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-stop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of daisy-clean whose recorders were stopped one by one, by hand: files cut at different lengths. */
function stoppedByHand(cuts: Record<string, number>): string {
  const dir = join(tmp, Object.values(cuts).join('-'));
  mkdirSync(dir, { recursive: true });
  for (const s of ['s0', 's1', 's2']) {
    const from = join(SDK_WRITTEN, `daisy-clean/daisy-clean-${s}.mkv`);
    const to = join(dir, `daisy-clean-${s}.mkv`);
    if (cuts[s]) writeFileSync(to, readFileSync(from).subarray(0, Math.floor(readFileSync(from).length * cuts[s]!)));
    else copyFileSync(from, to);
  }
  return dir;
}

describe('recordings stopped at different times (k4arecorder, no host times)', () => {
  it('are not mistaken for a start-order fault: the offsets still pass, and say what cannot be checked', () => {
    const a = auditDir(stoppedByHand({ s1: 0.7, s2: 0.85 }));
    expect(readRecording(join(tmp, '0.7-0.85', 'daisy-clean-s1.mkv')).truncatedAt).not.toBeNull();
    const offsets = a.checks.filter((c) => c.id === 'offset');
    expect(offsets.map((c) => c.status)).toEqual(['PASS', 'PASS']);
    expect(offsets[0]!.message).toMatch(/cannot be checked/);
  });
});
