import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySource, readRecording, readRecordingFrom, type Recording } from '../../src/recording/index.js';
import { buildCrashed, buildK4a, concat, type CrashLayout, type K4aTruth } from '../helpers/mkv-builder.js';
import { exe } from '../helpers/platform.js';

const read = (bytes: Uint8Array, imuSamples = true): Recording => readRecordingFrom(new MemorySource(bytes), 'crashed.mkv', { imuSamples });
const codes = (rec: Recording) => rec.warnings.map((w) => w.code);

function expectTruth(rec: Recording, truth: K4aTruth): void {
  expect(Array.from(rec.color ?? [])).toEqual(truth.color);
  expect(Array.from(rec.depth ?? [])).toEqual(truth.depth);
  expect(Array.from(rec.ir ?? [])).toEqual(truth.ir);
  expect(Array.from(rec.imu?.accTimestampsUs ?? [])).toEqual(truth.imu);
}

/** 3 s at 30 fps from 1 s of device time, flushed at 2.272 s: most of the take lies past the index. */
const TAKE = { frames: 90, videoPayloadBytes: 2000 } as const;
const FLUSH_US = 2_272_000;

describe('a recorder killed after a flush: every complete block to the end of the file, never called finalized', () => {
  for (const layout of ['k4arecord', 'retracted', 'appended'] as CrashLayout[]) {
    it(`${layout}: reads every frame and IMU sample, counts what lies past the index, and is not finalized`, () => {
      const crashed = buildCrashed(TAKE, FLUSH_US, layout);
      const rec = read(crashed.bytes);
      expectTruth(rec, crashed.truth);
      expect(crashed.past.frames).toBeGreaterThan(30);
      expect(rec.pastIndex).toEqual({ fromByte: crashed.fromByte, ...crashed.past });
      expect(rec.finalized).toBe(false);
      expect(rec.ending).toEqual({ state: 'after-flush', segmentSize: 'stale', cues: false, startOffsetTag: true });
      expect(rec.truncatedAt).toBeNull();
      expect(codes(rec)).toEqual(['K4S_UNFINALIZED', 'K4S_PAST_INDEX']);
      // The IMU stream ran on across the flush: no gap.
      expect(rec.imuCadence).toMatchObject({ samples: crashed.truth.imu.length, gaps: [] });
    });
  }

  it('without IMU samples (as the audit reads) the same frames and the same count past the index', () => {
    const crashed = buildCrashed(TAKE, FLUSH_US, 'k4arecord');
    const lean = read(crashed.bytes, false);
    expect(Array.from(lean.color!)).toEqual(crashed.truth.color);
    expect(lean.pastIndex).toEqual({ fromByte: crashed.fromByte, ...crashed.past });
    expect(lean.imuCadence!.samples).toBe(crashed.truth.imu.length);
  });

  it('killed inside a cluster written over the index: every complete block before the cut, and where it is', () => {
    const crashed = buildCrashed(TAKE, FLUSH_US, 'k4arecord');
    const colour = crashed.blockOffsets.filter((b) => b.track === 1);
    const cutIn = colour[colour.length - 5]!;
    const cut = cutIn.offset + 7;
    const rec = read(crashed.bytes.subarray(0, cut));
    const complete = colour.filter((b) => b.end <= cut).length;
    expect(Array.from(rec.color!)).toEqual(crashed.truth.color.slice(0, complete));
    expect(rec.truncatedAt).toBe(cutIn.offset);
    expect(rec.finalized).toBe(false);
    expect(rec.pastIndex!.fromByte).toBe(crashed.fromByte);
    expect(rec.pastIndex!.frames).toBe(complete - crashed.truth.color.filter((t) => t < FLUSH_US).length);
  });

  it('killed right as the first cluster after the flush began: the flushed frames, the rest of the index ignored', () => {
    const crashed = buildCrashed(TAKE, FLUSH_US, 'k4arecord');
    // Only the new cluster's header made it over the Cues; the rest of the Cues is what the disk still holds.
    const bytes = crashed.flushed.slice();
    bytes.set(crashed.bytes.subarray(crashed.fromByte, crashed.fromByte + 12), crashed.fromByte);
    const rec = read(bytes);
    expect(Array.from(rec.color!)).toEqual(crashed.truth.color.filter((t) => t < FLUSH_US));
    expect(rec.finalized).toBe(false);
    expect(rec.pastIndex).toEqual({ fromByte: crashed.fromByte, frames: 0, imuSamples: 0 });
  });

  it('a closed file stays finalized with nothing past its index, and bytes after its Segment are ignored, and said', () => {
    const { built, truth } = buildK4a(TAKE);
    const closed = read(built.bytes);
    expect(closed.finalized).toBe(true);
    expect(closed.ending).toEqual({ state: 'closed', segmentSize: 'spans-data', cues: true, startOffsetTag: true });
    expect(closed.pastIndex).toBeNull();
    const padded = read(concat([built.bytes, new Uint8Array(4096)]));
    expectTruth(padded, truth);
    expect(padded.finalized).toBe(true);
    expect(padded.warnings).toEqual([expect.objectContaining({ code: 'K4S_CORRUPT', offset: built.bytes.length })]);
  });

  it('a file never flushed: nothing is indexed, every frame is read, and it says so', () => {
    const { built, truth } = buildK4a(TAKE, { segmentSize: 'zero', startOffsetNs: null, cues: false });
    const rec = read(built.bytes);
    expectTruth(rec, truth);
    expect(rec.ending).toEqual({ state: 'never-flushed', segmentSize: 'zero', cues: false, startOffsetTag: false });
    expect(rec.pastIndex).toEqual({ fromByte: built.clusterOffsets[0], frames: truth.color.length, imuSamples: truth.imu.length });
    expect(codes(rec)).not.toContain('K4S_PAST_INDEX');
  });

  it('a closed file without Cues (killed between taking them out and writing on) is not finalized', () => {
    const { built } = buildK4a(TAKE, { cues: false });
    const rec = read(built.bytes);
    expect(rec.finalized).toBe(false);
    expect(rec.ending).toMatchObject({ state: 'after-flush', segmentSize: 'spans-data', cues: false });
    expect(rec.pastIndex).toBeNull();
  });
});

const BUILD = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'build');
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-crashed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("k4sync's own writer, killed after a flush with clusters on disk past it", () => {
  it('reads every frame the writer put on disk: evenly spaced, past the last flush, and not finalized', () => {
    const tool = join(BUILD, exe('write_test_recording'));
    if (!existsSync(tool)) throw new Error(`${tool} is missing: the native layer was not built (npm install builds it)`);
    const file = join(tmp, 'killed.mkv');
    // Flushes at 4 s; killed at 7 s, by which time the writer has put clusters up to ~5 s on disk (2 s reorder window).
    const r = spawnSync(tool, [file, '--seconds', '7', '--flush-every', '4', '--abort-before-close'], { encoding: 'utf8' });
    expect(r.signal ?? r.status, r.stderr).not.toBe(0);
    const rec = readRecording(file);
    expect(rec.finalized).toBe(false);
    expect(rec.ending.state).toBe('after-flush');
    const flushed = 120; // 4 s at 30 fps
    expect(rec.pastIndex!.frames).toBeGreaterThan(15);
    expect(rec.color!.length).toBe(flushed + rec.pastIndex!.frames);
    const c = Array.from(rec.color!);
    for (let i = 1; i < c.length; i++) expect(c[i]! - c[i - 1]!).toBeLessThan(34_000);
    expect(Array.from(rec.depth!)).toHaveLength(c.length);
    expect(rec.imuCadence!.gaps).toEqual([]);
  });
});
