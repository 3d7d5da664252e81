import { readHeader, readUint, readVint, type ElementHeader } from './ebml.js';
import { Float64Builder } from './growable.js';
import type { ParseNotes } from './header.js';
import { ID, SEGMENT_LEVEL_IDS } from './ids.js';
import { ImuCadenceBuilder } from './imu-cadence.js';
import { parseLace, type Lace } from './lacing.js';
import type { ByteSource } from './source.js';
import { listChildren, type Child } from './walk.js';

/** Bytes of one k4arecord IMU record: u64 acc ns, f32[3], u64 gyro ns, f32[3]. */
export const IMU_RECORD_BYTES = 40;
const GYRO_TS_AT = 20;
const HOST_TIME_BYTES = 8;
/** The custom track in which k4sync's recorder stores each capture's host arrival time. */
export const HOST_TIME_TRACK = 'K4SYNC_HOST_TIME';
/** An IMU block larger than this is damage: a 32 ms cluster holds about 2 KB of samples. */
const MAX_IMU_BLOCK_BYTES = 16 * 1024 * 1024;
/** First look at a block: track vint, timestamp, flags and the lace count in the usual case. */
const BLOCK_PROBE_BYTES = 16;

/** What the scanner keeps for one track. */
export class TrackSink {
  /** Frame times in µs relative to the start offset, in file order. */
  readonly times = new Float64Builder();
  readonly acc: Float64Builder | null;
  readonly gyro: Float64Builder | null;
  blocks = 0;
  /** IMU samples counted from block headers, whether or not their times are kept. */
  samples = 0;
  readonly cadence: ImuCadenceBuilder | null;
  /** Largest "last instant" of any block, as the SDK computes the recording length. */
  lastUs = -Infinity;

  constructor(
    readonly mode: 'frames' | 'imu' | 'host-time',
    /** Spacing given to laced frames after the first (DefaultDuration), when the track has one. */
    readonly frameStepUs: number | null,
    /** False: count the samples but keep no times (the first IMU sample is still noted for the start offset). */
    readonly keep = true,
  ) {
    // For the IMU: accelerometer and gyroscope times. For the host-time track: the host clock (µs) in `acc`.
    this.acc = mode !== 'frames' ? new Float64Builder() : null;
    this.gyro = mode === 'imu' ? new Float64Builder() : null;
    this.cadence = mode === 'imu' ? new ImuCadenceBuilder() : null;
  }
}

/**
 * One block of a recording as the reader accepted it (a block the reader skips as damaged is never handed out): what
 * trim, preview and recover need to copy or cut it without parsing it again. Positions are file offsets.
 */
export interface BlockRef {
  track: number;
  /** Block time in TimecodeScale ticks (cluster timestamp + relative time), before the start offset is added. */
  ticks: number;
  /** The SimpleBlock or BlockGroup element, [start, end). */
  start: number;
  end: number;
  /** The Block (the SimpleBlock itself when there is no group): its data starts at `dataStart` and holds `size` bytes. */
  block: Child;
  /** True when the block sits in a BlockGroup (with BlockDuration and the like beside it). */
  grouped: boolean;
  /** Bytes of the track number vint at the start of the block data. */
  trackLength: number;
  /** The block header's flags byte (lacing in bits 1–2). */
  flags: number;
  /** Bytes from `block.dataStart` to the first frame, and each frame's size (one frame when the block is not laced). */
  lace: Lace;
  /** Time between laced frames, µs, as the reader places them (0 for one frame or the IMU, whose samples carry times). */
  frameStepUs: number;
  /** The cluster the block is in: where it starts, and its Timestamp (ticks). */
  cluster: { start: number; ticks: number };
}

export interface ClusterEnd {
  /** File offset after the cluster. */
  next: number;
  /** Set when the file ends inside the cluster: good data ends here. */
  truncatedAt?: number;
  /** Set when an element inside the cluster cannot be trusted. */
  corruptAt?: number;
}

/** The first IMU sample's block time, which lets an unfinalized file recover its start offset. */
export interface FirstImu {
  blockTimeUs: number;
  accNs: bigint;
}

/** Device ns to µs as the SDK does (integer division), exact for any 64-bit value. */
function nsToUs(lo: number, hi: number): number {
  if (hi < 0x200000) {
    const ns = hi * 2 ** 32 + lo;
    return (ns - (ns % 1000)) / 1000;
  }
  return Number(((BigInt(hi) << 32n) | BigInt(lo)) / 1000n);
}

/** Where a block lies: the element that holds it (SimpleBlock or BlockGroup) and its cluster. */
interface Where {
  element: Child;
  cluster: BlockRef['cluster'];
}

/** What reading a block's header gave: its frame layout and the spacing of its laced frames. */
interface BlockRead {
  lace: Lace;
  stepUs: number;
}

export class ClusterScanner {
  firstImu: FirstImu | null = null;
  private readonly usPerTick: number;

  constructor(
    private readonly src: ByteSource,
    timecodeScaleNs: number,
    private readonly sinks: ReadonlyMap<number, TrackSink>,
    private readonly notes: ParseNotes,
    /** Hand out every block read (a consumer walks them); false when only the timestamps are wanted. */
    private readonly handOut: boolean,
  ) {
    this.usPerTick = timecodeScaleNs / 1000;
  }

  /**
   * Reads the block headers of one cluster. `limit` is where the segment (or the file) ends; an
   * unknown-size cluster runs until the next segment-level element.
   */
  *scan(cluster: ElementHeader, limit: number): Generator<BlockRef, ClusterEnd> {
    const declaredEnd = cluster.size === null ? null : cluster.dataStart + cluster.size;
    const end = declaredEnd === null ? limit : Math.min(declaredEnd, limit);
    let clusterTicks: number | null = null;
    let pos = cluster.dataStart;
    while (pos < end) {
      const h = readHeader(this.src, pos, end);
      if (h === 'eof') return end >= this.src.size ? { next: pos, truncatedAt: pos } : { next: pos, corruptAt: pos };
      if (typeof h === 'string') return { next: pos, corruptAt: pos };
      if (declaredEnd === null && SEGMENT_LEVEL_IDS.has(h.id)) return { next: pos };
      if (h.size === null) return { next: pos, corruptAt: pos };
      const childEnd = h.dataStart + h.size;
      if (childEnd > end) {
        return childEnd > this.src.size ? { next: pos, truncatedAt: pos } : { next: pos, corruptAt: pos };
      }
      const child: Child = { ...h, size: h.size, end: childEnd };
      if (h.id === ID.Timestamp) {
        clusterTicks = h.size <= 8 ? readUint(this.src.read(h.dataStart, h.size)) : null;
      } else if (h.id === ID.SimpleBlock || h.id === ID.BlockGroup) {
        if (clusterTicks === null) {
          this.notes.warn('K4S_CORRUPT', 'A block comes before its cluster timestamp and was skipped.', pos);
        } else {
          const where = { element: child, cluster: { start: cluster.start, ticks: clusterTicks } };
          const ref = h.id === ID.SimpleBlock ? this.block(child, clusterTicks, null, where) : this.group(child, clusterTicks, where);
          if (ref) yield ref;
        }
      }
      pos = childEnd;
    }
    if (declaredEnd !== null && declaredEnd > limit && limit >= this.src.size) return { next: end, truncatedAt: end };
    return { next: end };
  }

  private group(group: Child, clusterTicks: number, where: Where): BlockRef | null {
    const { children, stop } = listChildren(this.src, group.dataStart, group.end);
    if (stop) this.notes.warn('K4S_CORRUPT', `A block group is damaged (${stop.reason}) and was skipped.`, group.start);
    let block: Child | null = null;
    let durationTicks: number | null = null;
    for (const c of children) {
      if (c.id === ID.Block) block = c;
      else if (c.id === ID.BlockDuration && c.size <= 8) durationTicks = readUint(this.src.read(c.dataStart, c.size));
    }
    return block && !stop ? this.block(block, clusterTicks, durationTicks, where) : null;
  }

  /** Reads one block's header into its track's sink; the block as handed out, or null when it was skipped. */
  private block(el: Child, clusterTicks: number, durationTicks: number | null, where: Where): BlockRef | null {
    const head = this.src.read(el.dataStart, Math.min(el.size, BLOCK_PROBE_BYTES));
    const track = readVint(head, 0);
    if (!track || track.value === null || head.length < track.length + 3) {
      this.notes.warn('K4S_CORRUPT', 'A block header is damaged; the block was skipped.', el.start);
      return null;
    }
    const sink = this.sinks.get(track.value);
    if (!sink) return null;
    const flags = head[track.length + 2]!;
    const rel = ((head[track.length]! << 8) | head[track.length + 1]!) << 16 >> 16;
    const timeUs = (clusterTicks + rel) * this.usPerTick;
    const durationUs = durationTicks === null ? null : durationTicks * this.usPerTick;
    sink.blocks++;
    const read =
      sink.mode === 'imu' ? this.imuBlock(el, head, sink, track.length, timeUs, durationUs) :
      sink.mode === 'host-time' ? this.hostTimeBlock(el, sink, track.length, timeUs) :
      this.frameBlock(el, head, sink, track.length, timeUs, durationUs);
    sink.lastUs = Math.max(sink.lastUs, durationUs ? timeUs + durationUs - this.usPerTick : timeUs);
    if (!read || !this.handOut) return null;
    const { element, cluster } = where;
    return {
      track: track.value, ticks: clusterTicks + rel, start: element.start, end: element.end, block: el, grouped: element !== el,
      trackLength: track.length, flags, lace: read.lace, frameStepUs: read.stepUs, cluster,
    };
  }

  /** A block's frame sizes from its lacing header: only laced blocks need more than the probe, and never their frames. */
  private lace(el: Child, probe: Uint8Array, trackLength: number): Lace | undefined {
    let want = probe.length;
    let lace = parseLace(probe, el.size, trackLength);
    while (lace === 'more' && want < el.size) {
      want = Math.min(el.size, want * 4);
      lace = parseLace(this.src.read(el.dataStart, want), el.size, trackLength);
    }
    return lace === 'more' ? undefined : lace;
  }

  /** Frame times only: the lace sizes are read when the block is laced, the frames never. */
  private frameBlock(el: Child, probe: Uint8Array, sink: TrackSink, trackLength: number, timeUs: number, durationUs: number | null): BlockRead | null {
    const lace = this.lace(el, probe, trackLength);
    if (!lace) {
      this.notes.warn('K4S_CORRUPT', 'A block has an impossible lacing header; it was skipped.', el.start);
      return null;
    }
    const n = lace.frameSizes.length;
    const step = n > 1 ? sink.frameStepUs ?? (durationUs !== null ? (durationUs - this.usPerTick) / (n - 1) : 0) : 0;
    for (let i = 0; i < n; i++) sink.times.push(timeUs + i * step);
    return { lace, stepUs: step };
  }

  /** k4sync's host-time track: one 8-byte little-endian host monotonic ns per capture, at the capture's device time. */
  private hostTimeBlock(el: Child, sink: TrackSink, trackLength: number, timeUs: number): BlockRead | null {
    const headerBytes = trackLength + 3;
    if (el.size !== headerBytes + HOST_TIME_BYTES) {
      this.notes.warn('K4S_CORRUPT', 'A host-time block is not 8 bytes; it was skipped.', el.start);
      return null;
    }
    const data = this.src.read(el.dataStart + headerBytes, HOST_TIME_BYTES);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    sink.times.push(timeUs);
    sink.acc!.push((dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true)) / 1000);
    return { lace: { headerBytes, frameSizes: [HOST_TIME_BYTES] }, stepUs: 0 };
  }

  /**
   * IMU records carry their own 64-bit device timestamps, so blocks whose samples are kept are read whole. The others
   * (and every block's continuity) need only the headers: the first sample is still read, for the start offset.
   */
  private imuBlock(el: Child, probe: Uint8Array, sink: TrackSink, trackLength: number, timeUs: number, durationUs: number | null): BlockRead | null {
    if (el.size > MAX_IMU_BLOCK_BYTES) {
      this.notes.warn('K4S_CORRUPT', 'An IMU block is implausibly large; it was skipped.', el.start);
      return null;
    }
    const data = sink.keep || this.firstImu === null ? this.src.read(el.dataStart, el.size) : null;
    const lace = data ? parseLace(data, el.size, trackLength) : this.lace(el, probe, trackLength);
    if (!lace || lace === 'more') {
      this.notes.warn('K4S_CORRUPT', 'An IMU block has an impossible lacing header; it was skipped.', el.start);
      return null;
    }
    // Some writers put several records in one frame; anything that is not whole records is damage.
    const bad = lace.frameSizes.find((size) => size === 0 || size % IMU_RECORD_BYTES !== 0);
    if (bad !== undefined) this.notes.warn('K4S_CORRUPT', `An IMU frame of ${bad} bytes is not a whole number of 40-byte samples.`, el.start);
    let records = 0;
    let at = lace.headerBytes;
    for (const frameSize of lace.frameSizes) {
      if (frameSize !== 0 && frameSize % IMU_RECORD_BYTES === 0) {
        if (data) this.imuRecords(data, at, frameSize, sink, timeUs);
        records += frameSize / IMU_RECORD_BYTES;
      }
      at += frameSize;
    }
    sink.samples += records;
    sink.cadence!.add(timeUs, durationUs, records);
    return { lace, stepUs: 0 };
  }

  private imuRecords(data: Uint8Array, at: number, bytes: number, sink: TrackSink, timeUs: number): void {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let r = at; r < at + bytes; r += IMU_RECORD_BYTES) {
      const accLo = dv.getUint32(r, true);
      const accHi = dv.getUint32(r + 4, true);
      if (this.firstImu === null) this.firstImu = { blockTimeUs: timeUs, accNs: (BigInt(accHi) << 32n) | BigInt(accLo) };
      if (!sink.keep) return;
      sink.times.push(timeUs);
      sink.acc!.push(nsToUs(accLo, accHi));
      sink.gyro!.push(nsToUs(dv.getUint32(r + GYRO_TS_AT, true), dv.getUint32(r + GYRO_TS_AT + 4, true)));
    }
  }
}
