import { describe, expect, it } from 'vitest';
import { MemorySource, readRecordingFrom, type Recording } from '../../src/recording/index.js';
import { buildK4a, buildRecording, type Lacing } from '../helpers/mkv-builder.js';

const read = (bytes: Uint8Array, imuSamples: boolean): Recording => readRecordingFrom(new MemorySource(bytes), 'imu.mkv', { imuSamples });

/** A take with IMU samples taken out by index; returns the file and the times removed. */
function withoutSamples(imuLacing: Lacing, remove: number[]): { bytes: Uint8Array; removed: number[]; kept: number } {
  const { spec, truth } = buildK4a({ frames: 120, imuLacing });
  const gone = new Set(remove.map((i) => truth.imu[i]!));
  const imuTrack = spec.tracks.findIndex((t) => t.name === 'IMU') + 1;
  spec.items = spec.items.filter((it) => it.track !== imuTrack || !gone.has(it.timeUs));
  return { bytes: buildRecording(spec).bytes, removed: [...gone], kept: truth.imu.length - gone.size };
}

describe('IMU gaps from block headers alone', () => {
  for (const imuLacing of ['fixed', 'none', 'xiph'] as Lacing[]) {
    it(`${imuLacing} lacing: each run of missing samples is found, counted and placed, with or without reading samples`, () => {
      const runs = [[1000, 1001, 1002, 1003, 1004], [2000], [4000, 4001]];
      const { bytes, removed, kept } = withoutSamples(imuLacing, runs.flat());
      for (const imuSamples of [true, false]) {
        const c = read(bytes, imuSamples).imuCadence!;
        expect(c.samples).toBe(kept);
        expect(c.gaps.map((g) => g.missing)).toEqual(runs.map((r) => r.length));
        c.gaps.forEach((g, i) => {
          const times = runs[i]!.map((k) => removed[runs.flat().indexOf(k)]!);
          expect(g.lastUs).toBeLessThan(Math.min(...times));
          expect(g.nextUs).toBeGreaterThan(Math.max(...times));
        });
        expect(c.periodUs).toBeCloseTo(600, 3);
      }
    });
  }

  it('with every sample its own block the gap is placed exactly: last sample before, first after', () => {
    const { bytes, removed } = withoutSamples('none', [1500, 1501, 1502]);
    const [gap] = read(bytes, false).imuCadence!.gaps;
    expect(gap).toEqual({ lastUs: removed[0]! - 600, nextUs: removed[2]! + 600, missing: 3 });
  });

  it('a continuous stream has no gap, and the lean read stays lean', () => {
    const { built, truth } = buildK4a({ frames: 120 });
    const lean = read(built.bytes, false);
    expect(lean.imuCadence).toEqual({ samples: truth.imu.length, firstUs: truth.imu[0], lastUs: truth.imu.at(-1), periodUs: 600, gaps: [] });
    expect(lean.bytesRead).toBeLessThan(read(built.bytes, true).bytesRead / 3);
  });

  it('a file without an IMU track has no IMU cadence', () => {
    expect(read(buildK4a({ frames: 10, imu: false }).built.bytes, false).imuCadence).toBeNull();
  });
});
