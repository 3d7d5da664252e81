import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource, readRecordingFrom, RecordingError } from '../../src/recording/index.js';
import { SAMPLES } from '../post/helpers.js';

/**
 * Corrupt means the bytes are wrong; truncated means bytes are missing. A file cut at any byte is K4S_TRUNCATED, with
 * the byte where its good data ends: an error when the cut leaves no frame to read, a warning (and `truncatedAt`)
 * when every complete block before the cut is read.
 */
const SOURCE = readFileSync(join(SAMPLES, 'daisy-chain/000100000002.mkv'));

function read(bytes: Uint8Array) {
  return readRecordingFrom(new MemorySource(bytes), 'cut.mkv');
}

/** What a read of the first `n` bytes says about the cut: the code and the byte where good data ends. */
function verdict(n: number): { code: string; goodUntil: number | null } {
  try {
    const rec = read(SOURCE.subarray(0, n));
    const warning = rec.warnings.find((w) => w.code === 'K4S_TRUNCATED');
    return { code: warning ? 'warning K4S_TRUNCATED' : 'no truncation', goodUntil: rec.truncatedAt };
  } catch (e) {
    if (!(e instanceof RecordingError)) throw e;
    return { code: e.code, goodUntil: e.offset };
  }
}

/** Where the first cluster starts: every cut before it leaves no frame. */
function firstCluster(): number {
  return SOURCE.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
}

describe('a file cut short', () => {
  it.each([100, 500, 2000])('cut at %i bytes (inside its header) is K4S_TRUNCATED, not K4S_CORRUPT', (n) => {
    const v = verdict(n);
    expect(v.code).toBe('K4S_TRUNCATED');
    expect(v.goodUntil).not.toBeNull();
    expect(v.goodUntil!).toBeLessThanOrEqual(n);
    expect(() => read(SOURCE.subarray(0, n))).toThrow(new RegExp(`cut short.*good data ends at byte ${v.goodUntil}`));
  });

  it('cut at every byte of its header, and at many points after it: always named truncated, never corrupt', () => {
    const header = firstCluster();
    expect(header).toBeGreaterThan(0);
    const cuts: number[] = [];
    for (let n = 1; n < header + 2000; n++) cuts.push(n);
    for (let n = header + 2000; n < SOURCE.length - 1500; n += 4999) cuts.push(n);
    for (let n = SOURCE.length - 1500; n < SOURCE.length; n += 7) cuts.push(n);
    const wrong = cuts
      .map((n) => ({ n, ...verdict(n) }))
      .filter((v) => !(v.code === 'K4S_TRUNCATED' || v.code === 'warning K4S_TRUNCATED') || v.goodUntil === null || v.goodUntil > v.n);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('a cut before the first cluster is an error; one after it keeps the frames before the cut', () => {
    expect(verdict(firstCluster()).code).toBe('K4S_TRUNCATED');
    const rec = read(SOURCE.subarray(0, Math.floor(SOURCE.length / 2)));
    expect(rec.truncatedAt).not.toBeNull();
    expect(rec.color!.length).toBeGreaterThan(0);
    expect(rec.color!.length).toBeLessThan(read(SOURCE).color!.length);
  });

  it('the whole file reads without a truncation warning', () => {
    expect(verdict(SOURCE.length)).toEqual({ code: 'no truncation', goodUntil: null });
  });

  it('wrong bytes are still corrupt: an EBML header whose size no EBML header has', () => {
    const badEbml = Uint8Array.from(SOURCE);
    badEbml[4] = 0x01; // an 8-byte size vint follows: the EBML header claims petabytes
    badEbml.fill(0xff, 5, 12);
    badEbml[5] = 0x00;
    expect(() => read(badEbml)).toThrow(expect.objectContaining({ code: 'K4S_CORRUPT' }));
  });
});
