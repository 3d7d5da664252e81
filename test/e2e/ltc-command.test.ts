import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
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
});
