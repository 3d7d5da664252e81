import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Truth } from '../../src/capture/truth.js';
import {
  buildFrameIndex, cellOf, frameIndexCsv, frameIndexJson, loadTake, locateBlocks, missingRows, rowTimecode, type FrameIndex,
} from '../../src/post/index.js';
import { runIndex } from '../../src/cli/post-commands.js';
import { readRecording } from '../../src/recording/index.js';
import { timecodeToFrames } from '../../src/timecode/index.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { buildK4a } from '../helpers/mkv-builder.js';
import { cleanTemp, SAMPLES, tempDir } from './helpers.js';

afterAll(cleanTemp);

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  try {
    const code = await run();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const daisyChain = await loadTake(join(SAMPLES, 'daisy-chain'));
const sdkDaisyClean = await loadTake(join(SDK_WRITTEN, 'daisy-clean'));

describe('the frame index of samples/daisy-chain', () => {
  const dir = join(SAMPLES, 'daisy-chain');
  const take = daisyChain;
  const index = buildFrameIndex(take);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;

  it('has exactly one row per rig frame of the common window', () => {
    expect(index.rows).toBe(take.audit.window!.frames);
    expect(index.sensors.map((s) => s.serial)).toEqual(['000100000001', '000100000002', '000100000003']);
    expect(index.excluded).toEqual([]);
    const lines = [...frameIndexCsv(index)].join('').trimEnd().split('\n');
    expect(lines).toHaveLength(index.rows + 1);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: index.rows }, (_, k) => k));
  });

  it('shows the burst of 3 dropped frames as empty cells, at their rig frames, and shifts nothing after them', () => {
    for (const s of index.sensors) {
      const t = truth.sensors.find((x) => x.serial === s.serial)!;
      const before = take.audit.sensors.find((a) => a.serial === s.serial)!.window!.framesBefore;
      const expected = t.drops.flatMap((d) => Array.from({ length: d.count }, (_, i) => d.frameIndex + i - before));
      expect(missingRows(s)).toEqual(expected);
    }
    const s2 = index.sensors[1]!;
    expect(missingRows(s2)).toEqual([120, 121, 122]);
    // Frames after the burst sit on their own rig frames: the next frame is the 121st of the file, at rig frame 123.
    expect(s2.frame[119]).toBe(119);
    expect(s2.frame[123]).toBe(120);
    const lines = [...frameIndexCsv(index)].join('').split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['rig_frame', '000100000001_frame', '000100000001_color_us', '000100000001_depth_us', '000100000001_timecode']);
    const col = header.indexOf('000100000002_frame');
    for (const k of [120, 121, 122]) {
      const cells = lines[k + 1]!.split(',');
      expect(cells.slice(col, col + 4)).toEqual(['', '', '', '']);
      expect(cells[1]).not.toBe('');
    }
    expect(cellOf(s2, 121)).toBeNull();
  });

  it('gives each frame its position in its own file and its device timestamps', () => {
    for (const s of index.sensors) {
      const rec = readRecording(s.file);
      for (let k = 0; k < index.rows; k++) {
        const c = cellOf(s, k);
        if (!c) continue;
        expect(rec.color![c.frame!]).toBe(c.colorUs);
        expect(rec.depth).toContain(c.depthUs);
        expect(c.timecode).toBeNull();
      }
    }
  });

  it('k4sync index prints CSV or JSON (runIndex)', async () => {
    const csv = await captureStdout(() => runIndex(dir, { format: 'csv' }));
    expect(csv.code).toBe(0);
    expect(csv.out.trimEnd().split('\n')).toHaveLength(index.rows + 1);
    const json = await captureStdout(() => runIndex(dir, { format: 'json' }));
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as ReturnType<typeof frameIndexJson> & { frames: { rigFrame: number; sensors: Record<string, unknown> }[]; sensors: { serial: string; missingRigFrames: number[] }[] };
    expect(doc.frames).toHaveLength(index.rows);
    expect(doc.frames[121]!.sensors['000100000002']).toBeNull();
    expect(doc.sensors.find((s) => s.serial === '000100000002')!.missingRigFrames).toEqual([120, 121, 122]);
    // Errors go to bin/'s boundary, which prints them (exit 2 for this one).
    await expect(runIndex(join(SAMPLES, 'no-such-take'), { format: 'csv' })).rejects.toMatchObject({ code: 'K4S_NOT_FOUND', kind: 'input' });
  });
});

/** The SDK fixture's payloads name the sync pulse they belong to: the index must put one pulse on each row. */
describe('the frame index of the SDK-written daisy-clean take matches the pulses its payloads name', () => {
  const take = sdkDaisyClean;
  const index = buildFrameIndex(take);

  function pulses(file: string, trackName: 'COLOR' | 'DEPTH'): Map<number, number> {
    const rec = readRecording(file);
    const track = rec.tracks.find((t) => t.builtin === trackName)!;
    const fd = openSync(file, 'r');
    const out = new Map<number, number>();
    try {
      for (const b of locateBlocks(file, rec, track.number)) {
        const buf = Buffer.alloc(b.size);
        readSync(fd, buf, 0, b.size, b.offset);
        if (trackName === 'COLOR') {
          out.set(b.deviceUs, Number(/frame=(\d+)/.exec(buf.toString('latin1'))![1]));
        } else {
          // 16 bytes of 16-bit big-endian words (depth is stored byte-swapped): marker, sensor, frame (u32), time.
          buf.swap16();
          out.set(b.deviceUs, buf.readUInt32LE(4));
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  it('puts the same pulse of every sensor on each row, colour and depth', () => {
    expect(index.rows).toBe(593);
    const byFile = new Map(index.sensors.map((s) => [s.serial, { color: pulses(s.file, 'COLOR'), depth: pulses(s.file, 'DEPTH') }]));
    for (let k = 0; k < index.rows; k++) {
      const seen = new Set<number>();
      for (const s of index.sensors) {
        const p = byFile.get(s.serial)!;
        seen.add(p.color.get(s.colorUs[k]!)!);
        seen.add(p.depth.get(s.depthUs[k]!)!);
      }
      expect([...seen]).toEqual([k + 7]);
    }
  });
});

describe('sensors outside the common window', () => {
  it('are left out of the index with the reason', async () => {
    const star = buildFrameIndex(await loadTake(join(SAMPLES, 'star-wrong-order')));
    expect(star.sensors.map((s) => s.serial)).toEqual(['000300000001', '000300000002']);
    expect(star.excluded).toEqual([expect.objectContaining({ serial: '000300000003', reason: expect.stringMatching(/4 frame period\(s\).*start-order/) })]);
    const pair = buildFrameIndex(await loadTake(join(SAMPLES, 'standalone-pair')));
    expect(pair.excluded.map((e) => e.serial)).toEqual(['000400000002']);
    expect(pair.excluded[0]!.reason).toMatch(/standalone sensor/);
  });
});

describe('property: drops are empty cells at their rig frames, never shifted rows', () => {
  const PERIOD_TICKS = 3000;
  const at = (frame: number) => 2_000_000 + Math.floor((frame * PERIOD_TICKS * 100) / 9);

  it('for any drops and any subordinate start-up delay', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 10, max: 69 }), { maxLength: 6 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 58 }), { maxLength: 6 }),
        async (late, masterDrops, subDrops) => {
          const dir = tempDir('prop');
          const frames = 80;
          const master = buildK4a({ frames, firstColorUs: at(0), syncMode: 'MASTER', serial: '000700000001', drops: masterDrops, imu: false });
          // The subordinate's clock was zeroed by the same pulse; it delivers its first frame `late` pulses later.
          const sub = buildK4a({ frames: frames - late, firstColorUs: at(late), syncMode: 'SUBORDINATE', serial: '000700000002', drops: subDrops, depthDelayUs: 160, imu: false });
          writeFileSync(join(dir, 'a.mkv'), master.built.bytes);
          writeFileSync(join(dir, 'b.mkv'), sub.built.bytes);
          const index: FrameIndex = buildFrameIndex(await loadTake(dir));
          expect(index.rows).toBe(frames - late);
          const [m, s] = index.sensors;
          expect(missingRows(m!)).toEqual(masterDrops.filter((d) => d >= late).map((d) => d - late).sort((a, b) => a - b));
          expect(missingRows(s!)).toEqual([...subDrops].sort((a, b) => a - b));
          for (let k = 0; k < index.rows; k++) {
            if (!Number.isNaN(m!.colorUs[k]!)) expect(m!.colorUs[k]).toBe(at(k + late));
            if (!Number.isNaN(s!.colorUs[k]!)) expect(s!.colorUs[k]).toBe(at(late) + Math.floor((k * PERIOD_TICKS * 100) / 9));
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('timecode comes from the audit, through the take timeline', () => {
  it('every sensor of a rig frame carries the same timecode, one LTC frame per rig frame, within the audit\'s in and out', async () => {
    const take = await loadTake(join(SAMPLES, 'generator-clean'));
    const index = buildFrameIndex(take);
    expect(take.timeline!.timecodeRate).toBe(take.audit.timecode!.rate);
    const rate = take.timeline!.timecodeRate!;
    for (let k = 0; k < index.rows; k++) {
      const row = index.sensors.map((s) => s.timecode![k]).filter((tc): tc is string => tc !== null);
      expect(row.length).toBeGreaterThan(0);
      expect(new Set(row).size).toBe(1);
    }
    const frames = Array.from({ length: index.rows }, (_, k) => timecodeToFrames(rowTimecode(index, k)!, rate));
    for (let k = 1; k < frames.length; k++) expect(frames[k]! - frames[k - 1]!).toBe(1);
    expect(frames[0]!).toBeGreaterThanOrEqual(timecodeToFrames(take.audit.timecode!.in, rate));
    expect(frames.at(-1)!).toBeLessThanOrEqual(timecodeToFrames(take.audit.timecode!.out, rate));
  });
});

describe('a --reference that is not a sensor of the take', () => {
  it('is refused as bad input naming the sensors, never replaced silently by another', async () => {
    await expect(loadTake(join(SAMPLES, 'daisy-chain'), { reference: 'NOPE' })).rejects.toMatchObject({
      code: 'K4S_BAD_FLAG', kind: 'input', remedy: expect.stringContaining('000100000001, 000100000002, 000100000003'),
    });
  });
});
