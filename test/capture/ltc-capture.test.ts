import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LtcInputError, parseLtcInput, startLtcCapture } from '../../src/capture/ltc-capture.js';
import { readAudio } from '../../src/timecode/audio.js';

describe('--ltc-input: LTC from a host audio input through ffmpeg', () => {
  it('names the device forms it takes', () => {
    expect(parseLtcInput('alsa:hw:1,0')).toEqual({ format: 'alsa', device: 'hw:1,0' });
    expect(parseLtcInput('dshow:audio=Line In (USB)')).toEqual({ format: 'dshow', device: 'audio=Line In (USB)' });
    expect(() => parseLtcInput('hw:1,0')).toThrow(LtcInputError);
    expect(() => parseLtcInput('coreaudio:0')).toThrow(/alsa, pulse, dshow, avfoundation, lavfi/);
  });

  it('records ltc.wav and the host time its first sample was written (a lavfi source stands in for the interface)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-ltc-in-'));
    const before = Number(process.hrtime.bigint() / 1000n);
    const capture = await startLtcCapture('lavfi:sine=frequency=1000:sample_rate=48000:duration=0.5', dir);
    await capture.finished;
    const manifest = await capture.stop();
    expect(manifest.file).toBe('ltc.wav');
    expect(manifest.hostStartUs).toBeGreaterThanOrEqual(before);
    const clip = await readAudio(join(dir, 'ltc.wav'));
    expect(clip.sampleRate).toBe(48000);
    expect(clip.samples.length).toBe(24000);
  });

  it('a device ffmpeg cannot open is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-ltc-in-'));
    await expect(startLtcCapture('alsa:no-such-card-k4sync', dir)).rejects.toThrow(/could not record from alsa:no-such-card-k4sync/);
  });
});
