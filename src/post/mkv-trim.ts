import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { FileSource, type BlockRef, type ByteSource, type Recording } from '../recording/index.js';
import { clusterRuns } from './blocks.js';
import {
  children, concat, crcElement, element, elementWithCrc, floatElement, headerBytes, ID, idBytes, readCopy, readHeader, sizeBytes,
  stringElement, uint64Bytes, uintElement, voidElement, type Child,
} from './ebml.js';
import { VERSION } from '../version.js';
import { PostError } from './errors.js';
import { laceHeader } from './lacing.js';
import { OutputFile } from './output.js';

/**
 * Cuts one Azure Kinect recording to a span of device time without decoding anything: a streaming Matroska rewriter.
 *
 * Output layout (the SDK's, §1.2 of the format spec): EBML header (copied), Segment with its real size, SeekHead,
 * Info (Duration rewritten), Tracks and Attachments (copied byte for byte), Tags (K4A_START_OFFSET_NS set to the new
 * first item's device time, CRC-32 recomputed), the clusters holding the kept blocks, Cues.
 *
 * Block times are re-based on the new start offset. A cluster wholly inside the span is copied with a new Timestamp
 * (its blocks' relative times stay valid); a cluster at an edge is rebuilt from its kept blocks. IMU BlockGroups at an
 * edge are cut sample by sample (each sample carries its own time); other laced blocks are kept or left whole by
 * their block time. Payloads go through a fixed buffer: memory does not grow with the size of the take. Every written
 * cluster gets a fresh CRC-32; Cues get one entry per cluster holding a track-1 block, at least 1 s apart, like
 * k4arecord's.
 *
 * The layout and the blocks are the reader's (Recording.layout, walkBlocks): like the audit, the rewriter reads a file
 * to its end whatever a stale Segment size says, and steps past damage where the reader does. `k4sync recover` is
 * this rewriter with a plan that keeps everything: what a killed writer left becomes a finalized file by the same path.
 */

/** Device-time span (µs, inclusive) to keep of one track; null: nothing of it. */
export interface KeepSpan {
  fromUs: number;
  toUs: number;
}

export interface TrimPlan {
  /** Spans for the tracks that have their own (colour, depth, IR by track number). */
  tracks: Map<number, KeepSpan | null>;
  /** Span for everything else: custom tracks (by block time), and IMU samples when `imu` is not given. */
  others: KeepSpan;
  /** Span for IMU samples, by their own timestamps. */
  imu?: KeepSpan;
  /** Device time (µs) of the first kept item: the new K4A_START_OFFSET_NS. */
  firstUs: number;
}

export interface TrimFileResult {
  /** Kept blocks per track number (IMU: samples). */
  kept: Map<number, number>;
  startOffsetNs: bigint;
  clusters: number;
  cues: number;
  bytes: number;
  /** Last kept item, relative to the new start offset, in TimecodeScale ticks (the Info Duration). */
  durationTicks: number;
}

export interface RewriteOptions {
  /** The command named in the WritingApp of an Info made for a file whose writer never wrote one. */
  tool?: 'trim' | 'recover';
}

/** Largest Tags/Info element read into memory: anything bigger is damage. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const IMU_RECORD_BYTES = 40;
/** Cue entries at least this far apart, like k4arecord's CUE_ENTRY_GAP_NS. */
const CUE_GAP_NS = 1_000_000_000;

interface KeptItem {
  /** New block time, ticks from the new start offset. */
  ticks: number;
  track: number;
  /** Frames (IMU: samples) this item holds. */
  count: number;
  /** Last instant it covers, in new ticks (laced IMU: its last sample). */
  lastTicks: number;
  size: number;
  write(out: OutputFile, rel: number): void;
}

/** Writes `src` cut to `plan` as `target` (through `target.partial`, renamed when complete). */
export async function trimFile(
  sourcePath: string,
  target: string,
  rec: Recording,
  plan: TrimPlan,
  onProgress?: (sourceBytesDone: number) => void,
  options: RewriteOptions = {},
): Promise<TrimFileResult> {
  const src = new FileSource(sourcePath);
  const fd = openSync(sourcePath, 'r');
  const partial = `${target}.partial`;
  const out = new OutputFile(partial);
  let done = false;
  try {
    const result = await rewrite(src, fd, out, rec, plan, sourcePath, options, onProgress);
    out.close();
    renameSync(partial, target);
    done = true;
    return result;
  } finally {
    if (!done) {
      out.abandon();
      rmSync(partial, { force: true });
    }
    closeSync(fd);
    src.close();
  }
}

async function rewrite(
  src: ByteSource, fd: number, out: OutputFile, rec: Recording, plan: TrimPlan, path: string, options: RewriteOptions, onProgress?: (n: number) => void,
): Promise<TrimFileResult> {
  const { layout } = rec;
  const scaleNs = rec.info.timecodeScaleNs;
  const usPerTick = scaleNs / 1000;
  const oldOffsetNs = rec.startOffset.ns;
  const oldOffsetUs = Number(oldOffsetNs / 1000n);
  // Every kept item's block time drops by tick0: the first kept item lands at 0.
  const tick0 = Math.round((plan.firstUs - oldOffsetUs) / usPerTick);
  const newOffsetNs = oldOffsetNs + BigInt(tick0) * BigInt(scaleNs);
  const imuTrack = rec.tracks.find((t) => t.builtin === 'IMU')?.number ?? null;

  // Header elements, rendered before any cluster so the SeekHead can point at them.
  const info = layout.headerElements.find((e) => e.id === ID.Info);
  const tagsEls = layout.headerElements.filter((e) => e.id === ID.Tags);
  // k4arecord writes Info only when it finalizes a file: an unfinalized one gets the Info it would have had.
  const renderInfo = info ? infoRenderer(src, info, path) : freshInfo(scaleNs, options.tool ?? 'trim');
  const tags = renderTags(src, tagsEls, newOffsetNs, path);
  const copied = layout.headerElements.filter((e) => e.id !== ID.Info && e.id !== ID.Tags);

  out.write(readCopy(src, 0, layout.ebmlEnd));
  // The Segment size is written with 8 bytes, as k4arecord does, and patched at the end.
  const segmentSizeAt = out.position + 4;
  out.write(headerBytes(ID.Segment, 0, 8));
  const segmentData = out.position;

  const seekTargets: { id: number; size: number }[] = [
    { id: ID.Info, size: renderInfo(0).length },
    ...copied.filter((e) => e.id === ID.Tracks).map((e) => ({ id: e.id, size: e.end - e.start })),
    ...copied.filter((e) => e.id === ID.Attachments).map((e) => ({ id: e.id, size: e.end - e.start })),
    { id: ID.Tags, size: tags.length },
    ...copied.filter((e) => e.id !== ID.Tracks && e.id !== ID.Attachments).map((e) => ({ id: e.id, size: e.end - e.start })),
  ];
  const seekHeadAt = out.position;
  const seekHeadSize = renderSeekHead(seekTargets, seekHeadAt - segmentData, 0).length;
  out.write(renderSeekHead(seekTargets, seekHeadAt - segmentData, 0));
  if (out.position - seekHeadAt !== seekHeadSize) throw new Error('SeekHead size changed');

  const infoAt = out.position;
  out.write(renderInfo(0));
  for (const e of copied.filter((x) => x.id === ID.Tracks)) out.copyFrom(fd, e.start, e.end - e.start);
  for (const e of copied.filter((x) => x.id === ID.Attachments)) out.copyFrom(fd, e.start, e.end - e.start);
  out.write(tags);
  for (const e of copied.filter((x) => x.id !== ID.Tracks && x.id !== ID.Attachments)) out.copyFrom(fd, e.start, e.end - e.start);

  const kept = new Map<number, number>();
  const cues: { ticks: number; position: number }[] = [];
  let written = 0;
  let durationTicks = 0;
  let lastYield = Date.now();
  const cueGapTicks = CUE_GAP_NS / scaleNs;
  // The blocks come from the reader's own walk: trim cuts exactly the frames the audit read, past damage and past a
  // stale Segment size alike.
  for (const cluster of clusterRuns(src, path)) {
    const items = keptItems(src, fd, cluster.blocks, rec, plan, imuTrack, tick0, usPerTick, scaleNs, path);
    if (items.length > 0) {
      const clusterTicks = Math.min(...items.map((i) => i.ticks));
      for (const i of items) {
        if (i.ticks - clusterTicks > 32767) {
          throw new PostError('K4S_TRIM_FAILED', `${path}: a cluster at byte ${cluster.start} spans more than 32767 ticks; it cannot be rebuilt with 16-bit block times.`);
        }
      }
      const timestamp = uintElement(ID.Timestamp, clusterTicks);
      const bodySize = timestamp.length + items.reduce((n, i) => n + i.size, 0);
      const clusterAt = out.position;
      out.write(headerBytes(ID.Cluster, 6 + bodySize));
      const crcAt = out.position;
      out.write(crcElement(0));
      out.beginCrc();
      out.write(timestamp);
      for (const i of items) {
        i.write(out, i.ticks - clusterTicks);
        kept.set(i.track, (kept.get(i.track) ?? 0) + i.count);
        durationTicks = Math.max(durationTicks, i.lastTicks);
      }
      out.patch(crcAt, crcElement(out.endCrc()));
      const first1 = items.find((i) => i.track === 1);
      const lastCue = cues[cues.length - 1];
      if (first1 && (!lastCue || first1.ticks - lastCue.ticks >= cueGapTicks)) cues.push({ ticks: first1.ticks, position: clusterAt - segmentData });
      written++;
    }
    onProgress?.(cluster.end);
    if (Date.now() - lastYield > 50) {
      // Let a progress bar draw; the copying itself is synchronous.
      await new Promise((r) => setImmediate(r));
      lastYield = Date.now();
    }
  }

  const cuesAt = out.position;
  if (cues.length > 0) {
    out.write(element(ID.Cues, cues.map((c) =>
      element(ID.CuePoint, [
        uintElement(ID.CueTime, c.ticks),
        element(ID.CueTrackPositions, [uintElement(ID.CueTrack, 1), uintElement(ID.CueClusterPosition, c.position)]),
      ]))));
  }
  const end = out.position;
  out.patch(segmentSizeAt, sizeBytes(end - segmentData, 8));
  out.patch(seekHeadAt, renderSeekHead(seekTargets, seekHeadAt - segmentData, cues.length > 0 ? cuesAt - segmentData : null));
  out.patch(infoAt, renderInfo(durationTicks));
  return { kept, startOffsetNs: newOffsetNs, clusters: written, cues: cues.length, bytes: end, durationTicks };
}

/**
 * SeekHead for the header elements, which follow it back to back from `seekHeadPos` (segment-relative), and Cues.
 * Positions are 8-byte so the size never changes; without Cues, a Void of the same size takes the entry's place.
 */
function renderSeekHead(targets: { id: number; size: number }[], seekHeadPos: number, cuesPos: number | null): Uint8Array {
  const seek = (id: number, pos: number) => element(ID.Seek, [element(ID.SeekID, idBytes(id)), element(ID.SeekPosition, uint64Bytes(pos))]);
  const cueEntry = seek(ID.Cues, cuesPos ?? 0);
  const withoutCues = (start: number) => {
    let at = start;
    return targets.map((t) => {
      const s = seek(t.id, at);
      at += t.size;
      return s;
    });
  };
  // The SeekHead's own size decides where the first target starts: entries have a fixed size, so render twice.
  const bodySize = concat([...withoutCues(0), cueEntry]).length;
  const own = headerBytes(ID.SeekHead, bodySize).length + bodySize;
  const entries = withoutCues(seekHeadPos + own);
  if (cuesPos !== null) return element(ID.SeekHead, [...entries, cueEntry]);
  const head = element(ID.SeekHead, entries);
  return concat([head, voidElement(own - head.length)]);
}

/** Info as it was, with Duration (float64, ticks) last; a CRC-32 only if the source had one. Same size for any value. */
function infoRenderer(src: ByteSource, info: Child, path: string): (durationTicks: number) => Uint8Array {
  if (info.size > MAX_HEADER_BYTES) throw new PostError('K4S_NOT_TRIMMABLE', `${path}: the Info element is implausibly large.`);
  const kids = children(src, info.dataStart, info.end);
  const hadCrc = kids.some((c) => c.id === ID.CRC32);
  const kept = concat(kids.filter((c) => c.id !== ID.Duration && c.id !== ID.CRC32 && c.id !== ID.Void).map((c) => readCopy(src, c.start, c.end - c.start)));
  return (durationTicks) => {
    const body = concat([kept, floatElement(ID.Duration, durationTicks)]);
    return hadCrc ? elementWithCrc(ID.Info, body) : element(ID.Info, body);
  };
}

function freshInfo(scaleNs: number, tool: 'trim' | 'recover'): (durationTicks: number) => Uint8Array {
  const kept = concat([
    uintElement(ID.TimecodeScale, scaleNs),
    stringElement(ID.MuxingApp, `k4sync-${VERSION}`),
    stringElement(ID.WritingApp, `k4sync-${tool}-${VERSION}`),
    stringElement(ID.Title, 'Azure Kinect'),
  ]);
  return (durationTicks) => element(ID.Info, [kept, floatElement(ID.Duration, durationTicks)]);
}

const utf8 = new TextDecoder('utf-8');

/**
 * All Tag elements of the source in one Tags with a CRC-32 first (as k4arecord writes it), every tag byte for byte
 * except K4A_START_OFFSET_NS, whose TagString becomes the new offset (added as a global tag when it was missing).
 */
function renderTags(src: ByteSource, tagsEls: Child[], offsetNs: bigint, path: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let found = false;
  for (const tags of tagsEls) {
    if (tags.size > MAX_HEADER_BYTES) throw new PostError('K4S_NOT_TRIMMABLE', `${path}: a Tags element is implausibly large.`);
    for (const tag of children(src, tags.dataStart, tags.end)) {
      if (tag.id === ID.CRC32 || tag.id === ID.Void) continue;
      const rewritten = tag.id === ID.Tag ? rewriteOffsetTag(src, tag, offsetNs) : null;
      if (rewritten) found = true;
      parts.push(rewritten ?? readCopy(src, tag.start, tag.end - tag.start));
    }
  }
  if (!found) {
    parts.push(element(ID.Tag, [element(ID.Targets, []), element(ID.SimpleTag, [stringElement(ID.TagName, 'K4A_START_OFFSET_NS'), stringElement(ID.TagString, offsetNs.toString())])]));
  }
  return elementWithCrc(ID.Tags, concat(parts));
}

function rewriteOffsetTag(src: ByteSource, tag: Child, offsetNs: bigint): Uint8Array | null {
  const kids = children(src, tag.dataStart, tag.end);
  let hit = false;
  const parts = kids.map((c) => {
    if (c.id !== ID.SimpleTag) return readCopy(src, c.start, c.end - c.start);
    const inner = children(src, c.dataStart, c.end);
    const name = inner.find((x) => x.id === ID.TagName);
    if (!name || utf8.decode(src.read(name.dataStart, name.size)).replace(/\0+$/, '') !== 'K4A_START_OFFSET_NS') {
      return readCopy(src, c.start, c.end - c.start);
    }
    hit = true;
    const hasString = inner.some((x) => x.id === ID.TagString);
    const body = inner.map((x) => (x.id === ID.TagString ? stringElement(ID.TagString, offsetNs.toString()) : readCopy(src, x.start, x.end - x.start)));
    if (!hasString) body.push(stringElement(ID.TagString, offsetNs.toString()));
    return element(ID.SimpleTag, body);
  });
  return hit ? element(ID.Tag, parts) : null;
}

function inSpan(v: number, span: KeepSpan | null | undefined): boolean {
  return !!span && v >= span.fromUs && v <= span.toUs;
}

/** The blocks of one cluster that stay, each ready to write itself with a new relative time. */
function keptItems(
  src: ByteSource, fd: number, blocks: readonly BlockRef[], rec: Recording, plan: TrimPlan,
  imuTrack: number | null, tick0: number, usPerTick: number, scaleNs: number, path: string,
): KeptItem[] {
  const offsetUs = Number(rec.startOffset.ns / 1000n);
  const items: KeptItem[] = [];
  for (const b of blocks) {
    const newTicks = b.ticks - tick0;
    const deviceUs = b.ticks * usPerTick + offsetUs;
    if (b.track === imuTrack) {
      const item = imuItem(src, fd, b, newTicks, plan.imu ?? plan.others, scaleNs);
      if (item) items.push(item);
      continue;
    }
    const span = plan.tracks.has(b.track) ? plan.tracks.get(b.track) : plan.others;
    if (!inSpan(deviceUs, span)) continue;
    if (newTicks < 0) throw new PostError('K4S_TRIM_FAILED', `${path}: a kept block at byte ${b.start} lies before the new start; the trim plan is inconsistent.`);
    items.push(verbatimItem(src, fd, b, newTicks, b.lace.frameSizes.length));
  }
  return items;
}

/** The BlockGroup around a block: its header bytes and its children in order (the Block among them). */
function groupOf(src: ByteSource, b: BlockRef): { header: Child; kids: Child[] } | null {
  if (!b.grouped) return null;
  const h = readHeader(src, b.start, b.end)!;
  return { header: { ...h, size: b.end - h.dataStart, end: b.end }, kids: children(src, h.dataStart, b.end) };
}

/** A block (or group) copied as it is; only the 2 bytes of its relative time change. */
function verbatimItem(src: ByteSource, fd: number, b: BlockRef, ticks: number, count: number): KeptItem {
  const { block, trackLength } = b;
  const group = groupOf(src, b);
  const writeBlock = (out: OutputFile, rel: number) => {
    const fixed = readCopy(src, block.start, block.dataStart - block.start + trackLength + 3);
    const at = block.dataStart - block.start + trackLength;
    fixed[at] = (rel >> 8) & 0xff;
    fixed[at + 1] = rel & 0xff;
    out.write(fixed);
    out.copyFrom(fd, block.dataStart + trackLength + 3, block.end - (block.dataStart + trackLength + 3));
  };
  return {
    ticks,
    track: b.track,
    count,
    lastTicks: ticks,
    size: b.end - b.start,
    write(out, rel) {
      if (!group) {
        writeBlock(out, rel);
        return;
      }
      out.write(readCopy(src, group.header.start, group.header.dataStart - group.header.start));
      for (const g of group.kids) {
        if (g.start === block.start) writeBlock(out, rel);
        else out.copyFrom(fd, g.start, g.end - g.start);
      }
    },
  };
}

/** Device ns of an IMU record's accelerometer timestamp. */
function accNs(data: Uint8Array, at: number): bigint {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(at, true);
}

/**
 * An IMU block, cut to the span sample by sample: each sample carries its absolute device time (ns), so the rebuilt
 * block starts at its first kept sample and its BlockDuration is that of the kept run (span + 1 tick, as k4arecord).
 */
function imuItem(src: ByteSource, fd: number, b: BlockRef, newTicks: number, span: KeepSpan, scaleNs: number): KeptItem | null {
  const { block, lace, trackLength, flags } = b;
  // The reader has bounded an IMU block's size (it reads them whole too).
  const data = readCopy(src, block.dataStart, block.size);
  const frames: { at: number; size: number; ns: bigint; lastNs: bigint }[] = [];
  let at = lace.headerBytes;
  for (const size of lace.frameSizes) {
    if (size >= IMU_RECORD_BYTES && size % IMU_RECORD_BYTES === 0) {
      frames.push({ at, size, ns: accNs(data, at), lastNs: accNs(data, at + size - IMU_RECORD_BYTES) });
    }
    at += size;
  }
  if (frames.length !== lace.frameSizes.length) return null;
  const keep = frames.filter((f) => inSpan(Number(f.ns / 1000n), span));
  if (keep.length === 0) return null;
  const first = frames[0]!;
  const ticksOf = (ns: bigint) => newTicks + Number((ns - first.ns) / BigInt(scaleNs));
  const samples = keep.reduce((n, f) => n + f.size / IMU_RECORD_BYTES, 0);
  const lastTicks = ticksOf(keep[keep.length - 1]!.lastNs);
  if (keep.length === frames.length) {
    const item = verbatimItem(src, fd, b, newTicks, samples);
    return { ...item, lastTicks };
  }
  const ticks = ticksOf(keep[0]!.ns);
  const { flagsLacing, header } = laceHeader(keep.map((f) => f.size));
  const payload = concat(keep.map((f) => data.subarray(f.at, f.at + f.size)));
  const durationTicks = Number((keep[keep.length - 1]!.lastNs - keep[0]!.ns) / BigInt(scaleNs)) + 1;
  const group = groupOf(src, b);
  const render = (rel: number): Uint8Array => {
    const fixed = data.slice(0, trackLength + 3);
    fixed[trackLength] = (rel >> 8) & 0xff;
    fixed[trackLength + 1] = rel & 0xff;
    fixed[trackLength + 2] = (flags & ~0x06) | flagsLacing;
    const blockEl = element(group ? ID.Block : ID.SimpleBlock, [fixed, header, payload]);
    if (!group) return blockEl;
    const rest = group.kids.filter((g) => g.start !== block.start).map((g) =>
      g.id === ID.BlockDuration ? uintElement(ID.BlockDuration, durationTicks) : readCopy(src, g.start, g.end - g.start));
    return element(ID.BlockGroup, [blockEl, ...rest]);
  };
  // Relative times are 16 bits, and so is their encoding: the size does not depend on the value.
  const size = render(0).length;
  return {
    ticks,
    track: b.track,
    count: samples,
    lastTicks,
    size,
    write(out, rel) {
      out.write(render(rel));
    },
  };
}

