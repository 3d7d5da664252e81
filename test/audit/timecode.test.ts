import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit, DEFAULT_THRESHOLDS } from '../../src/audit/index.js';
import { simulateTake } from '../../src/capture/simulate.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { placeAudio } from '../../src/audit/timecode-input.js';
import type { TakeAudit } from '../../src/audit/types.js';
import { encodeLtc } from '../../src/timecode/ltc-encoder.js';
import wavefile from 'wavefile';
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

/** A copy of a WAV whose bext TimeReference is moved by `shiftSamples` (a recorder whose clock was not jammed). */
function shiftedBext(src: string, dest: string, shiftSamples: bigint): void {
  const b = Buffer.from(readFileSync(src));
  const at = b.indexOf('bext') + 8 + 338; // TimeReference: 64-bit little-endian, 338 bytes into the bext data
  b.writeBigUInt64LE(b.readBigUInt64LE(at) + shiftSamples, at);
  writeFileSync(dest, b);
}

describe('--audio files with both a BWF time reference and LTC', () => {
  const noTimecode = { timecode: null } as unknown as TakeAudit;
  const f6 = join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav');

  it('a jammed recorder: BWF and LTC agree, placed by BWF, no warning, LTC level reported', async () => {
    const [p] = await placeAudio([f6], noTimecode);
    expect(p).toMatchObject({ source: 'bwf', startTimecode: '17:09:43:00', warnings: [], error: null });
    expect(p!.startSeconds).toBeCloseTo(2965584000 / 48000, 6);
    expect(p!.ltcLevelDbfs).toBeGreaterThan(-10);
  });

  it('a recorder 5 hours off: placed by its LTC, with a warning naming both times', async () => {
    const off = join(tmp, 'f6-not-jammed.wav');
    shiftedBext(f6, off, -5n * 3600n * 48000n);
    const [p] = await placeAudio([off], noTimecode);
    expect(p).toMatchObject({ source: 'ltc', startTimecode: '17:09:43:00', error: null });
    expect(Math.abs(p!.startSeconds! - 2965584000 / 48000)).toBeLessThan(1 / 24);
    expect(p!.warnings).toHaveLength(1);
    expect(p!.warnings[0]).toMatch(/BWF time reference says it starts at 12:09:43:00, its LTC says 17:09:43:00 \(5\.00 h apart\): the recorder's clock was not jammed/);
  });

  it('LTC recorded too low: a warning to raise the input gain', async () => {
    const { samples } = encodeLtc({ start: '10:00:00:00', frames: 50, rate: '25', sampleRate: 48000, amplitude: 0.01 });
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 48000, '32f', samples);
    const quiet = join(tmp, 'quiet-ltc.wav');
    writeFileSync(quiet, wav.toBuffer());
    const [p] = await placeAudio([quiet], noTimecode);
    expect(p).toMatchObject({ source: 'ltc', startTimecode: '10:00:00:00' });
    expect(p!.ltcLevelDbfs).toBeCloseTo(-40, 0);
    expect(p!.warnings.join(' ')).toMatch(/-40\.0 dBFS, below -30 dBFS: raise the input gain/);
  });
});

describe('the level of the take\'s own LTC', () => {
  it('a quiet ltc.wav still places every frame, and the audit WARNs to raise the input gain', async () => {
    const out = join(tmp, 'quiet-ltc');
    await simulateTake(rig(30, '30'), { out, frames: 90, payload: 'tiny' });
    const loud = (await audit({ paths: [out], thresholds: DEFAULT_THRESHOLDS })).takes[0]!;
    expect(loud.checks.filter((c) => c.id === 'timecode' && /dBFS/.test(c.message))).toEqual([]);
    // 40 dB down: a generator patched into a mic input with the gain at its lowest.
    const wav = new wavefile.WaveFile(readFileSync(join(out, 'ltc.wav')));
    const samples = Array.from(wav.getSamples(false, Int16Array) as unknown as Int16Array, (v) => Math.round(v / 100));
    const quiet = new wavefile.WaveFile();
    quiet.fromScratch(1, (wav.fmt as { sampleRate: number }).sampleRate, '16', samples);
    writeFileSync(join(out, 'ltc.wav'), quiet.toBuffer());
    const t = (await audit({ paths: [out], thresholds: DEFAULT_THRESHOLDS })).takes[0]!;
    expect(t.timecode?.in).toBe(loud.timecode?.in);
    const warn = t.checks.find((c) => c.id === 'timecode' && /dBFS/.test(c.message));
    expect(warn).toMatchObject({ status: 'WARN', message: expect.stringMatching(/^ltc\.wav: The LTC is recorded at -\d+\.\d dBFS, below -30 dBFS/), remedy: expect.stringMatching(/Raise the gain/) });
  });
});
