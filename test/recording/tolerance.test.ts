import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySource, readRecording, readRecordingFrom, type Recording } from '../../src/recording/index.js';
import { buildK4a, buildRecording, concat, encodeVint, type K4aTruth, type Lacing } from '../helpers/mkv-builder.js';

const read = (bytes: Uint8Array): Recording => readRecordingFrom(new MemorySource(bytes), 'built.mkv');

function expectTruth(rec: Recording, truth: K4aTruth): void {
  expect(Array.from(rec.color ?? [])).toEqual(truth.color);
  expect(Array.from(rec.depth ?? [])).toEqual(truth.depth);
  expect(Array.from(rec.ir ?? [])).toEqual(truth.ir);
  expect(Array.from(rec.imu?.accTimestampsUs ?? [])).toEqual(truth.imu);
}

const codes = (rec: Recording) => rec.warnings.map((w) => w.code);
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-tolerance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('what real recordings contain is read, and said', () => {
  it('a finalized SDK-like file reads exactly, with no warning', () => {
    const { built, truth } = buildK4a({ frames: 40, drops: [7, 8, 20] });
    const rec = read(built.bytes);
    expectTruth(rec, truth);
    expect(rec.color).toHaveLength(37);
    expect(rec.finalized).toBe(true);
    expect(rec.warnings).toEqual([]);
  });

  for (const segmentSize of ['zero', 'unknown'] as const) {
    it(`Segment size ${segmentSize} is read to the end of the file and reported as not finalized`, () => {
      const { built, truth } = buildK4a({ frames: 30 }, { segmentSize });
      const rec = read(built.bytes);
      expectTruth(rec, truth);
      expect(rec.finalized).toBe(false);
      expect(codes(rec)).toContain('K4S_UNFINALIZED');
    });
  }

  it('unknown-size clusters, CRC-32 and Void elements are read through', () => {
    const { built, truth } = buildK4a({ frames: 30 }, { clusterSize: 'unknown', segmentSize: 'unknown', crc: true, voids: true });
    expectTruth(read(built.bytes), truth);
  });

  it('a cut-short last cluster keeps every complete block and says where good data ends', () => {
    const { built, truth } = buildK4a({ frames: 30, videoPayloadBytes: 3000 });
    const last = built.blockOffsets[built.blockOffsets.length - 3]!;
    const cut = last.offset + 10;
    const rec = read(built.bytes.subarray(0, cut));
    expect(rec.truncatedAt).toBe(last.offset);
    expect(codes(rec)).toContain('K4S_TRUNCATED');
    const complete = built.blockOffsets.filter((b) => b.end <= cut && b.track === 1).length;
    expect(Array.from(rec.color!)).toEqual(truth.color.slice(0, complete));
    expect(rec.color!.length).toBeGreaterThan(25);
  });

  it('a missing K4A_START_OFFSET_NS is recovered from the first IMU sample, and said', () => {
    const { built, truth } = buildK4a({ frames: 30, firstColorUs: 1_234_567 }, { startOffsetNs: null, segmentSize: 'zero', cues: false });
    const rec = read(built.bytes);
    expect(rec.startOffset.source).toBe('imu');
    expect(rec.startOffset.ns).toBe(BigInt(truth.imu[0]!) * 1000n);
    expectTruth(rec, truth);
    expect(codes(rec)).toContain('K4S_NO_START_OFFSET');
  });

  it('a file never flushed has no Info (only a Void): the 1 µs Azure Kinect scale is assumed, and said', () => {
    const { built, truth } = buildK4a({ frames: 10 }, { startOffsetNs: null, segmentSize: 'zero', cues: false, seekHead: false });
    const bytes = built.bytes.slice();
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x15, 0x49, 0xa9, 0x66]));
    const sizeLength = 8 - Math.floor(Math.log2(bytes[at + 4]!));
    let size = bytes[at + 4]! & (0xff >> sizeLength);
    for (let i = 1; i < sizeLength; i++) size = size * 256 + bytes[at + 4 + i]!;
    const total = 4 + sizeLength + size;
    bytes[at] = 0xec;
    bytes.set(encodeVint(total - 9, 8), at + 1);
    bytes.fill(0, at + 9, at + total);
    const rec = read(bytes);
    expectTruth(rec, truth);
    expect(codes(rec)).toContain('K4S_NO_INFO');
  });

  it('without start offset and IMU, timestamps are relative to the first block, and said', () => {
    const { built, truth } = buildK4a({ frames: 10, imu: false }, { startOffsetNs: null });
    const rec = read(built.bytes);
    expect(rec.startOffset.source).toBe('none');
    expect(Array.from(rec.color!)).toEqual(truth.color.map((t) => t - truth.color[0]!));
    expect(rec.warnings.find((w) => w.code === 'K4S_NO_START_OFFSET')?.message).toMatch(/relative/);
  });

  it('start offsets past 2^32 µs are kept whole (the SDK reader wraps them)', () => {
    const firstColorUs = 5_000_000_000; // 83 minutes of device uptime
    const { built, truth } = buildK4a({ frames: 10, firstColorUs });
    const rec = read(built.bytes);
    expect(rec.configuration.startTimestampOffsetUs).toBeGreaterThan(2 ** 32);
    expectTruth(rec, truth);
  });

  for (const imuLacing of ['none', 'xiph', 'fixed', 'ebml'] as Lacing[]) {
    it(`IMU samples in ${imuLacing}-laced blocks are all read`, () => {
      const { built, truth } = buildK4a({ frames: 20, imuLacing });
      const rec = read(built.bytes);
      expect(rec.imu!.accTimestampsUs.length).toBe(truth.imu.length);
      expectTruth(rec, truth);
    });
  }

  for (const lacing of ['xiph', 'fixed', 'ebml'] as Lacing[]) {
    it(`video frames in ${lacing}-laced SimpleBlocks are counted and timed by DefaultDuration`, () => {
      const { built, truth, spec } = buildK4a({ frames: 12, imu: false });
      spec.tracks[0] = { ...spec.tracks[0]!, lacing, lacingRun: 3 };
      const rec = read(buildRecording(spec).bytes);
      expect(rec.color).toHaveLength(truth.color.length);
      rec.color!.forEach((t, i) => expect(Math.abs(t - truth.color[i]!)).toBeLessThanOrEqual(1));
      expect(built.bytes.length).toBeGreaterThan(0);
    });
  }

  it('the legacy IR name DEPTH_IR and lower-case depth modes are read as legacy', () => {
    const { built, truth } = buildK4a({ frames: 10, irName: 'DEPTH_IR', depthMode: 'NFOV_2x2BINNED' });
    const rec = read(built.bytes);
    expect(rec.configuration.depthMode).toBe('NFOV_2X2BINNED');
    expect(rec.tracks.find((t) => t.name === 'DEPTH_IR')?.builtin).toBe('IR');
    expect(rec.legacy).toBe(true);
    expectTruth(rec, truth);
  });

  it('tracks are found by their K4A_*_TRACK tag before their name', () => {
    const { spec, truth } = buildK4a({ frames: 10 });
    // Swap the names: the tags still point at the right UIDs, which win.
    spec.tracks[1] = { ...spec.tracks[1]!, name: 'IR' };
    spec.tracks[2] = { ...spec.tracks[2]!, name: 'DEPTH' };
    const rec = read(buildRecording(spec).bytes);
    expect(Array.from(rec.depth!)).toEqual(truth.depth);
    expect(rec.tracks[1]!.builtin).toBe('DEPTH');
  });

  it('custom tracks are listed with their block counts and times', () => {
    const items = [1_000_000, 1_033_333, 1_066_667].map((timeUs) => ({ timeUs, payload: new Uint8Array(8) }));
    const { built } = buildK4a({ frames: 3, customTracks: [{ name: 'HOST_TIME', codecId: 'S_K4SYNC/HOSTTIME', items }] });
    const rec = read(built.bytes);
    expect(rec.customTracks).toHaveLength(1);
    expect(rec.customTracks[0]).toMatchObject({ blocks: 3, firstUs: 1_000_000, lastUs: 1_066_667 });
    expect(rec.customTracks[0]!.track.name).toBe('HOST_TIME');
  });

  it('without IMU samples (the audit does not need them) the same frame times come from far fewer bytes', () => {
    const { built, truth } = buildK4a({ frames: 60 }, { startOffsetNs: null, segmentSize: 'zero' });
    const all = read(built.bytes);
    const lean = readRecordingFrom(new MemorySource(built.bytes), 'lean.mkv', { imuSamples: false });
    expect(Array.from(lean.color!)).toEqual(truth.color);
    expect(lean.startOffset).toEqual(all.startOffset);
    expect(lean.imu!.accTimestampsUs).toHaveLength(0);
    expect(lean.bytesRead).toBeLessThan(all.bytesRead / 3);
  });

  it('colour, depth and IR payloads are stepped over, never read', () => {
    const { built } = buildK4a({ frames: 30, videoPayloadBytes: 200_000 });
    const reads: [number, number][] = [];
    const src = new MemorySource(built.bytes);
    const inner = src.read.bind(src);
    src.read = (pos, len) => {
      const v = inner(pos, len);
      reads.push([pos, pos + v.length]);
      return v;
    };
    const rec = readRecordingFrom(src, 'big.mkv');
    expect(rec.color).toHaveLength(30);
    for (const b of built.blockOffsets.filter((x) => x.track <= 3)) {
      // A block's first bytes hold its header (ID, size, track, time, flags); nothing past 32 bytes is payload we may read.
      const touched = reads.reduce((n, [s, e]) => n + Math.max(0, Math.min(e, b.end) - Math.max(s, b.offset + 32)), 0);
      expect(touched).toBe(0);
    }
    expect(rec.bytesRead).toBeLessThan(built.bytes.length / 100);
  });

  it('a file over 4 GiB is read across the 2^32 byte boundary', () => {
    // No SeekHead: its positions would go stale with the Void inserted below. The Cues stay, as a closed file has them.
    const { built, truth } = buildK4a({ frames: 20 }, { seekHead: false });
    const firstCluster = built.clusterOffsets[0]!;
    // A Void of 4.5 GiB before the clusters: sparse on disk, but every cluster sits past 2^32.
    const gap = 4.5 * 2 ** 30;
    const voidHeader = concat([new Uint8Array([0xec]), encodeVint(gap, 8)]);
    const segmentAt = Buffer.from(built.bytes).indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
    const head = built.bytes.slice(0, firstCluster);
    const oldSize = new DataView(head.buffer).getBigUint64(segmentAt + 4) & 0x00ffffffffffffffn;
    head.set(encodeVint(oldSize + BigInt(voidHeader.length + gap), 8), segmentAt + 4);
    const path = join(tmp, 'big.mkv');
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, head, 0, firstCluster, 0);
      writeSync(fd, voidHeader, 0, voidHeader.length, firstCluster);
      const rest = built.bytes.subarray(firstCluster);
      writeSync(fd, rest, 0, rest.length, firstCluster + voidHeader.length + gap);
    } finally {
      closeSync(fd);
    }
    const rec = readRecording(path);
    expect(rec.fileSize).toBeGreaterThan(2 ** 32);
    expectTruth(rec, truth);
    expect(rec.warnings).toEqual([]);
  });
});
