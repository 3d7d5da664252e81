import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { encodeLtc } from '../../src/timecode/ltc-encoder.js';
import { REAL } from '../fixtures.js';
import { k4sync } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-ltc-e2e-'));

describe('k4sync ltc', () => {
  it('prints the timecode run of a real AC-coupled LTC recording, with its BWF start', () => {
    const r = k4sync('ltc', join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rate\s+24/);
    expect(r.stdout).toMatch(/first\s+17:09:43:00/);
    expect(r.stdout).toMatch(/last\s+17:09:53:23/);
    expect(r.stdout).toMatch(/BWF start\s+17:09:43:00/);
  });

  it('--json lists every frame with its timecode, sample position and user bits', () => {
    const r = k4sync('ltc', join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav'), '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.frames).toHaveLength(264);
    expect(Object.keys(out.frames[0]).sort()).toEqual(['sampleStart', 'timecode', 'userBits']);
    expect(out.frames[1].sampleStart - out.frames[0].sampleStart).toBeCloseTo(2000, 0);
  });

  it('silence has no LTC (exit 1); a file that is not audio is bad input (exit 2)', () => {
    const silent = join(tmp, 'silence.wav');
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 48000, '16', new Int16Array(48000));
    writeFileSync(silent, wav.toBuffer());
    const r = k4sync('ltc', silent);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/no LTC found/);
    const notes = join(tmp, 'notes.wav');
    writeFileSync(notes, 'scene 4 take 2');
    const bad = k4sync('ltc', notes);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/K4S_/);
  });

  it('names 30 fps LTC with the drop-frame flag "30 (drop-frame flag)", with its level', () => {
    const r = k4sync('ltc', join(REAL, 'ltc-picotimecode-30fps-df.wav'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rate\s+30 \(drop-frame flag\)\n/);
    expect(r.stdout).toMatch(/level\s+-\d+\.\d dBFS/);
    expect(r.stdout).toMatch(/frames\s+599/);
    expect(r.stdout).toMatch(/continuous\s+yes/);
  });

  it('warns when --fps contradicts the signal, naming the rate it carries, and invents no discontinuity', () => {
    const r = k4sync('ltc', 'samples/generator-clean/ltc.wav', '--fps', '25');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rate\s+30\n/);
    expect(r.stdout).toMatch(/WARN\s+The LTC is not 25 fps: .*frame number 2\d.*carries 30 fps/);
    expect(r.stdout).not.toMatch(/jump|reverse/);
    expect(r.stdout).toMatch(/continuous\s+yes/);
  });

  it('prints the BWF start of a file without LTC, in text, without --fps', () => {
    const r = k4sync('ltc', join(REAL, 'bwf-zoomH4n-STE-000-cue.wav'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/BWF start\s+17:54:35\.000/);
  });

  it('warns when the BWF time reference and the LTC disagree (the recorder was not jammed)', () => {
    const b = Buffer.from(readFileSync(join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav')));
    const at = b.indexOf('bext') + 8 + 338;
    b.writeBigUInt64LE(b.readBigUInt64LE(at) - 5n * 3600n * 48000n, at);
    const off = join(tmp, 'not-jammed.wav');
    writeFileSync(off, b);
    const r = k4sync('ltc', off);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/BWF start\s+12:09:43:00/);
    expect(r.stdout).toMatch(/WARN .*12:09:43:00.*17:09:43:00.*not jammed/);
  });

  it('a frame missing inside the run: not continuous, the dropout listed', () => {
    const { samples, frameStarts } = encodeLtc({ start: '18:34:28:00', frames: 60, rate: '24', sampleRate: 48000 });
    const from = Math.round(frameStarts[30]!) + 400;
    samples.fill(0, from, from + 300);
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 48000, '32f', samples);
    const file = join(tmp, 'missing-frame.wav');
    writeFileSync(file, wav.toBuffer());
    const r = k4sync('ltc', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/frames\s+59/);
    expect(r.stdout).toMatch(/continuous\s+no/);
    expect(r.stdout).toMatch(/dropout\s+1 frame, samples 60000–62000/);
  });
});
