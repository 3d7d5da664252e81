import { closeSync, copyFileSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFrameIndex, loadTake, locateBlocks, trimTake } from '../../src/post/index.js';
import { MemorySource, readRecording, walkBlocks } from '../../src/recording/index.js';
import { buildK4a, buildRecording } from '../helpers/mkv-builder.js';
import { cleanTemp, SAMPLES, tempDir } from './helpers.js';

/**
 * trim, index and preview walk recordings with the reader's own block walker: they work with exactly the frames the
 * audit reads, past damage the reader reads past and through laced blocks the reader expands.
 */
afterAll(cleanTemp);

const DAMAGED = '000100000002.mkv';

/** A copy of samples/daisy-chain with one byte of a Cluster ID zeroed in the middle of one file. */
function damagedTake(): { dir: string; at: number } {
  const dir = tempDir('damaged');
  for (const f of ['000100000001.mkv', '000100000002.mkv', '000100000003.mkv', 'take.json', 'rig.json']) {
    copyFileSync(join(SAMPLES, 'daisy-chain', f), join(dir, f));
  }
  const bytes = readFileSync(join(dir, DAMAGED));
  const id = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
  let at = -1;
  for (let n = 0; n < 40; n++) at = bytes.indexOf(id, at + 1);
  bytes[at] = 0;
  writeFileSync(join(dir, DAMAGED), bytes);
  return { dir, at };
}

function colorPayloads(file: string): Map<number, Buffer> {
  const rec = readRecording(file, { imuSamples: false });
  const track = rec.tracks.find((t) => t.builtin === 'COLOR')!.number;
  const fd = openSync(file, 'r');
  try {
    return new Map(locateBlocks(file, rec, track).map((b) => {
      const buf = Buffer.alloc(b.size);
      readSync(fd, buf, 0, b.size, b.offset);
      return [b.deviceUs, buf];
    }));
  } finally {
    closeSync(fd);
  }
}

describe('a recording with a damaged cluster ID', () => {
  it('the audit reads past it; trim, index and preview work with exactly the frames it reads', async () => {
    const { dir, at } = damagedTake();
    const take = await loadTake(dir);
    const sensor = take.sensors.find((s) => s.file.endsWith(DAMAGED))!;
    const rec = sensor.recording!;
    expect(rec.warnings.some((w) => w.code === 'K4S_CORRUPT' && w.offset === at)).toBe(true);
    expect(sensor.audit.frames).toBe(199);

    // preview: the frames it copies are the reader's frames, one for one.
    const located = locateBlocks(sensor.file, rec, rec.tracks.find((t) => t.builtin === 'COLOR')!.number);
    expect(located.map((b) => b.deviceUs)).toEqual(Array.from(rec.color!));

    // index: every frame the audit reads in the window is placed.
    const index = buildFrameIndex(take);
    const col = index.sensors.find((c) => c.serial === sensor.serial)!;
    expect(col.delivered + col.missing).toBe(index.rows);

    // trim: the damaged file trims, with every frame of the window and the payloads byte for byte.
    const result = await trimTake(take, join(tempDir('damaged-out'), 'out'));
    const trimmed = join(result.outDir, DAMAGED);
    const back = readRecording(trimmed);
    expect(back.warnings).toEqual([]);
    expect(back.color!.length).toBe(col.delivered);
    const source = colorPayloads(sensor.file);
    for (const [us, payload] of colorPayloads(trimmed)) expect(payload.equals(source.get(us)!)).toBe(true);
  });
});

describe('laced colour blocks', () => {
  it('are expanded frame by frame by the reader, the block locator and trim alike', async () => {
    const { spec } = buildK4a({ frames: 30, serial: '000900000002', depthMode: null, imu: false });
    const color = spec.tracks.findIndex((t) => t.name === 'COLOR');
    spec.tracks[color] = { ...spec.tracks[color]!, lacing: 'xiph', lacingRun: 3 };
    // Laced frames share a cluster; at 1 µs ticks a cluster spans 32 ms at most (16-bit block times), so use 1 ms ticks.
    spec.timecodeScale = 1_000_000;
    spec.clusterSpanUs = 1_000_000;
    // Distinct payloads, so a frame copied from the wrong place shows.
    spec.items = spec.items.map((item, i) => (item.track === color + 1 ? { ...item, payload: new Uint8Array(40 + (i % 5)).fill(i % 251) } : item));
    const dir = tempDir('laced');
    const file = join(dir, '000900000002.mkv');
    writeFileSync(file, buildRecording(spec).bytes);
    const rec = readRecording(file, { imuSamples: false });
    expect(rec.color!.length).toBe(30);
    // The file really holds laced colour: blocks of 3 frames.
    const laced = [...walkBlocks(new MemorySource(readFileSync(file)), file)].filter((b) => b.track === color + 1);
    expect(laced.map((b) => b.lace.frameSizes.length)).toEqual(new Array<number>(10).fill(3));
    const located = locateBlocks(file, rec, color + 1);
    expect(located.map((b) => b.deviceUs)).toEqual(Array.from(rec.color!));
    const want = spec.items.filter((item) => item.track === color + 1).map((item) => Buffer.from(item.payload));
    const fd = openSync(file, 'r');
    try {
      located.forEach((b, i) => {
        const buf = Buffer.alloc(b.size);
        readSync(fd, buf, 0, b.size, b.offset);
        expect(buf.equals(want[i]!)).toBe(true);
      });
    } finally {
      closeSync(fd);
    }
    const result = await trimTake(dir, join(tempDir('laced-out'), 'out'));
    expect(readRecording(join(result.outDir, '000900000002.mkv')).color!.length).toBe(result.record.window.frames);
  });
});
