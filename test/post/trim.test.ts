import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorAudit, TakeAudit } from '../../src/audit/index.js';
import {
  buildFrameIndex, loadTake, locateBlocks, trimFile, trimTake, type FrameIndex, type LoadedTake, type TrimResult,
} from '../../src/post/index.js';
import { runTrim } from '../../src/cli/post-commands.js';
import { ID, voidElement } from '../../src/post/ebml.js';
import { MemorySource, readRecording, readRecordingFrom, type Recording } from '../../src/recording/index.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { k4sync } from '../e2e/cli.js';
import { buildK4a } from '../helpers/mkv-builder.js';
import { badCrcs, cleanTemp, complaints, cuePoints, SAMPLES, tempDir } from './helpers.js';

const TICK_US = 100 / 9;

afterAll(cleanTemp);

function sensor(a: TakeAudit, serial: string): SensorAudit {
  return a.sensors.find((s) => s.serial === serial)!;
}

function dropped(s: SensorAudit): number {
  return s.drops.reduce((n, d) => n + d.count, 0);
}

function payloadHashes(file: string, rec: Recording): Map<number, string> {
  const color = rec.tracks.find((t) => t.builtin === 'COLOR')!;
  const fd = openSync(file, 'r');
  try {
    return new Map(locateBlocks(file, rec, color.number).map((b) => {
      const buf = Buffer.alloc(b.size);
      readSync(fd, buf, 0, b.size, b.offset);
      return [b.deviceUs, createHash('sha1').update(buf).digest('hex')];
    }));
  } finally {
    closeSync(fd);
  }
}

/** What every trimmed take must satisfy, whatever the window. */
function checkTrimmedFiles(source: LoadedTake, result: TrimResult, index: FrameIndex, first: number, last: number): void {
  for (const col of index.sensors) {
    const file = join(result.outDir, basename(col.file));
    const src = source.sensors.find((s) => s.serial === col.serial)!;
    const full = readRecording(src.file);
    const rec = readRecording(file);
    // Our reader reads it finalized, without a single warning.
    expect(rec.finalized).toBe(true);
    expect(rec.warnings).toEqual([]);
    expect(rec.startOffset.source).toBe('tag');
    // Exactly the frames of the window, with their device timestamps unchanged.
    const inWindow = (values: Float64Array) => Array.from(values.subarray(first, last + 1)).filter((v) => !Number.isNaN(v));
    expect(Array.from(rec.color!)).toEqual(inWindow(col.colorUs));
    expect(Array.from(rec.depth!)).toEqual(inWindow(col.depthUs));
    expect(Array.from(rec.ir!)).toEqual(inWindow(col.depthUs));
    // The new start offset is the first kept item, so the file starts at block time 0.
    const lo = Math.min(rec.color![0]!, rec.depth![0]!);
    const hi = Math.max(rec.color![rec.color!.length - 1]!, rec.depth![rec.depth!.length - 1]!);
    expect(rec.startOffset.ns).toBe(BigInt(lo) * 1000n);
    // IMU samples: from the first kept image to one frame period after the last, as the official writer's files end.
    if (full.imu) {
      const imuEnd = hi + 1e6 / index.fps;
      const kept = (t: number) => t >= lo && t < imuEnd;
      expect(Array.from(rec.imu!.accTimestampsUs)).toEqual(Array.from(full.imu.accTimestampsUs).filter(kept));
      expect(Array.from(rec.imu!.gyroTimestampsUs)).toEqual(
        Array.from(full.imu.gyroTimestampsUs).filter((_, i) => kept(full.imu!.accTimestampsUs[i]!)));
      // Where the source goes on past the window, the trimmed file ends on IMU samples after its last frame.
      if (full.imu.accTimestampsUs.some((t) => t >= imuEnd)) expect(rec.imu!.accTimestampsUs.at(-1)!).toBeGreaterThan(hi);
    }
    // The host-time track: everything from the first kept image to the last, nothing else.
    if (full.hostTimes) {
      const keep = Array.from(full.hostTimes.deviceUs.keys()).filter((i) => full.hostTimes!.deviceUs[i]! >= lo && full.hostTimes!.deviceUs[i]! <= hi);
      expect(Array.from(rec.hostTimes!.deviceUs)).toEqual(keep.map((i) => full.hostTimes!.deviceUs[i]));
      expect(Array.from(rec.hostTimes!.hostUs)).toEqual(keep.map((i) => full.hostTimes!.hostUs[i]));
    }
    // Tracks, attachments and tags (with their targets) unchanged, but for the start offset.
    expect(rec.tracks).toEqual(full.tracks);
    expect(rec.attachments.map((a) => ({ ...a, offset: 0 }))).toEqual(full.attachments.map((a) => ({ ...a, offset: 0 })));
    expect(rec.calibration).toEqual(full.calibration);
    const tagsBut = (r: Recording) => r.tags.filter((t) => t.name !== 'K4A_START_OFFSET_NS');
    expect(tagsBut(rec)).toEqual(tagsBut(full));
    expect(rec.tags.filter((t) => t.name === 'K4A_START_OFFSET_NS')).toEqual([{ name: 'K4A_START_OFFSET_NS', value: String(lo * 1000), target: { kind: 'global' } }]);
    // Info: Duration is the last kept item, as k4arecord writes it.
    expect(rec.info.durationUs).toBe(rec.recordingLengthUs);
    expect({ ...rec.info, durationUs: 0 }).toEqual({ ...full.info, durationUs: 0 });
    // Payloads byte for byte.
    const before = payloadHashes(src.file, full);
    for (const [t, h] of payloadHashes(file, rec)) expect(h).toBe(before.get(t));
    // Every cluster and the Tags carry a CRC-32 that matches; Cues point at clusters, a second apart or more.
    expect(badCrcs(file)).toEqual([]);
    const cues = cuePoints(file);
    expect(cues.length).toBeGreaterThan(0);
    // The first cue is the first colour block (track 1), at its time from the new start.
    expect(cues[0]!.time).toBe(rec.color![0]! - lo);
    for (const c of cues) expect(c.pointsAtCluster).toBe(true);
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.time - cues[i - 1]!.time).toBeGreaterThanOrEqual(1_000_000);
  }
}

const TAKES = [
  { name: 'samples/daisy-chain', dir: join(SAMPLES, 'daisy-chain'), manifest: true },
  { name: 'SDK-written daisy-clean', dir: join(SDK_WRITTEN, 'daisy-clean'), manifest: false },
];

describe.each(TAKES)('trimming $name to its common window', ({ dir, manifest }) => {
  let source: LoadedTake;
  let index: FrameIndex;
  let result: TrimResult;
  let trimmed: LoadedTake;

  beforeAll(async () => {
    source = await loadTake(dir);
    index = buildFrameIndex(source);
    result = await trimTake(source, join(tempDir('common'), 'trimmed'));
    trimmed = await loadTake(result.outDir);
  });

  it('every sensor starts and ends on the same rig frame: the audit window covers all frames', () => {
    const a = trimmed.audit;
    expect(a.window!.frames).toBe(index.rows);
    expect(a.sensors).toHaveLength(index.sensors.length);
    for (const s of a.sensors) {
      expect(s.window).toEqual({ framesBefore: 0, framesAfter: 0 });
      expect(s.frames + dropped(s)).toBe(a.window!.frames);
    }
    const again = buildFrameIndex(trimmed);
    expect(again.rows).toBe(index.rows);
    for (const col of again.sensors) {
      expect(Number.isNaN(col.frame[0]!)).toBe(false);
      expect(Number.isNaN(col.frame[again.rows - 1]!)).toBe(false);
    }
  });

  it('loses no frame inside the window: frames = window frames minus the real drops', () => {
    for (const col of index.sensors) {
      const s = sensor(trimmed.audit, col.serial);
      expect(s.frames).toBe(col.delivered);
      expect(s.frames).toBe(index.rows - col.missing);
      const rec = result.record.sensors.find((x) => x.serial === col.serial)!;
      expect(rec.frames['COLOR']).toBe(col.delivered);
      expect(rec.missing).toBe(col.missing);
    }
  });

  it('leaves the audit\'s other numbers unchanged', () => {
    const a = source.audit;
    const b = trimmed.audit;
    expect(b.reference).toBe(a.reference);
    expect(b.syncSource).toBe(a.syncSource);
    expect(b.verdict).toBe(a.verdict);
    const statuses = (x: TakeAudit) => x.checks.map((c) => `${c.id}/${c.sensor}/${c.status}`).sort();
    expect(statuses(b)).toEqual(statuses(a));
    for (const sa of a.sensors) {
      const sb = sensor(b, sa.serial);
      // Drops: the same frames, counted from the new first frame.
      expect(sb.drops.map((d) => [d.frameIndex, d.count, d.deviceTimestampUs])).toEqual(
        sa.drops.map((d) => [d.frameIndex - sa.window!.framesBefore, d.count, d.deviceTimestampUs]));
      // Rates: the trimmed take carries its source's clock (take.json's trim record), not a fit of fewer frames.
      expect(sb.clockRateSource).toBe('source-take');
      expect(sa.clockRateSource).toBe('fitted');
      expect(sb.clockRatePpm).toBe(sa.clockRatePpm);
      expect(sb.clockRateStdErrPpm).toBe(sa.clockRateStdErrPpm);
      expect(sb.locked).toBe(sa.locked);
      expect(sb.lockEvidence).toBe(sa.lockEvidence);
      expect(sb.role).toBe(sa.role);
      // Jitter is measured against a fit of fewer frames: within a fraction of a tick.
      expect(Math.abs(sb.jitterTicks!.rms - sa.jitterTicks!.rms)).toBeLessThan(0.5);
      expect(Math.abs(sb.colorToDepth!.measuredUs - sa.colorToDepth!.measuredUs)).toBeLessThan(TICK_US);
      for (const key of ['offset', 'depthOffset'] as const) {
        const oa = sa[key];
        const ob = sb[key];
        if (!oa) {
          expect(ob).toBeNull();
          continue;
        }
        expect(ob!.expectedUs).toBe(oa.expectedUs);
        expect(ob!.frameShift).toBe(oa.frameShift);
        expect(ob!.aligned).toBe(oa.aligned);
        expect(ob!.pairedBy).toBe(oa.pairedBy);
        expect(Math.abs(ob!.measuredUs! - oa.measuredUs!)).toBeLessThan(TICK_US);
      }
    }
  });

  it('keeps the Azure Kinect format intact: ffprobe and mkvinfo find nothing new to complain about', () => {
    for (const s of result.record.sensors) {
      const before = new Set(complaints(s.sourceFile));
      const after = complaints(join(result.outDir, s.file));
      // The sample's complaints are none; the SDK fixture's JPEGs lack their EOI marker, payloads copied as they are.
      expect(after.filter((c) => !before.has(c))).toEqual([]);
    }
  });

  it('copies payloads byte for byte, re-bases times, and rewrites Tags, Info, Cues and every CRC-32', () => {
    checkTrimmedFiles(source, result, index, 0, index.rows - 1);
  });

  it('writes take.json recording the trim' + (manifest ? ', carrying the source take.json over' : ''), () => {
    const json = JSON.parse(readFileSync(join(result.outDir, 'take.json'), 'utf8')) as Record<string, unknown>;
    const trim = json['trim'] as typeof result.record;
    expect(trim.schema).toBe('k4sync.trim/1');
    expect(trim.source.dir).toBe(source.dir);
    expect(trim.window).toMatchObject({ spec: 'common', rigFrames: { first: 0, last: index.rows - 1 }, frames: index.rows, reference: index.reference });
    expect(trim.sensors.map((s) => [s.serial, s.frames['COLOR']])).toEqual(index.sensors.map((c) => [c.serial, c.delivered]));
    if (manifest) {
      const original = JSON.parse(readFileSync(join(dir, 'take.json'), 'utf8')) as Record<string, unknown>;
      expect({ ...json, trim: undefined }).toEqual({ ...original, trim: undefined });
    } else {
      expect(Object.keys(json)).toEqual(['trim']);
    }
  });
});

describe('trimming a sub-window', () => {
  const dir = join(SAMPLES, 'daisy-chain');

  it('frames:A-B keeps exactly those rig frames; clusters at the edges are rebuilt', async () => {
    const source = await loadTake(dir);
    const index = buildFrameIndex(source);
    const result = await trimTake(source, join(tempDir('sub'), 'out'), 'frames:40-99');
    const a = (await loadTake(result.outDir)).audit;
    expect(a.window!.frames).toBe(60);
    for (const s of a.sensors) {
      expect(s.frames).toBe(60);
      expect(s.window).toEqual({ framesBefore: 0, framesAfter: 0 });
    }
    checkTrimmedFiles(source, result, index, 40, 99);
    for (const s of result.record.sensors) expect(complaints(join(result.outDir, s.file))).toEqual([]);
  });

  it('a window across a burst of drops keeps the drop, at its place', async () => {
    const source = await loadTake(dir);
    const index = buildFrameIndex(source);
    const result = await trimTake(source, join(tempDir('drop'), 'out'), 'frames:100-149');
    const a = (await loadTake(result.outDir)).audit;
    const s2 = sensor(a, '000100000002');
    expect(a.window!.frames).toBe(50);
    expect(s2.frames).toBe(47);
    expect(s2.drops.map((d) => [d.frameIndex, d.count])).toEqual([[20, 3]]);
    checkTrimmedFiles(source, result, index, 100, 149);
  });

  it('tc:IN-OUT picks rig frames by timecode when the take has it', async () => {
    const source = await loadTake(dir);
    const timeline = source.timeline!;
    // A stand-in for the audit's per-frame timecode: the reference's frames counted from 01:00:00:00 at 30 fps.
    timeline.timecodeRate = 30;
    for (const s of timeline.sensors) {
      s.timecodeFrames = s.serial !== timeline.reference ? null
        : Float64Array.from(s.colorOnReference, (us) => 108000 + Math.round((us - timeline.window.startUs) / timeline.periodUs));
    }
    const result = await trimTake(source, join(tempDir('tc'), 'out'), 'tc:01:00:01:00-01:00:01:29');
    expect(result.record.window.rigFrames).toEqual({ first: 30, last: 59 });
    expect(result.record.window.timecodeIn).toBe('01:00:01:00');
    expect(result.record.window.timecodeOut).toBe('01:00:01:29');
    expect((await loadTake(result.outDir)).audit.window!.frames).toBe(30);
  });
});

describe('trimming a take with a file cut short', () => {
  it('names the cut sensor and says in one line what it keeps: the window every sensor covers', async () => {
    const take = tempDir('cut');
    for (const f of ['000100000001.mkv', '000100000002.mkv', '000100000003.mkv', 'take.json', 'rig.json']) {
      copyFileSync(join(SAMPLES, 'daisy-chain', f), join(take, f));
    }
    const cutAt = Math.floor(statSync(join(take, '000100000003.mkv')).size * 0.4);
    truncateSync(join(take, '000100000003.mkv'), cutAt);
    const result = await trimTake(take, join(tempDir('cut-out'), 'out'));
    const rows = result.record.window.rigFrames;
    const about = result.notes.filter((n) => n.includes('000100000003'));
    expect(about).toHaveLength(1);
    expect(about[0]).not.toContain('\n');
    expect(about[0]).toMatch(new RegExp(`^000100000003 \\(000100000003\\.mkv\\) is cut short: good data ends at byte \\d+ of ${cutAt}, ` +
      `its frames stop at rig frame ${rows.last}; trim keeps the window every sensor covers, rig frames ${rows.first}–${rows.last} \\(${rows.last - rows.first + 1} frames\\)\\.$`));
    // The other sensors are not named: only the cut one explains the short window.
    expect(result.notes.filter((n) => /cut short/.test(n))).toHaveLength(1);
  });
});

describe('trim refuses what it cannot do', () => {
  it('a timecode range on a take without timecode: K4S_NO_TIMECODE (an input error: exit 2), nothing written', async () => {
    const out = join(tempDir('notc'), 'out');
    await expect(trimTake(join(SAMPLES, 'daisy-chain'), out, 'tc:01:00:00:00-01:00:05:00')).rejects.toMatchObject({ code: 'K4S_NO_TIMECODE' });
    await expect(runTrim(join(SAMPLES, 'daisy-chain'), { out, window: 'tc:01:00:00:00-01:00:05:00' }))
      .rejects.toMatchObject({ code: 'K4S_NO_TIMECODE', kind: 'input', message: expect.stringMatching(/has no timecode/) });
    expect(existsSync(out)).toBe(false);
  });

  it('a malformed window, the take itself as output, an output that already has files: input errors, nothing touched', async () => {
    const take = join(SAMPLES, 'daisy-chain');
    const refused = (code: string) => ({ code, kind: 'input' });
    await expect(runTrim(take, { out: join(tempDir('bad'), 'o'), window: 'frames:9-3' })).rejects.toMatchObject(refused('K4S_BAD_WINDOW'));
    await expect(runTrim(take, { out: join(tempDir('bad'), 'o'), window: 'frames:0-100000' })).rejects.toMatchObject(refused('K4S_BAD_WINDOW'));
    // The window is named as the user wrote it.
    await expect(runTrim(take, { out: join(tempDir('bad'), 'o'), window: 'frames:500-600' })).rejects.toMatchObject({ message: expect.stringMatching(/^--window frames:500-600: /) });
    await expect(runTrim(take, { out: join(tempDir('bad'), 'o'), window: 'sometimes' })).rejects.toMatchObject(refused('K4S_BAD_WINDOW'));
    await expect(runTrim(take, { out: take })).rejects.toMatchObject(refused('K4S_OUTPUT_IS_INPUT'));
    const busy = tempDir('busy');
    writeFileSync(join(busy, '000100000001.mkv'), 'not mine');
    await expect(runTrim(take, { out: busy })).rejects.toMatchObject(refused('K4S_OUT_EXISTS'));
    expect(readFileSync(join(busy, '000100000001.mkv'), 'utf8')).toBe('not mine');
    await expect(runTrim(join(tempDir('empty')), { out: join(tempDir('bad'), 'o') })).rejects.toMatchObject(refused('K4S_NO_TAKE'));
  });
});

describe('trimming files from other writers', () => {
  it('cuts laced IMU runs sample by sample, keeps custom tracks, reads unknown-size clusters of an unfinalized file', async () => {
    const take = tempDir('synthetic');
    const hf = Array.from({ length: 120 }, (_, i) => ({ timeUs: 1_000_000 + i * 5000, payload: new Uint8Array(3 + (i % 4)).fill(i) }));
    const tc = Array.from({ length: 30 }, (_, i) => ({ timeUs: 1_000_000 + Math.floor((i * 3000 * 100) / 9), payload: new TextEncoder().encode(`frame ${i}`) }));
    const { built } = buildK4a(
      { frames: 30, serial: '000900000001', customTracks: [{ name: 'LOG', codecId: 'S_K4A/LOG', items: hf, highFreq: true }, { name: 'TC', codecId: 'S_K4A/TIMECODE', items: tc }] },
      { clusterSize: 'unknown', segmentSize: 'zero', startOffsetNs: null, cues: false },
    );
    // k4arecord writes Info only when it finalizes: blank it out, as in a file whose writer never closed it.
    const bytes = Buffer.from(built.bytes);
    const info = readRecordingFrom(new MemorySource(bytes), 'synthetic').layout.headerElements.find((e) => e.id === ID.Info)!;
    bytes.set(voidElement(info.end - info.start), info.start);
    writeFileSync(join(take, '000900000001.mkv'), bytes);
    const source = await loadTake(take);
    expect(source.sensors[0]!.recording!.finalized).toBe(false);
    expect(source.sensors[0]!.recording!.warnings.map((w) => w.code)).toContain('K4S_NO_INFO');
    const out = join(tempDir('synthetic-out'), 'out');
    const result = await trimTake(source, out, 'frames:5-24');
    const file = join(out, '000900000001.mkv');
    const rec = readRecording(file);
    const full = readRecording(join(take, '000900000001.mkv'));
    expect(rec.finalized).toBe(true);
    expect(rec.warnings).toEqual([]);
    expect(rec.color!.length).toBe(20);
    const lo = rec.color![0]!;
    const hi = rec.color![rec.color!.length - 1]!;
    expect(lo).toBe(full.color![5]);
    expect(Array.from(rec.imu!.accTimestampsUs)).toEqual(Array.from(full.imu!.accTimestampsUs).filter((t) => t >= lo && t < hi + 1e6 / 30));
    expect(rec.imu!.accTimestampsUs.at(-1)!).toBeGreaterThan(hi);
    const custom = (r: Recording, name: string) => r.customTracks.find((c) => c.track.name === name)!;
    // Custom tracks keep the blocks that start inside the span; laced ones are kept or left whole.
    expect(custom(rec, 'TC').blocks).toBe(20);
    expect(custom(rec, 'TC').firstUs).toBe(lo);
    expect(custom(rec, 'LOG').firstUs).toBeGreaterThanOrEqual(lo);
    expect(custom(rec, 'LOG').blocks).toBeGreaterThan(0);
    expect(badCrcs(file)).toEqual([]);
    // The synthetic payloads are not JPEGs: ffprobe says so of the source too. Nothing else.
    const before = new Set(complaints(join(take, '000900000001.mkv')));
    expect(complaints(file).filter((c) => !before.has(c))).toEqual([]);
    expect(result.record.sensors[0]!.frames).toMatchObject({ COLOR: 20, DEPTH: 20, IR: 20, TC: 20 });
  });
});

describe('cutting inside a laced IMU run (trimFile with its own spans)', () => {
  it('keeps exactly the samples of the span, re-timed and re-laced, with BlockDuration and CRCs right', async () => {
    const file = join(SDK_WRITTEN, 'daisy-clean', 'daisy-clean-s0.mkv');
    const full = readRecording(file);
    const acc = full.imu!.accTimestampsUs;
    const c = full.color!;
    const d = full.depth!;
    // Spans that start and end in the middle of IMU runs (between two frames), not at a frame.
    const from = acc.find((t) => t > (c[4]! + c[5]!) / 2)!;
    const to = acc.find((t) => t > (c[40]! + c[41]!) / 2)!;
    const tracks = new Map(full.tracks.filter((t) => t.builtin !== 'IMU').map((t) => [t.number, t.builtin === 'COLOR' ? { fromUs: c[5]!, toUs: c[40]! } : { fromUs: d[5]!, toUs: d[40]! }]));
    const target = join(tempDir('imu-cut'), 'cut.mkv');
    const r = await trimFile(file, target, full, { tracks, others: { fromUs: from, toUs: to }, firstUs: from });
    const rec = readRecording(target);
    expect(rec.warnings).toEqual([]);
    expect(rec.finalized).toBe(true);
    expect(rec.startOffset.ns).toBe(BigInt(from) * 1000n);
    expect(Array.from(rec.color!)).toEqual(Array.from(c.subarray(5, 41)));
    expect(Array.from(rec.depth!)).toEqual(Array.from(d.subarray(5, 41)));
    expect(Array.from(rec.imu!.accTimestampsUs)).toEqual(Array.from(acc).filter((t) => t >= from && t <= to));
    expect(r.kept.get(full.tracks.find((t) => t.builtin === 'IMU')!.number)).toBe(rec.imu!.accTimestampsUs.length);
    // The recording length the SDK computes (last block + its duration − 1) is the last kept sample: BlockDuration
    // of a cut run is its new span + 1 µs.
    expect(rec.recordingLengthUs).toBe(to - from);
    expect(rec.info.durationUs).toBe(to - from);
    expect(badCrcs(target)).toEqual([]);
    const before = new Set(complaints(file));
    expect(complaints(target).filter((x) => !before.has(x))).toEqual([]);
  });
});

describe('a one-minute take (1800 frames, simulated)', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tempDir('minute'), 'take');
    mkdirSync(dir);
    const r = k4sync('simulate', join(SAMPLES, 'daisy-chain/rig.json'), '--out', dir, '--frames', '1800');
    if (r.status !== 0) throw new Error(`simulate failed: ${r.stderr}`);
  }, 120_000);

  it('trims with rates within 0.05 ppm, the same drops and offsets within a tick', async () => {
    const source = await loadTake(dir);
    const result = await trimTake(source, join(tempDir('minute-out'), 'out'));
    const b = (await loadTake(result.outDir)).audit;
    const a = source.audit;
    expect(b.window!.frames).toBe(a.window!.frames);
    for (const sa of a.sensors) {
      const sb = sensor(b, sa.serial);
      expect(Math.abs(sb.clockRatePpm! - sa.clockRatePpm!)).toBeLessThan(0.05);
      expect(sb.drops.map((d) => [d.frameIndex + sa.window!.framesBefore, d.count])).toEqual(sa.drops.map((d) => [d.frameIndex, d.count]));
      expect(sb.window).toEqual({ framesBefore: 0, framesAfter: 0 });
      if (sa.offset) expect(Math.abs(sb.offset!.measuredUs! - sa.offset.measuredUs!)).toBeLessThan(TICK_US);
    }
  }, 120_000);
});
