import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource, readRecording, walkBlocks, type BlockRef, type Recording } from '../../src/recording/index.js';
import { sdkWrittenRecordings } from '../fixtures.js';
import { SAMPLES } from '../post/helpers.js';
import { buildK4a, buildRecording } from '../helpers/mkv-builder.js';
import { MemorySource, readRecordingFrom } from '../../src/recording/index.js';

/** The one block walker hands out exactly what the reader reads: the same frames at the same times, and the Recording. */
function walk(src: FileSource | MemorySource, path: string): { blocks: BlockRef[]; rec: Recording } {
  const blocks: BlockRef[] = [];
  const it = walkBlocks(src, path, { imuSamples: false });
  for (;;) {
    const step = it.next();
    if (step.done) return { blocks, rec: step.value };
    blocks.push(step.value);
  }
}

/** Device times of one track's frames as the walk gives them, laced frames expanded. */
function frameTimes(rec: Recording, blocks: BlockRef[], role: 'COLOR' | 'DEPTH' | 'IR'): number[] {
  const track = rec.tracks.find((t) => t.builtin === role)?.number;
  const usPerTick = rec.info.timecodeScaleNs / 1000;
  const offsetUs = Number(rec.startOffset.ns / 1000n);
  return blocks.filter((b) => b.track === track).flatMap((b) => b.lace.frameSizes.map((_, i) => b.ticks * usPerTick + offsetUs + i * b.frameStepUs));
}

const files = [
  ...readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(SAMPLES, d.name)).filter((f) => f.endsWith('.mkv')).map((f) => join(SAMPLES, d.name, f))),
  ...sdkWrittenRecordings().map((r) => r.mkv),
];

describe('walkBlocks', () => {
  it.each(files)('%s: every frame the reader reads, at its time, and the same Recording', (file) => {
    const src = new FileSource(file);
    try {
      const { blocks, rec } = walk(src, file);
      const read = readRecording(file, { imuSamples: false });
      expect({ ...rec, bytesRead: 0 }).toEqual({ ...read, bytesRead: 0 });
      for (const role of ['COLOR', 'DEPTH', 'IR'] as const) {
        const times = read[role === 'COLOR' ? 'color' : role === 'DEPTH' ? 'depth' : 'ir'];
        if (times) expect(frameTimes(rec, blocks, role)).toEqual(Array.from(times));
      }
      // Blocks come in file order, each inside its cluster, its frames inside the block.
      for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.start).toBeGreaterThanOrEqual(blocks[i - 1]!.end);
      for (const b of blocks) {
        expect(b.start).toBeGreaterThan(b.cluster.start);
        expect(b.block.dataStart + b.lace.headerBytes + b.lace.frameSizes.reduce((a, n) => a + n, 0)).toBe(b.block.end);
      }
    } finally {
      src.close();
    }
  });

  it('expands laced colour blocks frame by frame, with the frame spacing the reader gives them', () => {
    const { spec } = buildK4a({ frames: 12, depthMode: null, imu: false });
    const color = spec.tracks.findIndex((t) => t.name === 'COLOR');
    spec.tracks[color] = { ...spec.tracks[color]!, lacing: 'ebml', lacingRun: 4 };
    // Laced frames share a cluster; at 1 µs ticks a cluster spans 32 ms at most (16-bit block times), so use 1 ms ticks.
    spec.timecodeScale = 1_000_000;
    spec.clusterSpanUs = 1_000_000;
    const bytes = buildRecording(spec).bytes;
    const { blocks, rec } = walk(new MemorySource(bytes), 'laced.mkv');
    const read = readRecordingFrom(new MemorySource(bytes), 'laced.mkv');
    expect(blocks.filter((b) => b.track === color + 1).map((b) => b.lace.frameSizes.length)).toEqual([4, 4, 4]);
    expect(frameTimes(rec, blocks, 'COLOR')).toEqual(Array.from(read.color!));
  });
});
