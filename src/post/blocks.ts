import { FileSource, walkBlocks, type BlockRef, type ByteSource, type Recording } from '../recording/index.js';

export interface BlockPosition {
  /** Device timestamp of the frame (µs), as our reader computes it: block time plus the start offset. */
  deviceUs: number;
  /** Where the frame's bytes start in the file, and how many there are. */
  offset: number;
  size: number;
}

/**
 * Every frame of one track with its payload's position: what the preview needs to copy colour frames out of a
 * recording without decoding them. The frames come from the reader's own block walk (laced blocks expanded, damage
 * skipped as the reader skips it), so the i-th is the i-th frame the audit reads.
 */
export function locateBlocks(path: string, rec: Recording, trackNumber: number): BlockPosition[] {
  const src = new FileSource(path);
  try {
    const usPerTick = rec.info.timecodeScaleNs / 1000;
    const offsetUs = Number(rec.startOffset.ns / 1000n);
    const out: BlockPosition[] = [];
    for (const b of walkBlocks(src, path, { imuSamples: false })) {
      if (b.track !== trackNumber) continue;
      let at = b.block.dataStart + b.lace.headerBytes;
      b.lace.frameSizes.forEach((size, i) => {
        out.push({ deviceUs: b.ticks * usPerTick + offsetUs + i * b.frameStepUs, offset: at, size });
        at += size;
      });
    }
    return out;
  } finally {
    src.close();
  }
}

/** The blocks of one cluster, as the reader's walk hands them out. */
export interface ClusterRun {
  start: number;
  /** Cluster Timestamp, in TimecodeScale ticks. */
  ticks: number;
  /** End of its last block. */
  end: number;
  blocks: BlockRef[];
}

/** The reader's block walk, cluster by cluster: one cluster's blocks in memory at a time. */
export function* clusterRuns(src: ByteSource, path: string): Generator<ClusterRun> {
  let run: ClusterRun | null = null;
  for (const b of walkBlocks(src, path, { imuSamples: false })) {
    if (run && run.start !== b.cluster.start) {
      yield run;
      run = null;
    }
    run ??= { start: b.cluster.start, ticks: b.cluster.ticks, end: b.end, blocks: [] };
    run.blocks.push(b);
    run.end = b.end;
  }
  if (run) yield run;
}
