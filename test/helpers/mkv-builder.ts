/**
 * Test-only synthesizer for Azure Kinect (k4arecord) Matroska files.
 *
 * Real recordings are large and only cover the cases a real device happened to produce, so the
 * reader's tests build their inputs here instead: unfinalized files, unknown sizes, every lacing
 * mode, odd start offsets, CRC and Void elements where the SDK puts them. The layout follows the
 * format spec (k4a-recording-and-sync.md) §1–§2; comments cite its sections.
 *
 * Everything is deterministic (UIDs, DateUTC), so byte-level assertions stay stable.
 */

import { crc32 } from 'node:zlib';
import {
  concat, crcElement as crcOf, element, floatElement, headerBytes, ID as MATROSKA_ID, idBytes, intBytes, intElement, sizeBytes, stringElement,
  uintElement, UNKNOWN_SIZE, voidElement,
} from '../../src/post/ebml.js';

// ---------------------------------------------------------------------------------------------
// EBML encoding: the one TypeScript writer, the trim rewriter's (src/post/ebml.ts)
// ---------------------------------------------------------------------------------------------

export { concat, element, floatElement, intElement, stringElement, uintElement, UNKNOWN_SIZE };

/** Unsigned vint of any value the format allows; the builder's name for the writer's size encoding. */
export const encodeVint = sizeBytes;

/** Signed vint used by EBML lacing: the unsigned value minus a bias of 2^(7w-1) - 1. */
function encodeSignedVint(value: number): Uint8Array {
  for (let w = 1; w <= 8; w++) {
    const bias = (1n << BigInt(7 * w - 1)) - 1n;
    const v = BigInt(value);
    if (v >= -bias && v <= bias) return encodeVint(v + bias, w);
  }
  throw new RangeError(`signed vint out of range: ${value}`);
}

/** libebml stores the CRC of the parent's remaining data little-endian (checked on SDK files). */
function crcElement(rest: Uint8Array): Uint8Array {
  return crcOf(crc32(rest));
}

/** Header IDs the reader does not look at, which the builder writes as k4arecord does. */
const ID = {
  ...MATROSKA_ID,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocTypeVersion: 0x4287,
} as const;

// ---------------------------------------------------------------------------------------------
// Recording builder
// ---------------------------------------------------------------------------------------------

export type Lacing = 'none' | 'xiph' | 'fixed' | 'ebml';

export interface TrackSpec {
  name: string;
  kind: 'video' | 'subtitle';
  codecId: string;
  /** For V_MS/VFW/FOURCC: CodecPrivate becomes a 40-byte BITMAPINFOHEADER with this FOURCC (§1.4). */
  fourcc?: string;
  /** Raw CodecPrivate; wins over `fourcc` (custom tracks carry their own, §1.11). */
  codecPrivate?: Uint8Array;
  width?: number;
  height?: number;
  defaultDurationNs?: number;
  uid?: bigint;
  /** BlockGroup + lacing + BlockDuration mode (§1.9). Defaults to true for codec S_K4A/IMU. */
  highFreq?: boolean;
  /**
   * Lacing for multi-frame blocks. Single-frame blocks are never laced, as libmatroska does.
   * High-frequency runs default to 'fixed' for equal frame sizes, else 'xiph'; 'none' makes
   * every sample its own BlockGroup. On other tracks a value other than 'none' groups
   * `lacingRun` consecutive items into one laced SimpleBlock.
   */
  lacing?: Lacing;
  /** Default 1; 3 when `lacing` is set on a non-highFreq track (3 frames exercise an EBML delta). */
  lacingRun?: number;
}

export interface Item {
  track: number;
  timeUs: number;
  payload: Uint8Array;
}

export interface RecordingSpec {
  /** Track numbers are index + 1. */
  tracks: TrackSpec[];
  /** Any order; sorted stably by time, so equal times keep this order. */
  items: Item[];
  /** Written in order, after the K4A_*_TRACK tags. No target = global tag with empty Targets. */
  tags?: { name: string; value: string; target?: { track?: number; attachmentUid?: bigint } }[];
  /**
   * Default: the earliest item (what the SDK writes). A bigint is written as the last tag and is
   * subtracted from every block time; items before it throw. null omits the tag (an unfinalized
   * file) while blocks stay relative to the earliest item, as the SDK had them in memory.
   */
  startOffsetNs?: bigint | null;
  /** Default true: K4A_{COLOR,DEPTH,IR,IMU}_TRACK for tracks with exactly those names. */
  k4aTrackTags?: boolean;
  attachments?: { fileName: string; mime?: string; data: Uint8Array; uid?: bigint }[];
  /** Default 1000 ns. */
  timecodeScale?: number;
  /** Default 'k4sync-test'. */
  writingApp?: string;
  /** Default 'known'; 'zero' is the SDK's unfinalized 8-byte 0, 'unknown' all ones. */
  segmentSize?: 'known' | 'zero' | 'unknown';
  clusterSize?: 'known' | 'unknown';
  /** Default false here (buildK4a turns it on): CRC-32 first in every Cluster and in Tags. */
  crc?: boolean;
  /** Default false here (buildK4a turns it on): SDK-sized Voids, plus one inside the first Cluster. */
  voids?: boolean;
  /** Default true. */
  seekHead?: boolean;
  /** Default true; omitted anyway when track 1 has no blocks. */
  cues?: boolean;
  /** Default 32000 µs, the SDK's cluster grid. */
  clusterSpanUs?: number;
  /** Default true: 4-byte float (last item − start offset) in timecode units. */
  duration?: boolean;
  /** Default true: a fixed date, 2024-05-06 07:08:09 UTC. */
  dateUtc?: boolean;
}

export interface BuiltRecording {
  bytes: Uint8Array;
  clusterOffsets: number[];
  blockOffsets: { track: number; offset: number; end: number }[];
}

const UID_MASK = (1n << 60n) - 1n;

/** Deterministic, distinct, 60-bit like the SDK's random UIDs, and well above 2^53 on purpose. */
function derivedUid(index: number, salt: bigint): bigint {
  const uid = ((BigInt(index) + 1n) * 0x9e3779b97f4a7c15n + salt) & UID_MASK;
  return uid === 0n ? 1n : uid;
}

const defaultTrackUid = (index: number): bigint => derivedUid(index, 0x5a5a5a5a5a5n);
const defaultAttachmentUid = (index: number): bigint => derivedUid(index + 64, 0x3c3c3c3c3c3n);

const FOURCC_FORMATS: Record<string, { bits: number; imageSize: (w: number, h: number) => number }> = {
  MJPG: { bits: 24, imageSize: () => 0 },
  NV12: { bits: 12, imageSize: (w, h) => (w * h * 3) / 2 },
  YUY2: { bits: 16, imageSize: (w, h) => w * h * 2 },
  BGRA: { bits: 32, imageSize: (w, h) => w * h * 4 },
  b16g: { bits: 16, imageSize: (w, h) => w * h * 2 },
};

function bitmapInfoHeader(fourcc: string, width: number, height: number): Uint8Array {
  if (fourcc.length !== 4) throw new Error(`FOURCC must be 4 characters: '${fourcc}'`);
  const format = FOURCC_FORMATS[fourcc] ?? { bits: 0, imageSize: () => 0 };
  const out = new Uint8Array(40);
  const view = new DataView(out.buffer);
  view.setUint32(0, 40, true);
  view.setUint32(4, width, true);
  view.setUint32(8, height, true);
  view.setUint16(12, 1, true);
  view.setUint16(14, format.bits, true);
  for (let i = 0; i < 4; i++) out[16 + i] = fourcc.charCodeAt(i);
  view.setUint32(20, format.imageSize(width, height), true);
  return out;
}

function trackEntry(track: TrackSpec, number: number, uid: bigint): Uint8Array {
  const children = [
    uintElement(ID.TrackNumber, number),
    uintElement(ID.TrackUID, uid),
    uintElement(ID.TrackType, track.kind === 'video' ? 1 : 0x11),
    stringElement(ID.CodecID, track.codecId),
    stringElement(ID.Name, track.name),
  ];
  const codecPrivate =
    track.codecPrivate ??
    (track.fourcc !== undefined ? bitmapInfoHeader(track.fourcc, track.width ?? 0, track.height ?? 0) : undefined);
  if (codecPrivate) children.push(element(ID.CodecPrivate, codecPrivate));
  if (track.kind === 'video') {
    if (track.defaultDurationNs !== undefined) children.push(uintElement(ID.DefaultDuration, track.defaultDurationNs));
    if (track.width !== undefined || track.height !== undefined) {
      children.push(
        element(ID.Video, [uintElement(ID.PixelWidth, track.width ?? 0), uintElement(ID.PixelHeight, track.height ?? 0)]),
      );
    }
  }
  return element(ID.TrackEntry, children);
}

const LACING_BITS: Record<Lacing, number> = { none: 0x00, xiph: 0x02, fixed: 0x04, ebml: 0x06 };

function laceHeader(lacing: Lacing, frames: Uint8Array[]): Uint8Array {
  if (lacing === 'none') return new Uint8Array(0);
  const parts: Uint8Array[] = [Uint8Array.of(frames.length - 1)];
  const sizes = frames.map((f) => f.length);
  if (lacing === 'xiph') {
    for (const size of sizes.slice(0, -1)) {
      const bytes: number[] = [];
      for (let s = size; ; s -= 255) {
        if (s < 255) {
          bytes.push(s);
          break;
        }
        bytes.push(255);
      }
      parts.push(Uint8Array.from(bytes));
    }
  } else if (lacing === 'ebml') {
    parts.push(encodeVint(sizes[0]!));
    for (let i = 1; i < sizes.length - 1; i++) parts.push(encodeSignedVint(sizes[i]! - sizes[i - 1]!));
  } else if (sizes.some((s) => s !== sizes[0])) {
    throw new Error(`fixed lacing needs equal frame sizes, got ${sizes.join(',')}`);
  }
  return concat(parts);
}

function blockBody(trackNumber: number, relTime: number, flags: number, lacing: Lacing, frames: Uint8Array[]): Uint8Array {
  if (relTime < -32768 || relTime > 32767) throw new RangeError(`relative block time ${relTime} does not fit int16`);
  if (frames.length > 256) throw new RangeError(`a lace holds at most 256 frames, got ${frames.length}`);
  const laced = frames.length > 1 ? lacing : 'none';
  if (laced === 'none' && frames.length !== 1) throw new Error('several frames need lacing');
  const header = concat([encodeVint(trackNumber), intBytes(relTime, 2), Uint8Array.of(flags | LACING_BITS[laced])]);
  return concat([header, laceHeader(laced, frames), ...frames]);
}

function chooseLacing(explicit: Lacing | undefined, frames: Uint8Array[]): Lacing {
  if (explicit) return explicit;
  return frames.every((f) => f.length === frames[0]?.length) ? 'fixed' : 'xiph';
}

interface Timed {
  item: Item;
  ns: bigint;
  ticks: bigint;
}

interface BuiltCluster {
  bytes: Uint8Array;
  blocks: { track: number; offset: number; end: number }[];
  /** Time of the first block of track 1, for the Cues. */
  track1Ticks?: bigint;
}

function buildCluster(
  entries: Timed[],
  tracks: TrackSpec[],
  opts: { scale: bigint; crc: boolean; unknownSize: boolean; innerVoid: boolean },
): BuiltCluster {
  const clusterTicks = entries[0]!.ticks;
  const children: Uint8Array[] = [uintElement(ID.Timestamp, clusterTicks)];
  const blocks: { track: number; start: number; len: number }[] = [];
  let bodyLen = children[0]!.length;
  let track1Ticks: bigint | undefined;

  for (let i = 0; i < entries.length; ) {
    const first = entries[i]!;
    const trackNumber = first.item.track;
    const track = tracks[trackNumber - 1]!;
    const highFreq = track.highFreq ?? track.codecId === 'S_K4A/IMU';
    // §1.9: a high-frequency run ends at any other track's item; a lace count is one byte.
    const maxRun = highFreq
      ? track.lacing === 'none'
        ? 1
        : 256
      : Math.min(256, track.lacingRun ?? (track.lacing && track.lacing !== 'none' ? 3 : 1));
    let j = i + 1;
    while (j < entries.length && j - i < maxRun && entries[j]!.item.track === trackNumber) j++;
    const run = entries.slice(i, j);
    i = j;

    const frames = run.map((e) => e.item.payload);
    const lacing = chooseLacing(track.lacing, frames);
    const rel = Number(first.ticks - clusterTicks);
    let block: Uint8Array;
    if (highFreq) {
      const last = run[run.length - 1]!;
      const durationTicks = (last.ns - first.ns + 1000n) / opts.scale;
      block = element(ID.BlockGroup, [
        element(ID.Block, blockBody(trackNumber, rel, 0x00, lacing, frames)),
        uintElement(ID.BlockDuration, durationTicks),
      ]);
    } else {
      block = element(ID.SimpleBlock, blockBody(trackNumber, rel, 0x80, lacing, frames));
    }
    if (trackNumber === 1 && track1Ticks === undefined) track1Ticks = first.ticks;
    blocks.push({ track: trackNumber, start: bodyLen, len: block.length });
    children.push(block);
    bodyLen += block.length;
    if (opts.innerVoid && blocks.length === 1) {
      // Readers must skip a Void between blocks, not only between top-level elements.
      const filler = voidElement(16);
      children.push(filler);
      bodyLen += filler.length;
    }
  }

  const body = concat(children);
  const prefix = opts.crc ? crcElement(body) : new Uint8Array(0);
  const bytes = element(ID.Cluster, [prefix, body], opts.unknownSize ? { size: UNKNOWN_SIZE } : undefined);
  const bodyStart = bytes.length - body.length;
  const built: BuiltCluster = {
    bytes,
    blocks: blocks.map((b) => ({ track: b.track, offset: bodyStart + b.start, end: bodyStart + b.start + b.len })),
  };
  if (track1Ticks !== undefined) built.track1Ticks = track1Ticks;
  return built;
}

type TagEntry = NonNullable<RecordingSpec['tags']>[number];

function buildTags(tags: TagEntry[], trackUids: bigint[], crc: boolean): Uint8Array {
  const tagElements = tags.map((tag) => {
    const targets: Uint8Array[] = [];
    const target = tag.target;
    if (target?.track !== undefined) {
      const uid = trackUids[target.track - 1];
      if (uid === undefined) throw new Error(`tag ${tag.name} targets missing track ${target.track}`);
      targets.push(stringElement(ID.TargetType, 'TRACK'), uintElement(ID.TagTrackUID, uid));
    }
    if (target?.attachmentUid !== undefined) {
      if (target.track === undefined) targets.push(stringElement(ID.TargetType, 'ATTACHMENT'));
      targets.push(uintElement(ID.TagAttachmentUID, target.attachmentUid));
    }
    return element(ID.Tag, [
      element(ID.Targets, targets),
      element(ID.SimpleTag, [stringElement(ID.TagName, tag.name), stringElement(ID.TagString, tag.value)]),
    ]);
  });
  const body = concat(tagElements);
  return element(ID.Tags, crc ? [crcElement(body), body] : [body]);
}

/** DateUTC counts ns from 2001-01-01; a fixed instant keeps the output byte-identical between runs. */
const FIXED_DATE_NS = BigInt(Date.UTC(2024, 4, 6, 7, 8, 9) - Date.UTC(2001, 0, 1)) * 1_000_000n;

/** SDK reserves (1 + 2 + data) bytes for each of these areas (§1.2). */
const SEEK_AREA = 1027;
const INFO_AREA = 259;
const TAGS_VOID = 1027;

export function buildRecording(spec: RecordingSpec): BuiltRecording {
  const tracks = spec.tracks;
  const scale = BigInt(spec.timecodeScale ?? 1000);
  if (scale <= 0n) throw new RangeError('timecodeScale must be positive');
  const span = spec.clusterSpanUs ?? 32000;
  if (!(span > 0)) throw new RangeError('clusterSpanUs must be positive');
  const trackUids = tracks.map((t, i) => t.uid ?? defaultTrackUid(i));

  for (const item of spec.items) {
    if (!Number.isInteger(item.track) || item.track < 1 || item.track > tracks.length) {
      throw new Error(`item refers to missing track ${item.track}`);
    }
  }

  // Array.prototype.sort is stable, so equal timestamps keep the caller's order.
  const sorted = [...spec.items].sort((a, b) => a.timeUs - b.timeUs);
  const firstNs = sorted.length > 0 ? BigInt(sorted[0]!.timeUs) * 1000n : undefined;
  const lastNs = sorted.length > 0 ? BigInt(sorted[sorted.length - 1]!.timeUs) * 1000n : undefined;
  // A null offset still shifts blocks like the SDK did in memory; only the tag is missing (§0.3).
  const baseNs = spec.startOffsetNs ?? firstNs ?? 0n;
  const timed: Timed[] = sorted.map((item) => {
    const ns = BigInt(item.timeUs) * 1000n;
    const ticks = (ns - baseNs) / scale;
    if (ns < baseNs) throw new RangeError(`item at ${item.timeUs} µs precedes the start offset ${baseNs} ns`);
    return { item, ns, ticks };
  });

  // §1.9: clusters sit on a grid of absolute device time; int16 relative times force extra splits.
  const groups: Timed[][] = [];
  let current: Timed[] = [];
  let currentGrid = 0;
  for (const t of timed) {
    const grid = Math.floor(t.item.timeUs / span);
    if (current.length > 0 && (grid !== currentGrid || t.ticks - current[0]!.ticks > 32767n)) {
      groups.push(current);
      current = [];
    }
    if (current.length === 0) currentGrid = grid;
    current.push(t);
  }
  if (current.length > 0) groups.push(current);

  const crc = spec.crc ?? false;
  const voids = spec.voids ?? false;
  const clusters = groups.map((g, i) =>
    buildCluster(g, tracks, { scale, crc, unknownSize: spec.clusterSize === 'unknown', innerVoid: voids && i === 0 }),
  );

  const ebmlHeader = element(ID.EBML, [
    uintElement(ID.EBMLVersion, 1),
    uintElement(ID.EBMLReadVersion, 1),
    uintElement(ID.EBMLMaxIDLength, 4),
    uintElement(ID.EBMLMaxSizeLength, 8),
    stringElement(ID.DocType, 'matroska'),
    uintElement(ID.DocTypeVersion, 2),
    uintElement(ID.DocTypeReadVersion, 2),
  ]);

  const infoChildren = [
    uintElement(ID.TimecodeScale, scale),
    stringElement(ID.MuxingApp, 'k4sync-mkv-builder'),
    stringElement(ID.WritingApp, spec.writingApp ?? 'k4sync-test'),
  ];
  if (spec.dateUtc ?? true) infoChildren.push(element(ID.DateUTC, intBytes(FIXED_DATE_NS, 8)));
  infoChildren.push(stringElement(ID.Title, 'Azure Kinect'));
  if ((spec.duration ?? true) && lastNs !== undefined) {
    // §1.3: the SDK writes a 4-byte float of (most recent − start offset).
    infoChildren.push(floatElement(ID.Duration, Number(lastNs - baseNs) / Number(scale), 4));
  }
  const info = element(ID.Info, infoChildren);

  const tracksElement = element(ID.Tracks, tracks.map((t, i) => trackEntry(t, i + 1, trackUids[i]!)));

  const attachmentSpecs = spec.attachments ?? [];
  const attachments =
    attachmentSpecs.length > 0
      ? element(
          ID.Attachments,
          attachmentSpecs.map((a, i) =>
            element(ID.AttachedFile, [
              stringElement(ID.FileName, a.fileName),
              stringElement(ID.FileMimeType, a.mime ?? 'application/octet-stream'),
              element(ID.FileData, a.data),
              uintElement(ID.FileUID, a.uid ?? defaultAttachmentUid(i)),
            ]),
          ),
        )
      : undefined;

  const tagList: TagEntry[] = [];
  if (spec.k4aTrackTags ?? true) {
    for (const name of ['COLOR', 'DEPTH', 'IR', 'IMU']) {
      const index = tracks.findIndex((t) => t.name === name);
      if (index >= 0) {
        tagList.push({ name: `K4A_${name}_TRACK`, value: trackUids[index]!.toString(), target: { track: index + 1 } });
      }
    }
  }
  tagList.push(...(spec.tags ?? []));
  const tagsBeforeFlush = tagList.length > 0 ? buildTags(tagList, trackUids, crc) : undefined;
  const startOffsetNs = spec.startOffsetNs === undefined ? firstNs : (spec.startOffsetNs ?? undefined);
  if (startOffsetNs !== undefined) tagList.push({ name: 'K4A_START_OFFSET_NS', value: startOffsetNs.toString() });
  const tags = tagList.length > 0 ? buildTags(tagList, trackUids, crc) : undefined;

  const infoArea = voids && info.length <= INFO_AREA - 2 ? [info, voidElement(INFO_AREA - info.length)] : [info];
  const tagsArea: Uint8Array[] = [];
  if (tags) {
    tagsArea.push(tags);
    // §1.2: the Void after Tags shrinks by exactly what the flush-time K4A_START_OFFSET_NS added.
    if (voids) tagsArea.push(voidElement(TAGS_VOID - (tags.length - (tagsBeforeFlush?.length ?? 0))));
  }

  const withSeekHead = spec.seekHead ?? true;
  const withCues = spec.cues ?? true;
  const lengthOf = (parts: Uint8Array[]): number => parts.reduce((n, p) => n + p.length, 0);

  // SeekHead and Cues hold positions that depend on the SeekHead's own length: iterate to a fixpoint.
  let seekArea: Uint8Array[] = voids ? [voidElement(SEEK_AREA)] : [];
  let cues: Uint8Array | undefined;
  let clusterPositions: number[] = [];
  for (let attempt = 0; ; attempt++) {
    if (attempt > 8) throw new Error('SeekHead layout did not converge');
    const seekLen = lengthOf(seekArea);
    const posInfo = seekLen;
    const posTracks = posInfo + lengthOf(infoArea);
    const posAttachments = posTracks + tracksElement.length;
    const posTags = posAttachments + (attachments?.length ?? 0);
    let at = posTags + lengthOf(tagsArea);
    clusterPositions = clusters.map((c) => {
      const pos = at;
      at += c.bytes.length;
      return pos;
    });
    const posCues = at;

    cues = withCues ? buildCues(clusters, clusterPositions, scale) : undefined;

    let nextSeekArea: Uint8Array[] = voids ? [voidElement(SEEK_AREA)] : [];
    if (withSeekHead) {
      const entries: [number, number][] = [
        [ID.Info, posInfo],
        [ID.Tracks, posTracks],
      ];
      if (attachments) entries.push([ID.Attachments, posAttachments]);
      if (tags) entries.push([ID.Tags, posTags]);
      if (cues) entries.push([ID.Cues, posCues]);
      const seekHead = element(
        ID.SeekHead,
        entries.map(([id, pos]) =>
          element(ID.Seek, [element(ID.SeekID, idBytes(id)), uintElement(ID.SeekPosition, pos)]),
        ),
      );
      nextSeekArea =
        voids && seekHead.length <= SEEK_AREA - 2 ? [seekHead, voidElement(SEEK_AREA - seekHead.length)] : [seekHead];
    }
    const stable = lengthOf(nextSeekArea) === seekLen;
    seekArea = nextSeekArea;
    if (stable) break;
  }

  const segmentData = concat([
    ...seekArea,
    ...infoArea,
    tracksElement,
    ...(attachments ? [attachments] : []),
    ...tagsArea,
    ...clusters.map((c) => c.bytes),
    ...(cues ? [cues] : []),
  ]);
  // The Segment size is 8 bytes wide, as k4arecord reserves it to patch at the end.
  const segmentSize = spec.segmentSize === 'zero' ? 0 : spec.segmentSize === 'unknown' ? UNKNOWN_SIZE : segmentData.length;
  const segmentHeader = headerBytes(ID.Segment, segmentSize, 8);
  const segmentDataStart = ebmlHeader.length + segmentHeader.length;
  const bytes = concat([ebmlHeader, segmentHeader, segmentData]);

  const clusterOffsets = clusterPositions.map((p) => segmentDataStart + p);
  const blockOffsets = clusters.flatMap((c, i) =>
    c.blocks.map((b) => ({ track: b.track, offset: clusterOffsets[i]! + b.offset, end: clusterOffsets[i]! + b.end })),
  );
  return { bytes, clusterOffsets, blockOffsets };
}

/** §1.10: at most one cue per cluster, for track 1's first block, at least 1 s after the previous cue. */
function buildCues(clusters: BuiltCluster[], positions: number[], scale: bigint): Uint8Array | undefined {
  const gapTicks = 1_000_000_000n / scale;
  const points: Uint8Array[] = [];
  let previous: bigint | undefined;
  clusters.forEach((c, i) => {
    const t = c.track1Ticks;
    if (t === undefined || (previous !== undefined && t - previous < gapTicks)) return;
    previous = t;
    points.push(
      element(ID.CuePoint, [
        uintElement(ID.CueTime, t),
        element(ID.CueTrackPositions, [uintElement(ID.CueTrack, 1), uintElement(ID.CueClusterPosition, positions[i]!)]),
      ]),
    );
  });
  return points.length > 0 ? element(ID.Cues, points) : undefined;
}

// ---------------------------------------------------------------------------------------------
// SDK-like K4A recordings
// ---------------------------------------------------------------------------------------------

export interface K4aOptions {
  fps?: 5 | 15 | 30;
  frames?: number;
  firstColorUs?: number;
  depthDelayUs?: number;
  colorMode?: string | null;
  depthMode?: string | null;
  irName?: string;
  imu?: boolean;
  imuLacing?: Lacing;
  drops?: number[];
  syncMode?: 'STANDALONE' | 'MASTER' | 'SUBORDINATE';
  subordinateDelayUs?: number;
  serial?: string;
  periodTicks?: number;
  videoPayloadBytes?: number;
  calibration?: boolean;
  customTracks?: { name: string; codecId: string; items: { timeUs: number; payload: Uint8Array }[]; highFreq?: boolean }[];
}

export interface K4aTruth {
  color: number[];
  depth: number[];
  ir: number[];
  imu: number[];
  startOffsetNs: bigint | null;
}

const COLOR_HEIGHTS: Record<string, [number, number]> = {
  '720': [1280, 720],
  '1080': [1920, 1080],
  '1440': [2560, 1440],
  '1536': [2048, 1536],
  '2160': [3840, 2160],
  '3072': [4096, 3072],
};

const DEPTH_SIZES: Record<string, [number, number]> = {
  NFOV_2X2BINNED: [320, 288],
  NFOV_UNBINNED: [640, 576],
  WFOV_2X2BINNED: [512, 512],
  WFOV_UNBINNED: [1024, 1024],
  PASSIVE_IR: [1024, 1024],
};

/** 40-byte IMU record (§1.6): timestamps are absolute device ns, not offset. */
function imuRecord(timeUs: number, index: number): Uint8Array {
  const out = new Uint8Array(40);
  const view = new DataView(out.buffer);
  const ns = BigInt(timeUs) * 1000n;
  view.setBigUint64(0, ns, true);
  view.setFloat32(8, 0.1, true);
  view.setFloat32(12, -0.2, true);
  view.setFloat32(16, 9.81 + (index % 5) * 0.01, true);
  view.setBigUint64(20, ns, true);
  view.setFloat32(28, (index % 7) * 0.001, true);
  view.setFloat32(32, 0, true);
  view.setFloat32(36, -0.001, true);
  return out;
}

/**
 * Builds a recording laid out like k4arecorder's (CRC, Voids, SDK tag order) and the device
 * timestamps it holds. `overrides` are shallow-merged over the generated spec; when they replace
 * `items`, `truth` still describes the generated items. The generated spec is returned so a test
 * can edit it (drop a tag, reorder tracks) and call buildRecording itself.
 */
export function buildK4a(
  opts: K4aOptions = {},
  overrides: Partial<RecordingSpec> = {},
): { built: BuiltRecording; truth: K4aTruth; spec: RecordingSpec } {
  const fps = opts.fps ?? 30;
  const frames = opts.frames ?? 10;
  const firstColorUs = opts.firstColorUs ?? 1_000_000;
  const depthDelayUs = opts.depthDelayUs ?? 0;
  const colorMode = opts.colorMode === undefined ? 'MJPG_720P' : opts.colorMode;
  const depthMode = opts.depthMode === undefined ? 'NFOV_UNBINNED' : opts.depthMode;
  const periodTicks = opts.periodTicks ?? 90000 / fps;
  const drops = new Set(opts.drops ?? []);
  const payload = new Uint8Array(opts.videoPayloadBytes ?? 64).fill(0xee);
  const defaultDurationNs = Math.floor(1e9 / fps);

  const tracks: TrackSpec[] = [];
  const items: Item[] = [];
  const tags: TagEntry[] = [];
  const truth: K4aTruth = { color: [], depth: [], ir: [], imu: [], startOffsetNs: null };
  const addTrack = (t: TrackSpec): number => {
    tracks.push({ ...t, uid: t.uid ?? defaultTrackUid(tracks.length) });
    return tracks.length;
  };
  const uidOf = (n: number): string => tracks[n - 1]!.uid!.toString();

  // Track creation order is §1.4's: COLOR, DEPTH, IR, IMU, custom.
  let colorTrack: number | undefined;
  if (colorMode !== null) {
    const m = /^(MJPG|NV12|YUY2|BGRA)_(\d+)P$/.exec(colorMode);
    const size = m ? COLOR_HEIGHTS[m[2]!] : undefined;
    if (!m || !size) throw new Error(`unknown colour mode ${colorMode}`);
    colorTrack = addTrack({
      name: 'COLOR',
      kind: 'video',
      codecId: 'V_MS/VFW/FOURCC',
      fourcc: m[1]!,
      width: size[0],
      height: size[1],
      defaultDurationNs,
    });
  }
  let depthTrack: number | undefined;
  let irTrack: number | undefined;
  const passive = depthMode?.toUpperCase() === 'PASSIVE_IR';
  if (depthMode !== null) {
    // Legacy spellings such as NFOV_2x2BINNED keep their case in the tag but share the size.
    const size = DEPTH_SIZES[depthMode.toUpperCase()];
    if (!size) throw new Error(`unknown depth mode ${depthMode}`);
    const video = { kind: 'video', codecId: 'V_MS/VFW/FOURCC', fourcc: 'b16g', width: size[0], height: size[1], defaultDurationNs } as const;
    if (!passive) depthTrack = addTrack({ name: 'DEPTH', ...video });
    irTrack = addTrack({ name: opts.irName ?? 'IR', ...video });
  }

  let lastVideoUs = firstColorUs;
  for (let k = 0; k < frames; k++) {
    const colorUs = firstColorUs + Math.floor((k * periodTicks * 100) / 9);
    const depthUs = colorUs + depthDelayUs;
    lastVideoUs = Math.max(colorUs, depthUs);
    if (drops.has(k)) continue;
    if (colorTrack !== undefined) {
      items.push({ track: colorTrack, timeUs: colorUs, payload });
      truth.color.push(colorUs);
    }
    if (depthTrack !== undefined) {
      items.push({ track: depthTrack, timeUs: depthUs, payload });
      truth.depth.push(depthUs);
    }
    if (irTrack !== undefined) {
      items.push({ track: irTrack, timeUs: depthUs, payload });
      truth.ir.push(depthUs);
    }
  }

  if (colorTrack !== undefined) {
    tags.push({ name: 'K4A_COLOR_TRACK', value: uidOf(colorTrack), target: { track: colorTrack } });
    tags.push({ name: 'K4A_COLOR_MODE', value: colorMode!, target: { track: colorTrack } });
  }
  if (depthTrack !== undefined) tags.push({ name: 'K4A_DEPTH_TRACK', value: uidOf(depthTrack), target: { track: depthTrack } });
  if (depthMode !== null) {
    const depthModeTag: TagEntry = { name: 'K4A_DEPTH_MODE', value: depthMode };
    if (depthTrack !== undefined) depthModeTag.target = { track: depthTrack };
    tags.push(depthModeTag);
  }
  if (irTrack !== undefined) {
    tags.push({ name: 'K4A_IR_TRACK', value: uidOf(irTrack), target: { track: irTrack } });
    tags.push({ name: 'K4A_IR_MODE', value: passive ? 'PASSIVE' : 'ACTIVE', target: { track: irTrack } });
  }
  if (colorMode !== null && depthMode !== null) tags.push({ name: 'K4A_DEPTH_DELAY_NS', value: String(depthDelayUs * 1000) });
  const syncMode = opts.syncMode ?? 'STANDALONE';
  tags.push({ name: 'K4A_WIRED_SYNC_MODE', value: syncMode });
  if (syncMode === 'SUBORDINATE') {
    tags.push({ name: 'K4A_SUBORDINATE_DELAY_NS', value: String((opts.subordinateDelayUs ?? 0) * 1000) });
  }
  tags.push({ name: 'K4A_COLOR_FIRMWARE_VERSION', value: '1.6.110' });
  tags.push({ name: 'K4A_DEPTH_FIRMWARE_VERSION', value: '1.6.80' });
  tags.push({ name: 'K4A_DEVICE_SERIAL_NUMBER', value: opts.serial ?? '000000000001' });

  const attachments: NonNullable<RecordingSpec['attachments']> = [];
  if (opts.calibration ?? true) {
    const uid = defaultAttachmentUid(0);
    attachments.push({
      fileName: 'calibration.json',
      mime: 'application/octet-stream',
      data: new TextEncoder().encode('{"CalibrationInformation":{"Cameras":[]}}'),
      uid,
    });
    tags.push({ name: 'K4A_CALIBRATION_FILE', value: 'calibration.json', target: { attachmentUid: uid } });
  }

  if (opts.imu ?? true) {
    const imuTrack = addTrack({ name: 'IMU', kind: 'subtitle', codecId: 'S_K4A/IMU', highFreq: true, lacing: opts.imuLacing ?? 'fixed' });
    // The SDK's IMU queue holds samples from before the first capture, so the IMU usually sets the offset (§2.2).
    const startUs = Math.max(0, firstColorUs - 3000);
    for (let i = 0, t = startUs; t <= lastVideoUs; i++, t = startUs + 600 * i) {
      items.push({ track: imuTrack, timeUs: t, payload: imuRecord(t, i) });
      truth.imu.push(t);
    }
    tags.push({ name: 'K4A_IMU_TRACK', value: uidOf(imuTrack), target: { track: imuTrack } });
    tags.push({ name: 'K4A_IMU_MODE', value: 'ON', target: { track: imuTrack } });
  }

  for (const custom of opts.customTracks ?? []) {
    const track = addTrack({ name: custom.name, kind: 'subtitle', codecId: custom.codecId, highFreq: custom.highFreq ?? false });
    for (const it of custom.items) items.push({ track, timeUs: it.timeUs, payload: it.payload });
    tags.push({ name: `K4A_CUSTOM_TRACK_${custom.name}`, value: uidOf(track), target: { track } });
  }

  const spec: RecordingSpec = {
    tracks,
    items,
    tags,
    k4aTrackTags: false,
    attachments,
    crc: true,
    voids: true,
    ...overrides,
  };
  let firstUs: number | undefined;
  for (const it of spec.items) if (firstUs === undefined || it.timeUs < firstUs) firstUs = it.timeUs;
  truth.startOffsetNs =
    spec.startOffsetNs !== undefined ? spec.startOffsetNs : firstUs !== undefined ? BigInt(firstUs) * 1000n : null;
  return { built: buildRecording(spec), truth, spec };
}

// ---------------------------------------------------------------------------------------------
// Recordings whose recorder was killed after a flush
// ---------------------------------------------------------------------------------------------

/**
 * How the clusters written after the last flush sit against that flush's index (§1.2, §1.10):
 * - 'k4arecord': the writer seeks back to where it wrote the Cues and writes on over them; the Segment size and the
 *   SeekHead's Cues entry still describe the flush, so the SeekHead points at a cluster;
 * - 'retracted': k4sync's writer first takes the Cues out of the SeekHead and sets the Segment size to the end of the
 *   flushed clusters, then writes on from there;
 * - 'appended': the Cues stay where they are and the new clusters follow them.
 */
export type CrashLayout = 'k4arecord' | 'retracted' | 'appended';

export interface CrashedRecording {
  bytes: Uint8Array;
  /** The file as the flush left it (with its Cues, unless 'retracted'). */
  flushed: Uint8Array;
  /** Every item of the take, flushed or not. */
  truth: K4aTruth;
  /** Where the first cluster written after the flush starts. */
  fromByte: number;
  /** What lies past the flush: frames (per video track) and IMU samples. */
  past: { frames: number; imuSamples: number };
  /** Offsets of every block of the crashed file, for cutting it inside a block. */
  blockOffsets: { track: number; offset: number; end: number }[];
}

/**
 * A take flushed at `flushAtUs` (a multiple of the 32 ms cluster grid) whose recorder was then killed, leaving every
 * later cluster of the take on disk after the flushed file, laid out as `layout` says.
 */
export function buildCrashed(opts: K4aOptions, flushAtUs: number, layout: CrashLayout): CrashedRecording {
  if (flushAtUs % 32000 !== 0) throw new RangeError('flushAtUs must fall on the 32 ms cluster grid');
  const { built: whole, truth, spec } = buildK4a(opts, { cues: false });
  const flushedItems = spec.items.filter((i) => i.timeUs < flushAtUs);
  const flushed = buildRecording({ ...spec, items: flushedItems, startOffsetNs: truth.startOffsetNs, cues: layout !== 'retracted' });
  const n = flushed.clusterOffsets.length;
  if (n === 0 || n >= whole.clusterOffsets.length) throw new RangeError('the flush must leave clusters on both sides');
  if (flushed.clusterOffsets.some((o, i) => o !== whole.clusterOffsets[i])) throw new Error('flushed and whole layouts differ');
  const tailAt = whole.clusterOffsets[n]!;
  const fromByte = layout === 'appended' ? flushed.bytes.length : tailAt;
  const tail = whole.bytes.subarray(tailAt);
  // Written over what the flush left there (the Cues in 'k4arecord'): the file keeps whatever the tail does not cover.
  const bytes = new Uint8Array(Math.max(flushed.bytes.length, fromByte + tail.length));
  bytes.set(flushed.bytes);
  bytes.set(tail, fromByte);
  const shift = fromByte - tailAt;
  const blockOffsets = whole.blockOffsets.map((b) => (b.offset >= tailAt ? { ...b, offset: b.offset + shift, end: b.end + shift } : b));
  const after = (times: number[]) => times.filter((t) => t >= flushAtUs).length;
  return {
    bytes,
    flushed: flushed.bytes,
    truth,
    fromByte,
    past: { frames: Math.max(after(truth.color), after(truth.depth), after(truth.ir)), imuSamples: after(truth.imu) },
    blockOffsets,
  };
}
