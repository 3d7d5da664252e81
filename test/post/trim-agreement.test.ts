import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { SensorAudit } from '../../src/audit/index.js';
import { buildFrameIndex, loadTake, trimTake, type FrameIndex, type LoadedTake } from '../../src/post/index.js';
import { cleanTemp, SAMPLES, tempDir } from './helpers.js';

const TICK_US = 100 / 9;

afterAll(cleanTemp);

function median(values: number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/**
 * The source's own offset of a sensor over rig frames first..last: its frames on the reference clock (the audit's
 * timeline) against the reference's, the expected delay added back, as the audit measures it over the whole take.
 */
function sourceOffsetOn(take: LoadedTake, index: FrameIndex, serial: string, first: number, last: number, expectedUs: number): number | null {
  const timeline = take.timeline!;
  const line = (s: string) => timeline.sensors.find((x) => x.serial === s)!;
  const col = (s: string) => index.sensors.find((x) => x.serial === s)!;
  const [s, r] = [line(serial), line(timeline.reference)];
  const onRef = (x: typeof s, i: number) => (x.track === 'COLOR' ? x.colorOnReference : x.depthOnReference)[i]!;
  const diffs: number[] = [];
  for (let k = first; k <= last; k++) {
    const [i, j] = [col(serial).frame[k]!, col(timeline.reference).frame[k]!];
    if (!Number.isNaN(i) && !Number.isNaN(j)) diffs.push(onRef(s, i) - onRef(r, j) + expectedUs);
  }
  return diffs.length >= 2 ? median(diffs) : null;
}

const sources = new Map<string, { take: LoadedTake; index: FrameIndex }>();
async function source(name: string) {
  if (!sources.has(name)) {
    const take = await loadTake(join(SAMPLES, name));
    sources.set(name, { take, index: buildFrameIndex(take) });
  }
  return sources.get(name)!;
}

describe('a trimmed window audits like the same frames of its source', () => {
  it('for every sample take and any window from 3 frames to the whole take: the same offsets within a tick, the same lock', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('daisy-chain', 'femto-epoch', 'generator-clean', 'generator-sync-lost', 'standalone-pair', 'star-wrong-order'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (name, startAt, lengthAt) => {
          const { take, index } = await source(name);
          const length = 3 + Math.floor(lengthAt * (index.rows - 3));
          const first = Math.floor(startAt * (index.rows - length));
          const last = first + length - 1;
          const result = await trimTake(take, join(tempDir('agree'), 'out'), `frames:${first}-${last}`);
          const trimmed = await loadTake(result.outDir);
          const ctx = `${name} frames:${first}-${last}`;
          for (const sb of trimmed.audit.sensors) {
            const sa = take.audit.sensors.find((x) => x.serial === sb.serial)! as SensorAudit;
            // A window's clock is its source's: never a rate invented from a few frames.
            expect(sa.clockRateSource).toBe('fitted');
            expect(sb.clockRateSource, ctx).toBe('source-take');
            // The whole take's rate, or the rate of the segment the window lies in when the rate changed part-way.
            expect([sa.clockRatePpm, ...sa.rateSegments.map((g) => g.ratePpm)], ctx).toContain(sb.clockRatePpm);
            // Lock on these frames: the source's, or, for a sensor that lost sync part-way, locked only for a window
            // that ends before the loss (the loss frame counted on the rig rows of the common window).
            const lostRow = sa.lockLostAtFrame === null ? null : sa.lockLostAtFrame - sa.window!.framesBefore;
            expect(sb.locked, `${ctx} ${sb.serial} lock`).toBe(lostRow === null ? sa.locked : last < lostRow);
            const oa = sa.offset;
            const ob = sb.offset;
            if (!oa?.aligned || !ob) continue;
            expect(ob.aligned, `${ctx} ${sb.serial} aligned`).toBe(true);
            expect(ob.frameShift, ctx).toBe(oa.frameShift);
            const expected = sourceOffsetOn(take, index, sb.serial, first, last, oa.expectedUs);
            if (expected === null) continue;
            expect(Math.abs(ob.measuredUs! - expected), `${ctx} ${sb.serial}: ${ob.measuredUs} against ${expected}`).toBeLessThan(TICK_US);
          }
        },
      ),
      { numRuns: 24 },
    );
  }, 300_000);

  it('without the source\'s clocks, a short window does not invent a rate: offsets are not judged rather than failed', async () => {
    const { take } = await source('daisy-chain');
    const result = await trimTake(take, join(tempDir('foreign'), 'out'), 'frames:100-128');
    // The trimmed take as another tool would leave it: take.json without the trim record's clocks.
    const jsonPath = join(result.outDir, 'take.json');
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { trim: { sensors: { clock?: unknown }[] } };
    for (const s of json.trim.sensors) delete s.clock;
    writeFileSync(jsonPath, JSON.stringify(json));
    const bare = (await loadTake(result.outDir)).audit;
    for (const s of bare.sensors) {
      expect(s.clockRateSource).toBe('too-few-frames');
      expect(s.clockRatePpm).toBeNull();
    }
    const offsets = bare.checks.filter((c) => c.id === 'offset');
    expect(offsets.length).toBe(2);
    for (const c of offsets) {
      expect(c.status).toBe('NOT_MEASURABLE');
      expect(c.message).toMatch(/too few to measure a rate/);
    }
    expect(bare.checks.filter((c) => c.id === 'clock-rate').every((c) => c.status === 'NOT_MEASURABLE')).toBe(true);
  }, 60_000);
});
