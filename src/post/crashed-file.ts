import { FileSource, type ByteSource, type Recording, type RecordingLayout } from '../recording/index.js';
import { clusterRuns, type ClusterRun } from './blocks.js';
import { children, ID, readHeader, readUint } from './ebml.js';

/**
 * What a killed writer left wrong in one recording, from its structure: the Segment size, the index (SeekHead and
 * Cues, written at each flush), the clusters written after the last flush, a cluster cut short by the kill, and the
 * headers only a flush writes (Info, K4A_START_OFFSET_NS).
 */
export interface FileCondition {
  /** Finalized and indexed to its last cluster: nothing to recover. */
  whole: boolean;
  /** What is wrong, one sentence each; empty for a whole file. */
  problems: string[];
  clusters: number;
  /** Clusters the file's index (its last flush) does not cover, and the frames in them per track (IMU: samples). */
  pastIndex: { clusters: number; frames: Record<string, number> };
}

const trackName = (rec: Recording, n: number): string => rec.tracks.find((t) => t.number === n)?.name || `track${n}`;

export function inspectFile(path: string, rec: Recording): FileCondition {
  const src = new FileSource(path);
  try {
    const { layout } = rec;
    const { segment } = layout;
    const declaredEnd = segment.size ? segment.dataStart + segment.size : null;
    const { seekHead, cuesAt } = index(src, layout);
    // The index covers what lies before the Cues its SeekHead names; without a SeekHead, what the Segment size
    // covers; never flushed, nothing.
    const indexEnd = cuesAt ?? declaredEnd ?? segment.dataStart;
    let total = 0;
    let past = 0;
    const counts = new Map<number, number>();
    let last: ClusterRun | null = null;
    // The reader's walk: recover counts and keeps the blocks the audit reads, past damage and a stale Segment size.
    for (const cluster of clusterRuns(src, path)) {
      total++;
      last = cluster;
      if (cluster.start < indexEnd) continue;
      past++;
      for (const b of cluster.blocks) counts.set(b.track, (counts.get(b.track) ?? 0) + b.lace.frameSizes.length);
    }

    const frames: Record<string, number> = {};
    for (const n of [...counts.keys()].sort((a, b) => a - b)) frames[trackName(rec, n)] = counts.get(n)!;
    const problems: string[] = [];
    if (segment.size === 0) problems.push('its Segment size was never written (0): the writer was never flushed');
    else if (segment.size === null) problems.push('its Segment size is "unknown"');
    else if (declaredEnd! < src.size) problems.push(`its Segment size is stale: it ends at byte ${declaredEnd} of ${src.size}`);
    else if (declaredEnd! > src.size) problems.push(`the file ends at byte ${src.size}, before its Segment does (byte ${declaredEnd})`);
    const cuesIntact = cuesAt !== null && readHeader(src, cuesAt, src.size)?.id === ID.Cues;
    if (!seekHead) problems.push('it has no SeekHead and no Cues');
    else if (cuesAt === null) problems.push('its SeekHead names no Cues');
    else if (!cuesIntact) problems.push(`its Cues at byte ${cuesAt} were written over by later clusters`);
    if (past > 0) {
      const what = Object.entries(frames).map(([t, n]) => `${n} ${t}`).join(', ');
      const where = past === total && cuesAt === null && declaredEnd === null ? `none of its ${total} clusters is indexed` : `${past} of its ${total} clusters lie past its last index`;
      problems.push(`${where}${what ? ` (${what})` : ''}`);
    }
    if (!layout.headerElements.some((e) => e.id === ID.Info)) problems.push('it has no Info (timestamp scale, Duration)');
    if (rec.k4aTags.startOffsetNs === null && rec.startOffset.source === 'imu') {
      problems.push(`it has no K4A_START_OFFSET_NS: the start offset ${rec.startOffset.ns} ns was recovered from the first IMU sample`);
    }
    const cut = last ? cutShort(src, last) : null;
    if (cut && cut.bytes > 0) problems.push(`its last cluster is cut short: the ${cut.bytes} bytes from byte ${cut.at} (a block being written) were dropped`);
    else if (cut) problems.push(`its last cluster is cut short at byte ${cut.at}, between two blocks`);
    else if (rec.truncatedAt !== null) problems.push(`it is cut short at byte ${rec.truncatedAt}`);
    return { whole: problems.length === 0 && rec.finalized && rec.truncatedAt === null, problems, clusters: total, pastIndex: { clusters: past, frames } };
  } finally {
    src.close();
  }
}

/** Whether the file has a SeekHead, and where it says the Cues are (absolute; null without an entry for them). */
function index(src: ByteSource, layout: RecordingLayout): { seekHead: boolean; cuesAt: number | null } {
  const base = layout.segment.dataStart;
  const { size } = layout.segment;
  const end = layout.firstCluster ?? (size ? Math.min(src.size, base + size) : src.size);
  for (let pos = base; pos < end; ) {
    const h = readHeader(src, pos, end);
    if (!h || h.size === null) break;
    if (h.id === ID.SeekHead) {
      for (const seek of children(src, h.dataStart, h.dataStart + h.size)) {
        if (seek.id !== ID.Seek) continue;
        const kids = children(src, seek.dataStart, seek.end);
        const id = kids.find((k) => k.id === ID.SeekID);
        const at = kids.find((k) => k.id === ID.SeekPosition);
        if (id && at && at.size <= 8 && readUint(src.read(id.dataStart, id.size)) === ID.Cues) return { seekHead: true, cuesAt: base + readUint(src.read(at.dataStart, at.size)) };
      }
      return { seekHead: true, cuesAt: null };
    }
    pos = h.dataStart + h.size;
  }
  return { seekHead: false, cuesAt: null };
}

/** The last cluster's declared end lies past the end of the file: where its last whole child ends, and what follows. */
function cutShort(src: ByteSource, last: ClusterRun): { at: number; bytes: number } | null {
  const h = readHeader(src, last.start, src.size);
  if (!h || h.size === null || h.dataStart + h.size <= src.size) return null;
  const at = last.end;
  return { at, bytes: src.size - at };
}
