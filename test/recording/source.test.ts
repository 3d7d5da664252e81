import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource, MemorySource, readRecording, readRecordingFrom } from '../../src/recording/index.js';

const SAMPLE = join(import.meta.dirname, '../../samples/daisy-chain/000100000001.mkv');

describe('reading a recording from a file', () => {
  it('serves runs of small elements (IMU blocks, headers) from one page: a few reads per frame, not one per element', () => {
    const src = new FileSource(SAMPLE);
    try {
      const rec = readRecordingFrom(src, SAMPLE);
      const frames = rec.color!.length;
      // 200 frames with ~55 IMU samples each: one read per element would be thousands.
      expect(src.fetches).toBeLessThan(frames * 4);
      expect(rec.imu!.accTimestampsUs.length).toBeGreaterThan(frames * 50);
    } finally {
      src.close();
    }
  });

  it('reads exactly what the same bytes in memory give', () => {
    const fromFile = readRecording(SAMPLE);
    const fromMemory = readRecordingFrom(new MemorySource(readFileSync(SAMPLE)), SAMPLE);
    expect({ ...fromFile, bytesRead: 0 }).toEqual({ ...fromMemory, bytesRead: 0 });
  });
});
