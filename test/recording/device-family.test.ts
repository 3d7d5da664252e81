import { describe, expect, it } from 'vitest';
import { deviceFamily, describeRecording, MemorySource, readRecordingFrom, summarize } from '../../src/recording/index.js';
import { buildK4a } from '../helpers/mkv-builder.js';

describe('the device family, from what the recorder wrote', () => {
  it('Azure Kinect: 12-digit serials, or separate 1.6 colour and depth firmware', () => {
    expect(deviceFamily('000011110001', '1.6.110', '1.6.80')).toBe('azure-kinect');
    expect(deviceFamily(null, '1.6.110', '1.6.80')).toBe('azure-kinect');
  });
  it('Orbbec Femto: letter-and-digit serials, or one firmware version for both', () => {
    expect(deviceFamily('CL8F25300A1', '1.1.2', '1.1.2')).toBe('orbbec-femto');
    expect(deviceFamily('cl2k1530012', null, null)).toBe('orbbec-femto');
    expect(deviceFamily(null, '1.2.7', '1.2.7')).toBe('orbbec-femto');
  });
  it('anything else is unknown, not guessed', () => {
    expect(deviceFamily(null, null, null)).toBe('unknown');
    expect(deviceFamily('sensor-1', '2.0', null)).toBe('unknown');
  });
});

describe('a start offset beyond what Microsoft\'s playback library holds (2^32 µs)', () => {
  const epochUs = 1_730_796_756_988_167;
  const rec = readRecordingFrom(new MemorySource(buildK4a({ frames: 5, firstColorUs: epochUs, serial: 'CL8F25300A1', imu: false }).built.bytes), 'femto.mkv');

  it('is read whole, and named: every device time exact at 1.7e15 µs', () => {
    expect(rec.color![0]).toBe(epochUs);
    expect(rec.device.family).toBe('orbbec-femto');
    const w = rec.warnings.find((x) => x.code === 'K4S_WIDE_START_OFFSET')!;
    expect(w.message).toMatch(/wraps it to \d+ µs and returns every image \d+ s early/);
    // What the official reader applies: the offset modulo 2^32 µs.
    const wrapped = Number(w.message.match(/wraps it to (\d+) µs/)![1]);
    expect(wrapped).toBe(Number(rec.startOffset.ns / 1000n) % 2 ** 32);
  });

  it('info names the family and the epoch clock\'s date', () => {
    const text = describeRecording(summarize(rec));
    expect(text).toMatch(/CL8F25300A1 {2}Orbbec Femto \(K4A wrapper\)/);
    expect(text).toMatch(/counts from the Unix epoch: 2024-11-05T08:52:36/);
    expect(text).toMatch(/K4S_WIDE_START_OFFSET/);
  });

  it('an Azure Kinect file with an ordinary offset carries no such warning', () => {
    const ak = readRecordingFrom(new MemorySource(buildK4a({ frames: 5, imu: false }).built.bytes), 'ak.mkv');
    expect(ak.warnings.map((x) => x.code)).not.toContain('K4S_WIDE_START_OFFSET');
    expect(ak.device.family).toBe('azure-kinect');
  });
});
