import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverTake, type RecoveredFile } from '../../src/post/index.js';
import { readRecording, type Recording } from '../../src/recording/index.js';
import { loadTakeJson } from '../../src/take/index.js';
import { buildK4a } from '../helpers/mkv-builder.js';
import { badCrcs, cleanTemp, complaints, cuePoints, ROOT, tempDir } from './helpers.js';
import { exe, tool } from '../helpers/platform.js';

/**
 * recover on files a killed writer left: write_test_recording (the native writer, k4arecord's layout) aborted after a
 * flush with clusters written past it, the same cut short inside its last cluster, and a file closed normally.
 */

const WRITER = join(ROOT, 'build', exe('write_test_recording'));

afterAll(cleanTemp);

/** A one-file take folder holding what `write_test_recording ...args` leaves (it aborts when asked to). */
function writtenTake(name: string, ...args: string[]): string {
  if (!existsSync(WRITER)) throw new Error(`${WRITER} is missing: the native layer was not built (npm install builds it)`);
  const dir = join(tempDir(name), 'take');
  mkdirSync(dir);
  const r = spawnSync(WRITER, [join(dir, 'sensor.mkv'), ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return dir;
}

/** Every timestamp the reader gives, per track: what a recovered file must hold exactly. */
function timestamps(rec: Recording) {
  return {
    color: Array.from(rec.color ?? []),
    depth: Array.from(rec.depth ?? []),
    ir: Array.from(rec.ir ?? []),
    imu: Array.from(rec.imu?.accTimestampsUs ?? []),
    gyro: Array.from(rec.imu?.gyroTimestampsUs ?? []),
    custom: rec.customTracks.map((c) => ({ name: c.track.name, blocks: c.blocks, firstUs: c.firstUs, lastUs: c.lastUs })),
    hostUs: Array.from(rec.hostTimes?.hostUs ?? []),
  };
}

/**
 * What ffprobe says of a file this writer closed normally: its synthetic JPEGs' own notes, which payloads copied
 * byte for byte keep.
 */
let closedComplaints: Set<string>;
beforeAll(() => {
  closedComplaints = new Set(complaints(join(writtenTake('reference', '--seconds', '1'), 'sensor.mkv')));
});

/** Reads back as the source reads, finalized, and every tool opens it with no complaint a closed file does not get. */
function expectRecovered(out: string, source: Recording): Recording {
  const rec = readRecording(out);
  expect(rec.finalized).toBe(true);
  expect(rec.truncatedAt).toBeNull();
  expect(rec.warnings).toEqual([]);
  expect(rec.startOffset).toEqual({ ns: source.startOffset.ns, source: 'tag' });
  expect(timestamps(rec)).toEqual(timestamps(source));
  // Everything but the start offset tag, which only a flush writes, is the source's.
  expect(rec.tracks).toEqual(source.tracks);
  expect(rec.attachments.map(({ offset: _, ...a }) => a)).toEqual(source.attachments.map(({ offset: _, ...a }) => a));
  expect(rec.tags.filter((t) => t.name !== 'K4A_START_OFFSET_NS')).toEqual(source.tags.filter((t) => t.name !== 'K4A_START_OFFSET_NS'));
  expect(complaints(out).filter((c) => !closedComplaints.has(c))).toEqual([]);
  const verbose = spawnSync(tool('mkvinfo'), ['-v', out], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  expect(verbose.status, verbose.stderr).toBe(0);
  expect(verbose.stdout.split('\n').filter((l) => /error|warning/i.test(l))).toEqual([]);
  expect(badCrcs(out)).toEqual([]);
  // Cues point at clusters, a second apart at most, up to the last second of colour.
  const cues = cuePoints(out);
  expect(cues.length).toBeGreaterThan(0);
  expect(cues.every((c) => c.pointsAtCluster)).toBe(true);
  for (let i = 1; i < cues.length; i++) expect(cues[i]!.time - cues[i - 1]!.time).toBeLessThan(1_100_000);
  const lastColorTicks = rec.color![rec.color!.length - 1]! - Number(rec.startOffset.ns / 1000n);
  expect(lastColorTicks - cues[cues.length - 1]!.time).toBeLessThan(1_100_000);
  return rec;
}

function only(files: RecoveredFile[]): RecoveredFile {
  expect(files).toHaveLength(1);
  return files[0]!;
}

describe('recover: a writer killed after a flush, with clusters written past it', () => {
  let take: string;
  let source: Recording;
  beforeAll(() => {
    // Flushed at 3 s; the 2 s reorder window then released a second of clusters before the abort.
    take = writtenTake('past-flush', '--seconds', '6', '--flush-every', '3', '--abort-before-close');
    source = readRecording(join(take, 'sensor.mkv'));
  });

  it('rewrites it into a finalized file holding every block the reader finds, and says what was wrong', async () => {
    const out = join(tempDir('past-flush-out'), 'recovered');
    const result = await recoverTake(take, out);
    const f = only(result.record.files);
    expect(f.status).toBe('recovered');
    expect(f.problems.join(' | ')).toMatch(/Segment size is stale/);
    expect(f.problems.join(' | ')).toMatch(/clusters lie past its last index/);
    expect(f.pastIndex.clusters).toBeGreaterThan(0);
    expect(f.pastIndex.frames['COLOR']).toBeGreaterThan(0);
    const rec = expectRecovered(join(out, 'sensor.mkv'), source);
    expect(f.blocks).toEqual({ COLOR: rec.color!.length, DEPTH: rec.depth!.length, IR: rec.ir!.length, IMU: rec.imu!.accTimestampsUs.length, HOST_TIME: rec.customTracks[0]!.blocks });
    expect(f.bytes).toBe(statSync(join(out, 'sensor.mkv')).size);
    expect(f.startOffsetNs).toBe(source.startOffset.ns.toString());
    // A take from another tool gets a take.json with the record alone, which reads as one.
    const json = loadTakeJson(join(out, 'take.json'));
    expect(json.problem).toBeNull();
    expect(json.json?.recover?.source.dir).toBe(take);
    expect(result.record.stopReason).toBeNull();
    expect(readdirSync(out).sort()).toEqual(['sensor.mkv', 'take.json']);
  });

  it('drops a block cut short by the kill and keeps every complete one', async () => {
    const cut = join(tempDir('cut'), 'take');
    mkdirSync(cut);
    copyFileSync(join(take, 'sensor.mkv'), join(cut, 'sensor.mkv'));
    // Half a depth image off the end: the last cluster (colour, depth, IR of a frame, ~1.5 MB) ends inside a block.
    truncateSync(join(cut, 'sensor.mkv'), statSync(join(cut, 'sensor.mkv')).size - 300_000);
    const cutSource = readRecording(join(cut, 'sensor.mkv'));
    expect(cutSource.color!.length + cutSource.depth!.length + cutSource.ir!.length).toBeLessThan(source.color!.length + source.depth!.length + source.ir!.length);
    const out = join(tempDir('cut-out'), 'recovered');
    const f = only((await recoverTake(cut, out)).record.files);
    expect(f.problems.join(' | ')).toMatch(/last cluster is cut short: the \d+ bytes from byte \d+ \(a block being written\) were dropped/);
    expectRecovered(join(out, 'sensor.mkv'), cutSource);
  });

  it('a recovered take recovered again: its file is whole, copied byte for byte, and the earlier record is kept as previous', async () => {
    const out1 = join(tempDir('again-1'), 'recovered');
    await recoverTake(take, out1);
    const out2 = join(tempDir('again-2'), 'recovered');
    const second = await recoverTake(out1, out2);
    // Recovered once, the file is whole: copied as it is, byte for byte.
    expect(only(second.record.files)).toEqual(expect.objectContaining({ status: 'copied', problems: [] }));
    expect(readFileSync(join(out2, 'sensor.mkv')).equals(readFileSync(join(out1, 'sensor.mkv')))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out2, 'take.json'), 'utf8'));
    expect(manifest.recover.source.dir).toBe(out1);
    expect(manifest.recover.previous.source.dir).toBe(take);
  });
});

describe('recover: files that need nothing', () => {
  it('a file closed normally is copied as it is, and said so', async () => {
    const take = writtenTake('closed', '--seconds', '1');
    const out = join(tempDir('closed-out'), 'recovered');
    const f = only((await recoverTake(take, out)).record.files);
    expect(f).toEqual(expect.objectContaining({ status: 'copied', problems: [], pastIndex: { clusters: 0, frames: {} } }));
    expect(f.blocks['COLOR']).toBe(30);
    expect(readFileSync(join(out, 'sensor.mkv')).equals(readFileSync(join(take, 'sensor.mkv')))).toBe(true);
  });
});

describe('recover: files from other writers', () => {
  /** A take folder holding one synthetic recording built by the test's Matroska builder. */
  function builtTake(name: string, ...args: Parameters<typeof buildK4a>): string {
    const dir = join(tempDir(name), 'take');
    mkdirSync(dir);
    writeFileSync(join(dir, '000900000001.mkv'), buildK4a(...args).built.bytes);
    return dir;
  }

  it('an unfinalized file with unknown-size clusters, laced IMU and custom tracks comes out finalized, every block kept', async () => {
    const log = Array.from({ length: 120 }, (_, i) => ({ timeUs: 1_000_000 + i * 5000, payload: new Uint8Array(3 + (i % 4)).fill(i) }));
    const take = builtTake('synthetic',
      { frames: 30, serial: '000900000001', customTracks: [{ name: 'LOG', codecId: 'S_K4A/LOG', items: log, highFreq: true }] },
      { clusterSize: 'unknown', segmentSize: 'zero', startOffsetNs: null, cues: false });
    const source = readRecording(join(take, '000900000001.mkv'));
    expect(source.finalized).toBe(false);
    const out = join(tempDir('synthetic-out'), 'recovered');
    const f = only((await recoverTake(take, out)).record.files);
    expect(f.status).toBe('recovered');
    expect(f.problems.join(' | ')).toMatch(/Segment size was never written/);
    const rec = readRecording(join(out, '000900000001.mkv'));
    expect(rec.finalized).toBe(true);
    expect(timestamps(rec)).toEqual(timestamps(source));
    expect(f.blocks['LOG']).toBe(source.customTracks.find((c) => c.track.name === 'LOG')!.blocks);
  });

  it('an unfinalized file without IMU has unknown device times: refused, K4S_NOT_RECOVERABLE, nothing written', async () => {
    const take = builtTake('no-imu', { frames: 10, imu: false }, { segmentSize: 'zero', startOffsetNs: null, cues: false });
    const parent = tempDir('no-imu-out');
    await expect(recoverTake(take, join(parent, 'recovered'))).rejects.toMatchObject({ code: 'K4S_NOT_RECOVERABLE', kind: 'input', message: expect.stringMatching(/device times are unknown/) });
    expect(readdirSync(parent)).toEqual([]);
  });
});
