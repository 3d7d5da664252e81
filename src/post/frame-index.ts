import { analyzeCadence } from '../audit/cadence.js';
import { quantizeUs } from '../audit/delays.js';
import { onReferenceClock, type SensorTiming } from '../audit/offsets.js';
import type { TakeAudit } from '../audit/index.js';
import { PostError } from './errors.js';
import { loadTake, type LoadedTake, type TakeSensor } from './take.js';

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
   * SMPTE timecode of each frame when the take has it; null while the audit carries no per-frame timecode (so far:
   * the column exists, every cell is empty).
   */
  timecode: (string | null)[] | null;
  /** Rig frames with a frame of `track`, and without one (drops inside the window). */
  delivered: number;
  missing: number;
  /** Frames that fell on a rig frame another frame of this sensor already had (a clock that is not aligned): 0 normally. */
  collisions: number;
}

/** A sensor of the take that is not in the index, and why. */
export interface ExcludedSensor {
  serial: string;
  file: string;
  reason: string;
}

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

export interface FrameIndexOptions {
  /** Per-frame timecode, when something knows it: serial and device time of the frame's colour (or depth) image. */
  timecodeOf?: (serial: string, deviceUs: number) => string | null;
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
 * (window.startUs + k·period); a sensor's frame belongs to it when its timestamp, brought onto the reference clock as
 * the audit does (clock-rate scale and the expected delay, onReferenceClock), lies within half a period of it.
 * Depth is placed the same way after removing the sensor's colour-to-depth delay, so a depth image can be present
 * where the colour image was dropped and the other way round.
 *
 * Only sensors the audit puts in the common window are indexed (the reference and every sensor aligned with it);
 * the others are listed in `excluded` with the reason: their frames cannot be placed on the rig's timeline.
 */
export function buildFrameIndex(take: LoadedTake | string, opts: FrameIndexOptions = {}): FrameIndex {
  const t = typeof take === 'string' ? loadTake(take) : take;
  const audit = t.audit;
  if (!audit.window || !audit.reference || !audit.fps) {
    throw new PostError('K4S_NO_WINDOW', `${t.name} has no common window: ${noWindowReason(audit)}. Run \`k4sync audit\` on it to see why.`);
  }
  const fps = audit.fps;
  const nominalUs = 1e6 / fps;
  const ref = t.sensors.find((s) => s.serial === audit.reference)!;
  const refTiming = timingOf(ref, nominalUs)!;
  // The reference's own period: rig frames are counted on its clock, which runs at its crystal's rate.
  const periodUs = nominalUs * (1 + refTiming.cadence.segments[0]!.ratePpm * 1e-6);
  const { startUs, endUs } = audit.window;
  const rows = Math.round((endUs - startUs) / periodUs) + 1;

  const sensors: SensorColumns[] = [];
  const excluded: ExcludedSensor[] = [];
  for (const s of t.sensors) {
    const why = exclusion(s, ref);
    const timing = why === null ? timingOf(s, nominalUs) : null;
    if (why !== null || !timing) {
      excluded.push({ serial: s.serial, file: s.file, reason: why ?? 'it has fewer than 3 colour or depth frames' });
      continue;
    }
    const rec = s.recording!;
    const mapOnto = (times: Float64Array, delayUs: number): Float64Array => {
      const shifted = delayUs === 0 ? times : Float64Array.from(times, (v) => v - delayUs);
      if (s === ref) return shifted;
      const fake: SensorTiming = { ...timing, cadence: { ...timing.cadence, times: shifted } };
      return onReferenceClock(fake, refTiming, s.audit.offset!, nominalUs);
    };
    // Depth sits the configured (90 kHz-quantized) delay after colour; IR carries depth's time.
    const depthDelayUs = quantizeUs(s.input.depthDelayUs);
    const color = rec.color ?? new Float64Array(0);
    const depth = rec.depth ?? rec.ir ?? new Float64Array(0);
    const col: SensorColumns = {
      serial: s.serial,
      file: s.file,
      role: s.input.role,
      track: timing.track,
      frame: new Float64Array(rows).fill(NaN),
      colorUs: new Float64Array(rows).fill(NaN),
      depthUs: new Float64Array(rows).fill(NaN),
      timecode: null,
      delivered: 0,
      missing: 0,
      collisions: 0,
    };
    const colorOnRef = mapOnto(color, timing.track === 'COLOR' ? 0 : -depthDelayUs);
    const depthOnRef = mapOnto(depth, timing.track === 'COLOR' ? depthDelayUs : 0);
    const place = (onRef: Float64Array, own: Float64Array, cells: Float64Array, positions: Float64Array | null) => {
      const dist = new Float64Array(rows).fill(Infinity);
      for (let i = 0; i < onRef.length; i++) {
        const k = Math.round((onRef[i]! - startUs) / periodUs);
        if (k < 0 || k >= rows) continue;
        const d = Math.abs(onRef[i]! - (startUs + k * periodUs));
        if (d >= periodUs / 2) continue;
        if (!Number.isNaN(cells[k]!)) {
          if (positions) col.collisions++;
          if (d >= dist[k]!) continue;
        }
        dist[k] = d;
        cells[k] = own[i]!;
        if (positions) positions[k] = i;
      }
    };
    place(colorOnRef, color, col.colorUs, timing.track === 'COLOR' ? col.frame : null);
    place(depthOnRef, depth, col.depthUs, timing.track === 'DEPTH' ? col.frame : null);
    for (let k = 0; k < rows; k++) if (!Number.isNaN(col.frame[k]!)) col.delivered++;
    col.missing = rows - col.delivered;
    if (opts.timecodeOf) {
      const own = timing.track === 'COLOR' ? col.colorUs : col.depthUs;
      col.timecode = Array.from(own, (v) => (Number.isNaN(v) ? null : opts.timecodeOf!(s.serial, v)));
    }
    sensors.push(col);
  }
  return { schema: FRAME_INDEX_SCHEMA, take: t.name, reference: ref.serial, fps, periodUs, window: { ...audit.window }, rows, sensors, excluded };
}

function noWindowReason(audit: TakeAudit): string {
  if (!audit.sensors.some((s) => s.error === null)) return 'none of its files could be read';
  if (!audit.reference) return 'no sensor has enough frames';
  return 'its sensors share no stretch of time';
}

/** Why a sensor is left out of the index, or null when it belongs to the common window. */
function exclusion(s: TakeSensor, ref: TakeSensor): string | null {
  if (!s.recording || s.input.error) return `it could not be read (${s.input.error?.code ?? 'unknown error'}: ${s.input.error?.message ?? ''})`.trim();
  if (s === ref) return null;
  const o = s.audit.offset;
  if (!o) return 'the audit could not pair its frames with the reference';
  if (o.aligned === true) return null;
  if (s.input.role === 'standalone' || ref.input.role === 'standalone') {
    return 'it is a standalone sensor: its clock has nothing to do with the reference\'s, so its frames cannot be placed on the rig timeline';
  }
  if (o.frameShift !== null && o.frameShift !== 0) {
    return `its clock is ${o.frameShift} frame period(s) off the reference's (a start-order fault): the audit does not place it in the common window`;
  }
  return 'it does not share a time base with the reference (the audit found it not aligned): its frames cannot be placed on the rig timeline';
}

/** The timing the audit used for a sensor: colour when it has 3 frames or more, else depth. */
function timingOf(s: TakeSensor, takeNominalUs: number): SensorTiming | null {
  const rec = s.recording;
  if (!rec) return null;
  const track = rec.color && rec.color.length >= 3 ? 'COLOR' : rec.depth && rec.depth.length >= 3 ? 'DEPTH' : null;
  if (!track) return null;
  const times = (track === 'COLOR' ? rec.color : rec.depth)!;
  const cadence = analyzeCadence(times, s.input.fps ? 1e6 / s.input.fps : takeNominalUs);
  return cadence ? { input: s.input, track, cadence, host: null } : null;
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
