import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySource, readRecordingFrom, RecordingError, type Recording } from '../../src/recording/index.js';
import { REAL, SDK_WRITTEN } from '../fixtures.js';
import { buildCrashed, buildK4a } from '../helpers/mkv-builder.js';
import { REGRESSIONS } from './regressions.js';

/** K4S_FUZZ_RUNS raises the effort for a long hunt; the default keeps `npm test` quick. */
const RUNS = Number(process.env.K4S_FUZZ_RUNS ?? 150);

/** The reader's contract on any bytes: a Recording or a coded RecordingError, nothing else, no hang. */
function readAny(bytes: Uint8Array): Recording | RecordingError {
  try {
    return readRecordingFrom(new MemorySource(bytes), 'fuzz.mkv');
  } catch (e) {
    if (e instanceof RecordingError) return e;
    throw e;
  }
}

function sane(r: Recording | RecordingError): void {
  if (r instanceof RecordingError) {
    expect(r.code).toMatch(/^K4S_/);
    return;
  }
  for (const series of [r.color, r.depth, r.ir, r.imu?.accTimestampsUs]) {
    for (const v of series ?? []) expect(Number.isFinite(v)).toBe(true);
  }
}

const seeds: [string, Uint8Array][] = [
  ['take-C s0', readFileSync(join(SDK_WRITTEN, 'take-C/take-C-s0.mkv'))],
  ['pyk4a', readFileSync(join(REAL, 'pyk4a-recording.mkv'))],
  ['prerelease', readFileSync(join(REAL, 'k4asdk-playback_test_input-prerelease.mkv'))],
  ['built, xiph-laced IMU, unknown sizes', buildK4a({ frames: 20, imuLacing: 'xiph' }, { segmentSize: 'unknown', clusterSize: 'unknown', crc: true, voids: true }).built.bytes],
  // Clusters over a stale index and past a stale Segment size: the layout a killed k4arecord leaves.
  ['built, killed after a flush', buildCrashed({ frames: 20 }, 1_152_000, 'k4arecord').bytes],
];

describe('the reader survives hostile bytes', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => sane(readAny(b))), { numRuns: RUNS * 2 });
  });

  it('random bytes behind a valid EBML header', () => {
    const head = seeds[0]![1].subarray(0, 64);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        const bytes = new Uint8Array(head.length + b.length);
        bytes.set(head);
        bytes.set(b, head.length);
        sane(readAny(bytes));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  for (const [name, seed] of seeds) {
    it(`bit flips in ${name}`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 16 }), (flips) => {
          const bytes = seed.slice();
          for (const [at, bit] of flips) bytes[at]! ^= 1 << bit;
          sane(readAny(bytes));
        }),
        { numRuns: RUNS },
      );
    });

    it(`truncations of ${name} keep every complete block before the cut`, () => {
      const whole = readAny(seed);
      fc.assert(
        fc.property(fc.nat(seed.length), (len) => {
          const r = readAny(seed.subarray(0, len));
          sane(r);
          if (r instanceof RecordingError || whole instanceof RecordingError) return;
          for (const key of ['color', 'depth', 'ir'] as const) {
            const got = r[key];
            const all = whole[key];
            if (!got || !all) continue;
            expect(Array.from(got)).toEqual(Array.from(all.subarray(0, got.length)));
          }
          if (len < seed.length && r.truncatedAt !== null) expect(r.truncatedAt).toBeLessThanOrEqual(len);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('inputs that once broke the reader stay fixed', () => {
    for (const { hex } of REGRESSIONS) sane(readAny(Buffer.from(hex, 'hex')));
  });
});
