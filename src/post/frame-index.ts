import type { ExcludedSensor, TakeAudit, TakeTimeline } from '../audit/index.js';
import { framesToTimecode } from '../timecode/index.js';
import { PostError } from './errors.js';
import type { LoadedTake, TakeSensor } from './take.js';

export const FRAME_INDEX_SCHEMA = 'k4sync.frame-index/1';

/**
 * One column group of the index: where each rig frame sits in one sensor's file. Arrays have one entry per rig
 * frame (row); NaN marks a rig frame the sensor did not deliver (a dropped frame), never a shifted row.
 */
export interface SensorColumns {
  serial: string;
  file: string;
  role: TakeSensor['input']['role'];
  /** The track the rig frames were matched on: colour, or depth for a sensor recorded without colour. */
  track: 'COLOR' | 'DEPTH';
  /** Position of the frame in the sensor's own file: its index among the blocks of `track`, 0-based. */
  frame: Float64Array;
  /** Device timestamps (µs, the sensor's own clock) of the colour and depth (IR: same time) images. */
  colorUs: Float64Array;
  depthUs: Float64Array;
  /**
   * SMPTE timecode of each frame, where the audit placed it on the take's timecode line (ltc.wav and host arrival
   * times); null when the take has no timecode line or the sensor's frames could not be placed on it.
   */
  timecode: (string | null)[] | null;
  /** Rig frames with a frame of `track`, and without one (drops inside the window). */
  delivered: number;
  missing: number;
  /** Frames that fell on a rig frame another frame of this sensor already had (a clock that is not aligned): 0 normally. */
  collisions: number;
}

export type { ExcludedSensor };

export interface FrameIndex {
  schema: typeof FRAME_INDEX_SCHEMA;
  take: string;
  /** The sensor whose clock rig frames are counted on. */
  reference: string;
  fps: number;
  /** The reference clock's frame period (its own crystal: the nominal period corrected by its measured rate), µs. */
  periodUs: number;
  /** The audit's common window, on the reference clock. */
  window: { startUs: number; endUs: number; frames: number };
  /** Rig frame k is at `window.startUs + k·periodUs` on the reference clock, k = 0 … rows − 1. */
  rows: number;
  sensors: SensorColumns[];
  excluded: ExcludedSensor[];
}

/** A cell of the index: null when the sensor has no frame for that rig frame. */
export interface FrameCell {
  /** Position in the sensor's file of its frame on the matched track (colour, or depth without colour). */
  frame: number | null;
  colorUs: number | null;
  depthUs: number | null;
  timecode: string | null;
}

/**
 * Which frame of each sensor belongs to which rig frame. Rig frame k is defined on the reference sensor's clock
 * (window.startUs + k·period); a sensor's frame belongs to it when its timestamp, as the audit placed it on the
 * reference clock (the take's timeline), lies within half a period of it. Colour and depth are placed separately, so a
 * depth image can be present where the colour image was dropped and the other way round.
 *
 * Only sensors on the audit's timeline are indexed (the reference and every sensor aligned with it); the others are
 * listed in `excluded` with the reason: their frames cannot be placed on the rig's timeline.
 */
export function buildFrameIndex(take: LoadedTake): FrameIndex {
  const timeline = take.timeline;
  if (!timeline) {
    throw new PostError('K4S_NO_WINDOW', `${take.name} has no common window: ${noWindowReason(take.audit)}. Run \`k4sync audit\` on it to see why.`);
  }
  const { periodUs, window } = timeline;
  const { startUs, endUs } = window;
  const rows = Math.round((endUs - startUs) / periodUs) + 1;
  const sensors = timeline.sensors.map((s) => columnsOf(s, timeline, rows));
  return {
    schema: FRAME_INDEX_SCHEMA, take: take.name, reference: timeline.reference, fps: timeline.fps, periodUs, window: { ...window }, rows, sensors,
    excluded: timeline.excluded.map((e) => ({ ...e })),
  };
}

function columnsOf(s: TakeTimeline['sensors'][number], timeline: TakeTimeline, rows: number): SensorColumns {
  const { periodUs } = timeline;
  const { startUs } = timeline.window;
  const col: SensorColumns = {
    serial: s.serial,
    file: s.file,
    role: s.role,
    track: s.track,
    frame: new Float64Array(rows).fill(NaN),
    colorUs: new Float64Array(rows).fill(NaN),
    depthUs: new Float64Array(rows).fill(NaN),
    timecode: null,
    delivered: 0,
    missing: 0,
    collisions: 0,
  };
  const tcOfRow: Float64Array | null = s.timecodeFrames ? new Float64Array(rows).fill(NaN) : null;
  const place = (onRef: Float64Array, own: Float64Array, cells: Float64Array, timed: boolean) => {
    const dist = new Float64Array(rows).fill(Infinity);
    for (let i = 0; i < onRef.length; i++) {
      const k = Math.round((onRef[i]! - startUs) / periodUs);
      if (k < 0 || k >= rows) continue;
      const d = Math.abs(onRef[i]! - (startUs + k * periodUs));
      if (d >= periodUs / 2) continue;
      if (!Number.isNaN(cells[k]!)) {
        if (timed) col.collisions++;
        if (d >= dist[k]!) continue;
      }
      dist[k] = d;
      cells[k] = own[i]!;
      if (timed) {
        col.frame[k] = i;
        if (tcOfRow) tcOfRow[k] = s.timecodeFrames![i] ?? NaN;
      }
    }
  };
  place(s.colorOnReference, s.color, col.colorUs, s.track === 'COLOR');
  place(s.depthOnReference, s.depth, col.depthUs, s.track === 'DEPTH');
  for (let k = 0; k < rows; k++) if (!Number.isNaN(col.frame[k]!)) col.delivered++;
  col.missing = rows - col.delivered;
  if (tcOfRow && timeline.timecodeRate) {
    const rate = timeline.timecodeRate;
    col.timecode = Array.from(tcOfRow, (f) => (Number.isNaN(f) ? null : framesToTimecode(f, rate)));
  }
  return col;
}

function noWindowReason(audit: TakeAudit): string {
  if (!audit.sensors.some((s) => s.error === null)) return 'none of its files could be read';
  if (!audit.reference) return 'no sensor has enough frames';
  return 'its sensors share no stretch of time';
}

/** One cell: null when the sensor has no image at all for that rig frame; a field is null for an image it lacks. */
export function cellOf(col: SensorColumns, row: number): FrameCell | null {
  const frame = col.frame[row];
  const c = col.colorUs[row];
  const d = col.depthUs[row];
  if (frame === undefined || c === undefined || d === undefined) return null;
  if (Number.isNaN(frame) && Number.isNaN(c) && Number.isNaN(d)) return null;
  return {
    frame: Number.isNaN(frame) ? null : frame,
    colorUs: Number.isNaN(c) ? null : c,
    depthUs: Number.isNaN(d) ? null : d,
    timecode: col.timecode?.[row] ?? null,
  };
}

/** The rig's timecode at a row: the first sensor that has one. */
export function rowTimecode(index: FrameIndex, row: number): string | null {
  for (const s of index.sensors) {
    const tc = s.timecode?.[row];
    if (tc) return tc;
  }
  return null;
}

export function hasTimecode(index: FrameIndex): boolean {
  return index.sensors.some((s) => s.timecode?.some((tc) => tc !== null) === true);
}

/** Reference-clock time of a rig frame. */
export function rigFrameUs(index: FrameIndex, row: number): number {
  return index.window.startUs + row * index.periodUs;
}

function num(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

/**
 * CSV, one line per rig frame: rig_frame, then per sensor <serial>_frame, <serial>_color_us, <serial>_depth_us,
 * <serial>_timecode. A dropped frame leaves its cells empty.
 */
export function* frameIndexCsv(index: FrameIndex, rows: { first: number; last: number } = { first: 0, last: index.rows - 1 }): Generator<string> {
  const head = ['rig_frame'];
  for (const s of index.sensors) head.push(`${s.serial}_frame`, `${s.serial}_color_us`, `${s.serial}_depth_us`, `${s.serial}_timecode`);
  yield `${head.join(',')}\n`;
  for (let k = rows.first; k <= rows.last; k++) {
    const cells = [String(k)];
    for (const s of index.sensors) cells.push(num(s.frame[k]!), num(s.colorUs[k]!), num(s.depthUs[k]!), s.timecode?.[k] ?? '');
    yield `${cells.join(',')}\n`;
  }
}

/** The index as one JSON document (rows as objects: a missing frame is a null cell). */
export function frameIndexJson(index: FrameIndex): unknown {
  return {
    schema: index.schema,
    take: index.take,
    reference: index.reference,
    fps: index.fps,
    periodUs: index.periodUs,
    window: index.window,
    rows: index.rows,
    sensors: index.sensors.map((s) => ({
      serial: s.serial, file: s.file, role: s.role, track: s.track, delivered: s.delivered, missing: s.missing,
      missingRigFrames: missingRows(s),
    })),
    excluded: index.excluded,
    frames: Array.from({ length: index.rows }, (_, k) => ({
      rigFrame: k,
      referenceUs: Math.round(rigFrameUs(index, k) * 1000) / 1000,
      timecode: rowTimecode(index, k),
      sensors: Object.fromEntries(index.sensors.map((s) => [s.serial, cellOf(s, k)])),
    })),
  };
}

export function missingRows(s: SensorColumns): number[] {
  const out: number[] = [];
  for (let k = 0; k < s.frame.length; k++) if (Number.isNaN(s.frame[k]!)) out.push(k);
  return out;
}
