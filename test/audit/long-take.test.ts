import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTake } from '../../src/capture/simulate.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { auditDir } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-long-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a half-hour take', () => {
  it('keeps its numbers exact: no rate bend invented by float64 sums, drops found, rates to 0.01 ppm', async () => {
    const rig = parseRig({
      imu: false,
      sensors: [
        { serial: 'H1', role: 'master', syncIn: null, crystalPpm: 12 },
        { serial: 'H2', role: 'subordinate', syncIn: 'H1', crystalPpm: -7, depthDelayUs: 160, drops: [{ frame: 120, count: 3 }] },
        { serial: 'H3', role: 'subordinate', syncIn: 'H2', crystalPpm: 3, depthDelayUs: 320 },
      ],
    });
    const out = join(tmp, 'half-hour');
    const take = await simulateTake(rig, { out, frames: 54_000, payload: 'tiny' });
    const a = auditDir(out);
    expect(a.checks.filter((c) => c.status === 'WARN' || c.status === 'FAIL').map((c) => [c.id, c.sensor])).toEqual([['drops', 'H2']]);
    for (const t of take.truth.sensors) {
      const s = a.sensors.find((x) => x.serial === t.serial)!;
      expect(s.rateSegments).toHaveLength(1);
      expect(Math.abs(s.clockRatePpm! - t.rateSegments[0]!.ratePpm)).toBeLessThan(0.01);
    }
  }, 120_000);
});
