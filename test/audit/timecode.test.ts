import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit, DEFAULT_THRESHOLDS } from '../../src/audit/index.js';
import { simulateTake } from '../../src/capture/simulate.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { nextTimecode, type LtcRate } from '../../src/timecode/smpte.js';
import { REAL } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-tc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sub = (serial: string, syncIn: string, crystalPpm: number, extra: object = {}) => ({ serial, role: 'subordinate', syncIn, crystalPpm, ...extra });

function rig(rate: number, timecodeRate: LtcRate, host: object = {}) {
  return parseRig({
    imu: false,
    sync: { source: 'generator', rateHz: rate },
    generator: { timecodeStart: '01:59:58:00', timecodeRate },
    host,
    sensors: [sub('T1', 'generator', 7), sub('T2', 'T1', -12, { drops: [{ frame: 90, count: 2 }], depthDelayUs: 160 }), sub('T3', 'T2', 21, { depthDelayUs: 320 })],
  });
}

describe('every frame of every sensor on the generator timecode line', () => {
  for (const [rate, tcRate, host] of [
    [30, '30', {}],
    [30, '30', { ppm: 15, audioPpm: -40 }],
    [30000 / 1001, '29.97df', { audioPpm: 25, audioSampleRate: 44100 }],
  ] as const) {
    it(`${tcRate} fps, host clock and audio interface off by ${JSON.stringify(host)}`, async () => {
      const out = join(tmp, `take-${tcRate}-${Object.keys(host).length}`);
      const take = await simulateTake(rig(rate, tcRate, host), { out, frames: 300, payload: 'tiny' });
      const report = await audit({ paths: [out], thresholds: DEFAULT_THRESHOLDS });
      const a = report.takes[0]!;
      expect(a.timecode?.rate).toBe(tcRate);
      for (const t of take.truth.sensors) {
        const s = a.sensors.find((x) => x.serial === t.serial)!;
        expect(s.timecodeIn).toBe(t.frames.timecode![0]);
        expect(s.timecodeOut).toBe(t.frames.timecode!.at(-1));
        // Drift against timecode: the sensor's crystal against the generator (and its timecode) it follows.
        expect(Math.abs(s.driftVsTimecodePpm! - t.crystalPpm)).toBeLessThan(1);
        for (const d of s.drops) {
          const i = t.frames.index.indexOf(d.frameIndex - 1);
          expect(d.timecode).toBe(nextTimecode(t.frames.timecode![i]!, tcRate));
        }
      }
      expect(a.sensors.find((s) => s.serial === 'T2')!.drops.map((d) => d.timecode)).toHaveLength(1);
      expect(a.checks.filter((c) => c.id === 'timecode').every((c) => c.status === 'PASS')).toBe(true);
    });
  }

  it('--audio places files on the take: its own LTC covers it all; a BWF from another day does not overlap', async () => {
    const out = join(tmp, 'with-audio');
    await simulateTake(rig(30, '30'), { out, frames: 200, payload: 'tiny' });
    const report = await audit({ paths: [out], thresholds: DEFAULT_THRESHOLDS, audio: [join(out, 'ltc.wav'), join(REAL, 'bwf-zoomF8-Scene_1_2AG-T001_Tr1-25fps.wav')] });
    const [ltc, zoom] = report.takes[0]!.audio;
    expect(ltc).toMatchObject({ source: 'ltc', covers: 'all' });
    expect(zoom).toMatchObject({ source: 'bwf', startTimecode: '22:40:10:00', covers: 'none' });
    expect(report.takes[0]!.checks.find((c) => c.id === 'audio' && c.message.includes('zoomF8'))!.status).toBe('WARN');
  });

  it('a take without a generator has no timecode line, and take.json says it recorded no LTC', async () => {
    const out = join(tmp, 'master-rig');
    await simulateTake(parseRig({ imu: false, sensors: [{ serial: 'M', role: 'master', syncIn: null, crystalPpm: 0 }, sub('S', 'M', 9)] }), { out, frames: 60, payload: 'tiny' });
    const a = (await audit({ paths: [out], thresholds: DEFAULT_THRESHOLDS })).takes[0]!;
    expect(a.timecode).toBeNull();
    expect(a.sensors.every((s) => s.timecodeIn === null)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'take.json'), 'utf8'));
    expect(manifest.ltc).toBeNull();
  });
});
