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

export class ClusterScanner {
  firstImu: FirstImu | null = null;
  private readonly usPerTick: number;

  constructor(
    private readonly src: ByteSource,
    timecodeScaleNs: number,
    private readonly sinks: ReadonlyMap<number, TrackSink>,
    private readonly notes: ParseNotes,
  ) {
    this.usPerTick = timecodeScaleNs / 1000;
  }

  /**
   * Reads the block headers of one cluster. `limit` is where the segment (or the file) ends; an
   * unknown-size cluster runs until the next segment-level element.
   */
  scan(cluster: ElementHeader, limit: number): ClusterEnd {
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
        } else if (h.id === ID.SimpleBlock) {
          this.block(child, clusterTicks, null);
        } else {
          this.group(child, clusterTicks);
        }
      }
      pos = childEnd;
    }
    if (declaredEnd !== null && declaredEnd > limit && limit >= this.src.size) return { next: end, truncatedAt: end };
    return { next: end };
  }

  private group(group: Child, clusterTicks: number): void {
    const { children, stop } = listChildren(this.src, group.dataStart, group.end);
    if (stop) this.notes.warn('K4S_CORRUPT', `A block group is damaged (${stop.reason}) and was skipped.`, group.start);
    let block: Child | null = null;
    let durationTicks: number | null = null;
    for (const c of children) {
      if (c.id === ID.Block) block = c;
      else if (c.id === ID.BlockDuration && c.size <= 8) durationTicks = readUint(this.src.read(c.dataStart, c.size));
    }
    if (block && !stop) this.block(block, clusterTicks, durationTicks);
  }

  private block(el: Child, clusterTicks: number, durationTicks: number | null): void {
    const head = this.src.read(el.dataStart, Math.min(el.size, BLOCK_PROBE_BYTES));
    const track = readVint(head, 0);
    if (!track || track.value === null || head.length < track.length + 3) {
      this.notes.warn('K4S_CORRUPT', 'A block header is damaged; the block was skipped.', el.start);
      return;
    }
    const sink = this.sinks.get(track.value);
    if (!sink) return;
    const rel = ((head[track.length]! << 8) | head[track.length + 1]!) << 16 >> 16;
    const timeUs = (clusterTicks + rel) * this.usPerTick;
    const durationUs = durationTicks === null ? null : durationTicks * this.usPerTick;
    sink.blocks++;
    if (sink.mode === 'imu') this.imuBlock(el, head, sink, track.length, timeUs, durationUs);
    else if (sink.mode === 'host-time') this.hostTimeBlock(el, sink, track.length, timeUs);
    else this.frameBlock(el, head, sink, track.length, timeUs, durationUs);
    sink.lastUs = Math.max(sink.lastUs, durationUs ? timeUs + durationUs - this.usPerTick : timeUs);
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
  private frameBlock(el: Child, probe: Uint8Array, sink: TrackSink, trackLength: number, timeUs: number, durationUs: number | null): void {
    const lace = this.lace(el, probe, trackLength);
    if (!lace) {
      this.notes.warn('K4S_CORRUPT', 'A block has an impossible lacing header; it was skipped.', el.start);
      return;
    }
    const n = lace.frameSizes.length;
    const step = sink.frameStepUs ?? (durationUs !== null && n > 1 ? (durationUs - this.usPerTick) / (n - 1) : 0);
    for (let i = 0; i < n; i++) sink.times.push(timeUs + i * step);
  }

  /** k4sync's host-time track: one 8-byte little-endian host monotonic ns per capture, at the capture's device time. */
  private hostTimeBlock(el: Child, sink: TrackSink, trackLength: number, timeUs: number): void {
    const headerBytes = trackLength + 3;
    if (el.size !== headerBytes + HOST_TIME_BYTES) {
      this.notes.warn('K4S_CORRUPT', 'A host-time block is not 8 bytes; it was skipped.', el.start);
      return;
    }
    const data = this.src.read(el.dataStart + headerBytes, HOST_TIME_BYTES);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    sink.times.push(timeUs);
    sink.acc!.push((dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true)) / 1000);
  }

  /**
   * IMU records carry their own 64-bit device timestamps, so blocks whose samples are kept are read whole. The others
   * (and every block's continuity) need only the headers: the first sample is still read, for the start offset.
   */
  private imuBlock(el: Child, probe: Uint8Array, sink: TrackSink, trackLength: number, timeUs: number, durationUs: number | null): void {
    if (el.size > MAX_IMU_BLOCK_BYTES) {
      this.notes.warn('K4S_CORRUPT', 'An IMU block is implausibly large; it was skipped.', el.start);
      return;
    }
    const data = sink.keep || this.firstImu === null ? this.src.read(el.dataStart, el.size) : null;
    const lace = data ? parseLace(data, el.size, trackLength) : this.lace(el, probe, trackLength);
    if (!lace || lace === 'more') {
      this.notes.warn('K4S_CORRUPT', 'An IMU block has an impossible lacing header; it was skipped.', el.start);
      return;
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
