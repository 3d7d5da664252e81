import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  UNKNOWN_SIZE,
  buildK4a,
  buildRecording,
  concat,
  element,
  encodeVint,
  floatElement,
  intElement,
  stringElement,
  uintElement,
  type BuiltRecording,
  type Item,
} from './mkv-builder.js';
import { tool } from './platform.js';

// ---------------------------------------------------------------------------------------------
// A deliberately tiny EBML walker, independent of the builder, for byte-level checks.
// ---------------------------------------------------------------------------------------------

interface El {
  id: number;
  offset: number;
  dataStart: number;
  dataEnd: number;
  unknownSize: boolean;
}

function vintLength(first: number): number {
  for (let w = 1; w <= 8; w++) if (first & (0x80 >> (w - 1))) return w;
  throw new Error('invalid vint');
}

function readElementHeader(b: Uint8Array, pos: number, limit: number): El {
  const idLen = vintLength(b[pos]!);
  let id = 0;
  for (let i = 0; i < idLen; i++) id = id * 256 + b[pos + i]!;
  const sizePos = pos + idLen;
  const sizeLen = vintLength(b[sizePos]!);
  let size = BigInt(b[sizePos]! & (0xff >> sizeLen));
  let allOnes = size === BigInt(0xff >> sizeLen);
  for (let i = 1; i < sizeLen; i++) {
    size = size * 256n + BigInt(b[sizePos + i]!);
    if (b[sizePos + i] !== 0xff) allOnes = false;
  }
  const dataStart = sizePos + sizeLen;
  return { id, offset: pos, dataStart, dataEnd: allOnes ? limit : dataStart + Number(size), unknownSize: allOnes };
}

/** Children of a known-size range; unknown-size children are assumed to run to `end`. */
function childrenOf(b: Uint8Array, start: number, end: number): El[] {
  const out: El[] = [];
  for (let pos = start; pos < end; ) {
    const el = readElementHeader(b, pos, end);
    out.push(el);
    pos = el.dataEnd;
  }
  return out;
}

function readUint(b: Uint8Array, el: El): bigint {
  let v = 0n;
  for (let i = el.dataStart; i < el.dataEnd; i++) v = v * 256n + BigInt(b[i]!);
  return v;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function segmentOf(bytes: Uint8Array): { header: El; segment: El; top: El[] } {
  const [header, segment] = childrenOf(bytes, 0, bytes.length);
  if (!header || !segment) throw new Error('missing EBML header or Segment');
  return { header, segment, top: childrenOf(bytes, segment.dataStart, segment.dataEnd) };
}

// ---------------------------------------------------------------------------------------------
// mkvinfo
// ---------------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-mkv-builder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileCounter = 0;

function mkvinfo(bytes: Uint8Array): { status: number | null; out: string } {
  const path = join(tmp, `f${fileCounter++}.mkv`);
  writeFileSync(path, bytes);
  const r = spawnSync(tool('mkvinfo'), ['-v', path], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout + r.stderr };
}

function count(text: string, re: RegExp): number {
  return text.match(new RegExp(re.source, 'g'))?.length ?? 0;
}

/** "HH:MM:SS.nnnnnnnnn" -> µs */
function mkvinfoTimeUs(t: string): number {
  const m = /^(\d+):(\d+):(\d+)\.(\d{9})$/.exec(t);
  if (!m) throw new Error(`bad time ${t}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1e6 + Number(m[4]) / 1000;
}

function simpleBlockTimesUs(out: string, track: number): number[] {
  const re = new RegExp(`Simple block: key, track number ${track}, \\d+ frame\\(s\\), timestamp (\\S+)`, 'g');
  return [...out.matchAll(re)].map((m) => mkvinfoTimeUs(m[1]!));
}

// ---------------------------------------------------------------------------------------------

describe('low-level EBML encoding', () => {
  it('encodes vints minimally, avoiding the reserved all-ones pattern', () => {
    expect(hex(encodeVint(0))).toBe('80');
    expect(hex(encodeVint(1))).toBe('81');
    expect(hex(encodeVint(126))).toBe('fe');
    expect(hex(encodeVint(127))).toBe('407f');
    expect(hex(encodeVint(0x3ffe))).toBe('7ffe');
    expect(hex(encodeVint(0x3fff))).toBe('203fff');
    expect(hex(encodeVint(0, 8))).toBe('0100000000000000');
    expect(hex(encodeVint(5n, 2))).toBe('4005');
    expect(hex(encodeVint((1n << 56n) - 2n))).toBe('01fffffffffffffe');
    expect(() => encodeVint(127, 1)).toThrow();
    expect(() => encodeVint(-1)).toThrow();
    expect(() => encodeVint(1, 9)).toThrow();
  });

  it('writes IDs as their own bytes and supports size overrides', () => {
    expect(hex(element(0xa3, new Uint8Array([1, 2])))).toBe('a3820102');
    expect(hex(element(0x4286, []))).toBe('428680');
    expect(hex(element(0x2ad7b1, [Uint8Array.of(7)]))).toBe('2ad7b18107');
    expect(hex(element(0x1a45dfa3, new Uint8Array(0)))).toBe('1a45dfa380');
    expect(hex(element(0x1f43b675, Uint8Array.of(9), { size: UNKNOWN_SIZE }))).toBe('1f43b67501ffffffffffffff09');
    expect(hex(element(0xec, new Uint8Array(0), { size: UNKNOWN_SIZE, sizeWidth: 1 }))).toBe('ecff');
    expect(hex(element(0xa3, Uint8Array.of(1), { size: 100 }))).toBe('a3e401');
    expect(hex(element(0xa3, Uint8Array.of(1), { sizeWidth: 4 }))).toBe('a31000000101');
  });

  it('encodes numbers and strings', () => {
    expect(hex(uintElement(0xd7, 0))).toBe('d78100');
    expect(hex(uintElement(0x2ad7b1, 1000))).toBe('2ad7b18203e8');
    expect(hex(uintElement(0x73c5, 0xfedcba9876543210n))).toBe('73c588fedcba9876543210');
    expect(hex(intElement(0xfb, -1))).toBe('fb81ff');
    expect(hex(intElement(0xfb, 128))).toBe('fb820080');
    expect(hex(intElement(0xfb, -129))).toBe('fb82ff7f');
    expect(hex(stringElement(0x86, 'µ'))).toBe('8682c2b5');
    expect(hex(floatElement(0x4489, 1.5, 4))).toBe('4489843fc00000');
    expect(hex(floatElement(0x4489, 1.5))).toBe('4489883ff8000000000000');
    expect(hex(concat([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]))).toBe('010203');
  });
});

describe('buildK4a() byte layout', () => {
  const { built, truth } = buildK4a();
  const b = built.bytes;
  const { header, segment, top } = segmentOf(b);

  it('starts with the EBML header the SDK writes', () => {
    expect(hex(b.subarray(0, 4))).toBe('1a45dfa3');
    const fields = new Map(childrenOf(b, header.dataStart, header.dataEnd).map((e) => [e.id, e]));
    expect(readUint(b, fields.get(0x4286)!)).toBe(1n);
    expect(readUint(b, fields.get(0x42f2)!)).toBe(4n);
    expect(readUint(b, fields.get(0x42f3)!)).toBe(8n);
    const docType = fields.get(0x4282)!;
    expect(Buffer.from(b.subarray(docType.dataStart, docType.dataEnd)).toString()).toBe('matroska');
    expect(readUint(b, fields.get(0x4285)!)).toBe(2n);
  });

  it('has a Segment with an 8-byte size that reaches the end of the file', () => {
    expect(segment.id).toBe(0x18538067);
    expect(segment.dataStart - segment.offset).toBe(12);
    expect(b[segment.offset + 4]).toBe(0x01);
    expect(segment.dataEnd).toBe(b.length);
  });

  it('orders top-level elements like k4arecord, with SDK-sized reserved areas', () => {
    const ids = top.map((e) => e.id);
    const clusters = ids.filter((id) => id === 0x1f43b675).length;
    expect(ids).toEqual([
      0x114d9b74, 0xec, 0x1549a966, 0xec, 0x1654ae6b, 0x1941a469, 0x1254c367, 0xec,
      ...Array<number>(clusters).fill(0x1f43b675),
      0x1c53bb6b,
    ]);
    expect(top[2]!.offset - top[0]!.offset).toBe(1027);
    expect(top[4]!.offset - top[2]!.offset).toBe(259);
  });

  it('points SeekHead entries at the right elements', () => {
    const seeks = childrenOf(b, top[0]!.dataStart, top[0]!.dataEnd);
    expect(seeks).toHaveLength(5);
    for (const seek of seeks) {
      const [idEl, posEl] = childrenOf(b, seek.dataStart, seek.dataEnd);
      const target = readElementHeader(b, segment.dataStart + Number(readUint(b, posEl!)), b.length);
      expect(target.id).toBe(Number(readUint(b, idEl!)));
    }
  });

  it('writes TimecodeScale 1000, a 4-byte Duration and an 8-byte DateUTC', () => {
    const info = new Map(childrenOf(b, top[2]!.dataStart, top[2]!.dataEnd).map((e) => [e.id, e]));
    expect(readUint(b, info.get(0x2ad7b1)!)).toBe(1000n);
    const duration = info.get(0x4489)!;
    expect(duration.dataEnd - duration.dataStart).toBe(4);
    const last = Math.max(...truth.color, ...truth.imu);
    expect(Buffer.from(b.subarray(duration.dataStart, duration.dataEnd)).readFloatBE(0)).toBe(
      last - Number(truth.startOffsetNs) / 1000,
    );
    expect(info.get(0x4461)!.dataEnd - info.get(0x4461)!.dataStart).toBe(8);
  });

  it('reports cluster and block offsets that match the file', () => {
    const clusters = top.filter((e) => e.id === 0x1f43b675);
    expect(built.clusterOffsets).toEqual(clusters.map((c) => c.offset));
    const blocks = clusters.flatMap((c) =>
      childrenOf(b, c.dataStart, c.dataEnd).filter((e) => e.id === 0xa3 || e.id === 0xa0),
    );
    expect(built.blockOffsets.map(({ offset, end }) => ({ offset, end }))).toEqual(
      blocks.map((e) => ({ offset: e.offset, end: e.dataEnd })),
    );
    expect(built.blockOffsets.filter((x) => x.track !== 4)).toHaveLength(30);
  });

  it('puts a valid little-endian CRC-32 first in every Cluster and in Tags', () => {
    const withCrc = top.filter((e) => e.id === 0x1f43b675 || e.id === 0x1254c367);
    expect(withCrc.length).toBeGreaterThan(2);
    for (const parent of withCrc) {
      const [first] = childrenOf(b, parent.dataStart, parent.dataEnd);
      expect(first!.id).toBe(0xbf);
      const stored = Buffer.from(b.subarray(first!.dataStart, first!.dataEnd)).readUInt32LE(0);
      expect(stored).toBe(crc32(b.subarray(first!.dataEnd, parent.dataEnd)));
    }
  });

  it('stores block times as device time minus K4A_START_OFFSET_NS', () => {
    const offsetUs = Number(truth.startOffsetNs) / 1000;
    expect(offsetUs).toBe(truth.imu[0]);
    const videoTimes = new Map<number, number[]>([[1, []], [2, []], [3, []]]);
    for (const c of top.filter((e) => e.id === 0x1f43b675)) {
      const kids = childrenOf(b, c.dataStart, c.dataEnd);
      const clusterTime = Number(readUint(b, kids.find((k) => k.id === 0xe7)!));
      for (const k of kids) {
        if (k.id === 0xa3) {
          const track = b[k.dataStart]! & 0x7f;
          const rel = Buffer.from(b.subarray(k.dataStart + 1, k.dataStart + 3)).readInt16BE(0);
          expect(b[k.dataStart + 3]).toBe(0x80);
          videoTimes.get(track)!.push(clusterTime + rel + offsetUs);
        }
        if (k.id === 0xa0) {
          // §2.3: an IMU sample's own ns timestamp minus its block time recovers the offset.
          const block = childrenOf(b, k.dataStart, k.dataEnd).find((e) => e.id === 0xa1)!;
          const rel = Buffer.from(b.subarray(block.dataStart + 1, block.dataStart + 3)).readInt16BE(0);
          const laced = (b[block.dataStart + 3]! & 0x06) !== 0;
          const sample = block.dataStart + 4 + (laced ? 1 : 0);
          const accNs = Buffer.from(b.subarray(sample, sample + 8)).readBigUInt64LE(0);
          expect(accNs - BigInt(clusterTime + rel) * 1000n).toBe(truth.startOffsetNs);
        }
      }
    }
    expect(videoTimes.get(1)).toEqual(truth.color);
    expect(videoTimes.get(2)).toEqual(truth.depth);
    expect(videoTimes.get(3)).toEqual(truth.ir);
  });

  it('is deterministic', () => {
    expect(hex(buildK4a().built.bytes)).toBe(hex(b));
  });
});

describe('buildK4a() timestamps', () => {
  it('follows the 90 kHz cadence and leaves dropped frames out', () => {
    const { truth } = buildK4a({ frames: 6, drops: [2], depthDelayUs: -80, imu: false });
    expect(truth.color).toEqual([1000000, 1033333, 1100000, 1133333, 1166666]);
    expect(truth.depth).toEqual(truth.color.map((t) => t - 80));
    expect(truth.startOffsetNs).toBe(999_920_000n);
    expect(truth.imu).toEqual([]);
  });

  it('reports overridden start offsets, including a missing one', () => {
    expect(buildK4a({ frames: 2 }, { startOffsetNs: null }).truth.startOffsetNs).toBeNull();
    expect(buildK4a({ frames: 2 }, { startOffsetNs: 900_000_000n }).truth.startOffsetNs).toBe(900_000_000n);
  });
});

describe('mkvinfo accepts the output', () => {
  it('parses a default buildK4a() recording', () => {
    const { built, truth } = buildK4a();
    const { status, out } = mkvinfo(built.bytes);
    expect(status).toBe(0);
    for (const name of ['COLOR', 'DEPTH', 'IR', 'IMU']) expect(out).toContain(`Name: ${name}\n`);
    expect(out).toContain('FourCC: 0x4d4a5047 "MJPG"');
    expect(out).toContain('Timestamp scale: 1000');
    expect(out).toContain(`String: ${truth.startOffsetNs}`);
    expect(count(out, /Simple block: key/)).toBe(30);
    expect(count(out, /\+ Cluster\n/)).toBe(built.clusterOffsets.length);
    expect(count(out, /Block group/)).toBe(built.blockOffsets.filter((x) => x.track === 4).length);
    expect(count(out, /Frame with size 40\n/)).toBe(truth.imu.length);
    const offsetUs = Number(truth.startOffsetNs) / 1000;
    expect(simpleBlockTimesUs(out, 1).map((t) => t + offsetUs)).toEqual(truth.color);
    expect(simpleBlockTimesUs(out, 2).map((t) => t + offsetUs)).toEqual(truth.depth);
  });

  it('writes k4arecord tags in SDK order, with the right targets', () => {
    const tagNames = (out: string): string[] => [...out.matchAll(/Name: (K4A_\w+)/g)].map((m) => m[1]!);
    const sub = buildK4a({
      frames: 2,
      syncMode: 'SUBORDINATE',
      subordinateDelayUs: 160,
      customTracks: [{ name: 'TIMECODE', codecId: 'S_K4A/TIMECODE', items: [{ timeUs: 1_000_000, payload: Uint8Array.of(1) }] }],
    });
    const subInfo = mkvinfo(sub.built.bytes);
    expect(subInfo.status).toBe(0);
    expect(tagNames(subInfo.out)).toEqual([
      'K4A_COLOR_TRACK', 'K4A_COLOR_MODE', 'K4A_DEPTH_TRACK', 'K4A_DEPTH_MODE', 'K4A_IR_TRACK', 'K4A_IR_MODE',
      'K4A_DEPTH_DELAY_NS', 'K4A_WIRED_SYNC_MODE', 'K4A_SUBORDINATE_DELAY_NS', 'K4A_COLOR_FIRMWARE_VERSION',
      'K4A_DEPTH_FIRMWARE_VERSION', 'K4A_DEVICE_SERIAL_NUMBER', 'K4A_CALIBRATION_FILE', 'K4A_IMU_TRACK',
      'K4A_IMU_MODE', 'K4A_CUSTOM_TRACK_TIMECODE', 'K4A_START_OFFSET_NS',
    ]);
    expect(subInfo.out).toContain('String: 160000');
    expect(subInfo.out).toContain('Target type: ATTACHMENT');

    const passive = buildK4a({ frames: 2, colorMode: null, depthMode: 'PASSIVE_IR', imu: false, calibration: false });
    const passiveInfo = mkvinfo(passive.built.bytes);
    expect(passiveInfo.status).toBe(0);
    expect(passiveInfo.out).toContain('Name: IR\n');
    expect(passiveInfo.out).not.toContain('Name: DEPTH\n');
    expect(passiveInfo.out).toContain('Pixel width: 1024');
    // PASSIVE_IR's depth-mode tag is global: its Targets is empty, so Simple follows directly.
    expect(passiveInfo.out).toMatch(/\+ Targets\n\|  \+ Simple\n\|   \+ Name: K4A_DEPTH_MODE\n\|   \+ String: PASSIVE_IR/);
    expect(passiveInfo.out).toContain('String: PASSIVE\n');
    expect(tagNames(passiveInfo.out)).not.toContain('K4A_DEPTH_DELAY_NS');
    expect(passive.truth.depth).toEqual([]);
    expect(passive.truth.ir).toHaveLength(2);
  });

  it('parses unknown Segment and Cluster sizes', () => {
    const { built } = buildK4a({ frames: 3 }, { segmentSize: 'unknown', clusterSize: 'unknown' });
    const { status, out } = mkvinfo(built.bytes);
    expect(status).toBe(0);
    expect(out).toContain('Segment: size unknown');
    expect(count(out, /Simple block: key/)).toBe(9);
    expect(count(out, /\+ Cluster\n/)).toBe(built.clusterOffsets.length);
  });

  it('shows an unfinalized file as a Segment of size 0 without the start offset tag', () => {
    const { built } = buildK4a(
      { frames: 3 },
      { segmentSize: 'zero', startOffsetNs: null, cues: false, duration: false, seekHead: false },
    );
    const { status, out } = mkvinfo(built.bytes);
    expect(status).toBe(0);
    expect(out).toContain('Segment: size 0');
    expect(Buffer.from(built.bytes).includes('K4A_START_OFFSET_NS')).toBe(false);
    expect(Buffer.from(built.bytes).includes(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]))).toBe(false);
  });

  it('decodes every lacing mode to the original frame sizes', () => {
    // 255 and 510 hit the Xiph run boundaries; no empty frame, since mkvinfo's libmatroska
    // rejects a zero-size frame in an EBML lace (ffprobe accepts it).
    const sizes = [300, 255, 510, 1, 7];
    const tracks = (['xiph', 'ebml', 'fixed', 'none'] as const).map((lacing) => ({
      name: `L_${lacing.toUpperCase()}`,
      kind: 'subtitle' as const,
      codecId: 'S_TEST',
      highFreq: true,
      lacing,
    }));
    const items: Item[] = [];
    tracks.forEach((t, i) => {
      const frameSizes = t.lacing === 'fixed' ? [40, 40, 40] : sizes;
      frameSizes.forEach((n, j) => items.push({ track: i + 1, timeUs: 1000 * i + 10 * j, payload: new Uint8Array(n) }));
    });
    // A non-high-frequency track laced into SimpleBlocks of 3 frames.
    tracks.push({ name: 'SB', kind: 'subtitle', codecId: 'S_TEST', highFreq: false, lacing: 'ebml' });
    [9, 200, 3, 4, 5].forEach((n, j) => items.push({ track: 5, timeUs: 5000 + j, payload: new Uint8Array(n) }));

    const built = buildRecording({ tracks, items });
    const { status, out } = mkvinfo(built.bytes);
    expect(status).toBe(0);
    const frames = [...out.matchAll(/Frame with size (\d+)/g)].map((m) => Number(m[1]));
    expect(frames).toEqual([...sizes, ...sizes, 40, 40, 40, ...sizes, 9, 200, 3, 4, 5]);
    expect(out).toMatch(/track number 1, 5 frame\(s\)/);
    expect(out).toMatch(/track number 2, 5 frame\(s\)/);
    expect(out).toMatch(/track number 3, 3 frame\(s\)/);
    expect(count(out, /track number 4, 1 frame\(s\)/)).toBe(5);
    expect(out).toMatch(/Simple block: key, track number 5, 3 frame\(s\)/);
    expect(out).toMatch(/Simple block: key, track number 5, 2 frame\(s\)/);
    expect(out).toContain('Block duration: 00:00:00.000041000');
  });

  it('breaks high-frequency runs at other tracks and splits clusters for int16 times', () => {
    const built: BuiltRecording = buildRecording({
      tracks: [
        { name: 'COLOR', kind: 'video', codecId: 'V_MS/VFW/FOURCC', fourcc: 'MJPG', width: 16, height: 16 },
        { name: 'IMU', kind: 'subtitle', codecId: 'S_K4A/IMU' },
      ],
      items: [
        { track: 2, timeUs: 0, payload: new Uint8Array(40) },
        { track: 2, timeUs: 600, payload: new Uint8Array(40) },
        { track: 1, timeUs: 700, payload: new Uint8Array(8) },
        { track: 2, timeUs: 1200, payload: new Uint8Array(40) },
        { track: 1, timeUs: 40000, payload: new Uint8Array(8) },
      ],
      clusterSpanUs: 1_000_000,
    });
    expect(built.blockOffsets.map((x) => x.track)).toEqual([2, 1, 2, 1]);
    expect(built.clusterOffsets).toHaveLength(2);
    const { status, out } = mkvinfo(built.bytes);
    expect(status).toBe(0);
    expect(out).toContain('Block duration: 00:00:00.000601000');
    expect(out).toContain('Block duration: 00:00:00.000001000');
    expect(out).toContain('Cluster timestamp: 00:00:00.040000000');
    expect(out).toContain('K4A_COLOR_TRACK');
    expect(out).toContain('K4A_IMU_TRACK');
  });
});
