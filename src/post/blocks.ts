import { FileSource, type ByteSource, type Recording } from '../recording/index.js';
import { children, ID, readHeader, readUint, readVint, SEGMENT_LEVEL, type Child, type Header } from './ebml.js';
import { PostError } from './errors.js';

/**
 * Where things are in a recording, by position: the top-level layout and, cluster by cluster, the blocks. Trim
 * rewrites from these positions; preview reads colour payloads through them. Payloads are never parsed.
 */

export interface SegmentLayout {
  /** End of the EBML header: bytes [0, ebmlEnd) are copied as they are. */
  ebmlEnd: number;
  segment: Header;
  /** End of the Segment's data: its declared end, or the end of the file for a Segment of size 0 or unknown. */
  segmentEnd: number;
  /** Top-level elements other than clusters, SeekHead, Cues, Void and CRC-32, in file order. */
  headerElements: Child[];
  /** Offset of the first Cluster, null when there is none. */
  firstCluster: number | null;
}

export function readLayout(src: ByteSource, path: string): SegmentLayout {
  const ebml = readHeader(src, 0, src.size);
  if (!ebml || ebml.id !== ID.EBML || ebml.size === null) throw new PostError('K4S_NOT_TRIMMABLE', `${path} does not start with an EBML header.`);
  const ebmlEnd = ebml.dataStart + ebml.size;
  let pos = ebmlEnd;
  let segment: Header | null = null;
  while (pos < src.size) {
    const h = readHeader(src, pos, src.size);
    if (!h) break;
    if (h.id === ID.Segment) {
      segment = h;
      break;
    }
    if (h.size === null) break;
    pos = h.dataStart + h.size;
  }
  if (!segment) throw new PostError('K4S_NOT_TRIMMABLE', `${path} has no Matroska Segment.`);
  const segmentEnd = segment.size === null || segment.size === 0 ? src.size : Math.min(src.size, segment.dataStart + segment.size);
  const headerElements: Child[] = [];
  let firstCluster: number | null = null;
  pos = segment.dataStart;
  while (pos < segmentEnd) {
    const h = readHeader(src, pos, segmentEnd);
    if (!h) break;
    if (h.id === ID.Cluster) {
      firstCluster ??= h.start;
      // An unknown-size cluster: what follows is more clusters, and nothing else is looked for.
      if (h.size === null) break;
      pos = h.dataStart + h.size;
      continue;
    }
    if (h.size === null || h.dataStart + h.size > segmentEnd) break;
    const el: Child = { id: h.id, start: h.start, dataStart: h.dataStart, size: h.size, end: h.dataStart + h.size };
    if (h.id !== ID.SeekHead && h.id !== ID.Cues && h.id !== ID.Void && h.id !== ID.CRC32) headerElements.push(el);
    pos = el.end;
  }
  return { ebmlEnd, segment, segmentEnd, headerElements, firstCluster };
}

export interface ClusterView {
  start: number;
  /** End of the cluster's data (for an unknown size: where the next top-level element starts). */
  end: number;
  /** Cluster Timestamp, in TimecodeScale ticks; null when the cluster has none (its blocks cannot be placed). */
  ticks: number | null;
  /** Children in file order, CRC-32 and Timestamp included. */
  children: Child[];
}

/** Every cluster of the segment, in file order; the walk stops quietly where the file is cut short or damaged. */
export function* clusters(src: ByteSource, layout: SegmentLayout): Generator<ClusterView> {
  if (layout.firstCluster === null) return;
  const end = layout.segmentEnd;
  let pos = layout.firstCluster;
  while (pos < end) {
    const h = readHeader(src, pos, end);
    if (!h) return;
    if (h.id !== ID.Cluster) {
      if (h.size === null || h.dataStart + h.size > end) return;
      pos = h.dataStart + h.size;
      continue;
    }
    let clusterEnd: number;
    let kids: Child[];
    if (h.size === null) {
      kids = [];
      let at = h.dataStart;
      while (at < end) {
        const c = readHeader(src, at, end);
        if (!c || c.size === null || SEGMENT_LEVEL.has(c.id) || c.dataStart + c.size > end) break;
        kids.push({ id: c.id, start: c.start, dataStart: c.dataStart, size: c.size, end: c.dataStart + c.size });
        at = c.dataStart + c.size;
      }
      clusterEnd = at;
    } else {
      clusterEnd = Math.min(end, h.dataStart + h.size);
      kids = children(src, h.dataStart, clusterEnd);
    }
    const ts = kids.find((c) => c.id === ID.Timestamp);
    yield { start: h.start, end: clusterEnd, ticks: ts && ts.size <= 8 ? readUint(src.read(ts.dataStart, ts.size)) : null, children: kids };
    // A cluster cut short ends the walk: nothing after it can be trusted.
    if (h.size !== null && h.dataStart + h.size > end) return;
    if (clusterEnd <= pos) return;
    pos = clusterEnd;
  }
}

/** The header of a Block or SimpleBlock: track, timestamp relative to the cluster, flags. */
export interface BlockHead {
  track: number;
  /** Bytes of the track number vint. */
  trackLength: number;
  relTicks: number;
  flags: number;
}

export function readBlockHead(src: ByteSource, el: Child): BlockHead | null {
  const head = src.read(el.dataStart, Math.min(el.size, 12));
  const track = readVint(head, 0);
  if (!track || track.value === null || head.length < track.length + 3) return null;
  const rel = ((head[track.length]! << 8) | head[track.length + 1]!) << 16 >> 16;
  return { track: track.value, trackLength: track.length, relTicks: rel, flags: head[track.length + 2]! };
}

/** Lacing mode from a block's flags: 0 none, 1 Xiph, 2 fixed, 3 EBML. */
export function lacingOf(flags: number): 0 | 1 | 2 | 3 {
  return ((flags >> 1) & 3) as 0 | 1 | 2 | 3;
}

export interface BlockPosition {
  /** Device timestamp of the block (µs), as our reader computes it: block time plus the start offset. */
  deviceUs: number;
  /** Where the frame's bytes start in the file, and how many there are. */
  offset: number;
  size: number;
}

/**
 * Every unlaced block of one track with its payload's position: what the preview needs to copy colour frames out
 * of a recording without decoding them. Blocks come in file order, so the i-th is the i-th frame our reader lists.
 */
export function locateBlocks(path: string, rec: Recording, trackNumber: number): BlockPosition[] {
  const src = new FileSource(path);
  try {
    const layout = readLayout(src, path);
    const usPerTick = rec.info.timecodeScaleNs / 1000;
    const offsetUs = Number(rec.startOffset.ns / 1000n);
    const out: BlockPosition[] = [];
    for (const cluster of clusters(src, layout)) {
      if (cluster.ticks === null) continue;
      for (const c of cluster.children) {
        let block: Child | undefined;
        if (c.id === ID.SimpleBlock) block = c;
        else if (c.id === ID.BlockGroup) block = children(src, c.dataStart, c.end).find((g) => g.id === ID.Block);
        if (!block) continue;
        const head = readBlockHead(src, block);
        if (!head || head.track !== trackNumber || lacingOf(head.flags) !== 0) continue;
        const headerBytes = head.trackLength + 3;
        out.push({
          deviceUs: (cluster.ticks + head.relTicks) * usPerTick + offsetUs,
          offset: block.dataStart + headerBytes,
          size: block.size - headerBytes,
        });
      }
    }
    return out;
  } finally {
    src.close();
  }
}
