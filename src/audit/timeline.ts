import type { ClockOrigin } from './clock-origin.js';
import { quantizeUs } from './delays.js';
import type { SensorInput } from './input.js';
import { onReferenceClock, type SensorTiming } from './offsets.js';
import type { SourceClock } from '../take/index.js';
import type { LtcRate } from '../timecode/index.js';
import type { PairOffset, TakeAudit } from './types.js';

/**
 * Every frame of every sensor the audit could place, on the reference sensor's clock: what trim windows, the frame
 * index and the preview are built from, so that post-processing uses the audit's own numbers and never re-derives
 * them.
 */
export interface SensorOnTimeline {
  serial: string;
  file: string;
  role: SensorInput['role'];
  /** The track the sensor was timed by: colour, or depth for a sensor recorded without colour. */
  track: 'COLOR' | 'DEPTH';
  /** Device times (µs, the sensor's own clock) of its colour and depth images, in file order. */
  color: Float64Array;
  depth: Float64Array;
  /** The same images on the reference clock, as the audit paired them (clock rates, delays and whole frames removed). */
  colorOnReference: Float64Array;
  depthOnReference: Float64Array;
  /** Timecode frame number (counted from midnight at `timecodeRate`) of each frame of `track`; NaN where unknown. */
  timecodeFrames: Float64Array | null;
  /**
   * The sensor's clock as this take measures it, for a take trimmed from this one to carry (null when it has too few
   * frames to measure one); a trimmed take passes its source's on unchanged.
   */
  clock: SourceClock | null;
}

/** A sensor the timeline leaves out, and why: its frames cannot be placed on the reference clock. */
export interface ExcludedSensor {
  serial: string;
  file: string;
  reason: string;
}

export interface TakeTimeline {
  take: string;
  reference: string;
  fps: number;
  /** The reference clock's frame period (the nominal period corrected by its measured rate), µs. */
  periodUs: number;
  /** The audit's common window on the reference clock: rig frame k is at startUs + k·periodUs. */
  window: NonNullable<TakeAudit['window']>;
  /** The rate `timecodeFrames` count at; null when the take has no timecode line. */
  timecodeRate: LtcRate | null;
  sensors: SensorOnTimeline[];
  excluded: ExcludedSensor[];
}

/** Why a sensor cannot be placed on the reference's clock, or null when it can (then it has a timing). */
function exclusion(input: SensorInput, timing: SensorTiming | undefined, ref: SensorTiming, offset: PairOffset | null, unrelated: boolean): string | null {
  if (unrelated) return 'its device clock counts from another origin than the rig\'s (its timestamp reset failed): no time places its frames on the rig timeline';
  if (input.error) return `it could not be read (${input.error.code}: ${input.error.message})`;
  if (!timing) return 'it has fewer than 3 colour or depth frames';
  if (timing === ref) return null;
  if (!offset) return 'the audit could not pair its frames with the reference';
  if (offset.aligned === true) return null;
  if (input.role === 'standalone' || ref.input.role === 'standalone') {
    return 'it is a standalone sensor: its clock has nothing to do with the reference\'s, so its frames cannot be placed on the rig timeline';
  }
  if (offset.frameShift !== null && offset.frameShift !== 0) {
    return `its clock is ${offset.frameShift} frame period(s) off the reference's (a start-order fault): the audit does not place it in the common window`;
  }
  if (offset.aligned === null) return 'its offset to the reference could not be judged (see the audit): its frames cannot be placed on the rig timeline';
  return 'it does not share a time base with the reference (the audit found it not aligned): its frames cannot be placed on the rig timeline';
}

export interface TimelineParts {
  take: string;
  inputs: SensorInput[];
  timings: Map<SensorInput, SensorTiming>;
  reference: SensorTiming | null;
  offsets: Map<SensorInput, PairOffset | null>;
  /** Timecode frame numbers of each timed sensor's frames, where the audit placed them. */
  timecode: Map<SensorInput, Float64Array>;
  timecodeRate: LtcRate | null;
  window: TakeAudit['window'];
  fps: number | null;
  sourceClocks: Map<string, SourceClock> | undefined;
  clock: ClockOrigin;
  /** Sensors whose clock counts from another origin than the rig's. */
  unrelated: Set<SensorInput>;
}

/** The clock a sensor's cadence measured, with its rate segments bounded by device times. */
function clockOf(timing: SensorTiming, take: string, known: SourceClock | undefined, origin: ClockOrigin): SourceClock | null {
  const c = timing.cadence;
  if (c.rateSource === 'source-take' && known) return known;
  if (c.rateSource !== 'fitted') return null;
  const timeOf = (frame: number) => {
    let i = 0;
    while (i < c.index.length - 1 && c.index[i]! < frame) i++;
    return c.times[i]!;
  };
  return {
    take, track: timing.track, frames: c.times.length, ratePpm: c.ratePpm, stdErrPpm: c.rateStdErrPpm, origin,
    segments: c.segments.map((g) => ({ fromUs: timeOf(g.fromFrame), toUs: timeOf(g.toFrame), ratePpm: g.ratePpm, stdErrPpm: g.stdErrPpm, freeRunning: g.freeRunning })),
  };
}

export function buildTimeline(p: TimelineParts): TakeTimeline | null {
  const ref = p.reference;
  if (!ref || !p.window || !p.fps) return null;
  const nominalUs = 1e6 / p.fps;
  const sensors: SensorOnTimeline[] = [];
  const excluded: ExcludedSensor[] = [];
  for (const input of p.inputs) {
    const offset = p.offsets.get(input) ?? null;
    const why = exclusion(input, p.timings.get(input), ref, offset, p.unrelated.has(input));
    if (why !== null) {
      excluded.push({ serial: input.serial, file: input.file, reason: why });
      continue;
    }
    const timing = p.timings.get(input)!;
    // Depth sits the configured (90 kHz-quantized) delay after colour; IR carries depth's time.
    const depthDelayUs = quantizeUs(input.depthDelayUs);
    const color = input.color ?? new Float64Array(0);
    const depth = input.depth ?? input.ir ?? new Float64Array(0);
    // Both images of a capture go through the pairing of the timed track, the other one moved by the depth delay.
    const onReference = (times: Float64Array, delayUs: number): Float64Array => {
      const own = delayUs === 0 ? times : Float64Array.from(times, (v) => v - delayUs);
      if (timing === ref) return own;
      return onReferenceClock({ ...timing, cadence: { ...timing.cadence, times: own } }, ref, offset!, nominalUs, p.clock);
    };
    sensors.push({
      serial: input.serial,
      file: input.file,
      role: input.role,
      track: timing.track,
      color,
      depth,
      colorOnReference: onReference(color, timing.track === 'COLOR' ? 0 : -depthDelayUs),
      depthOnReference: onReference(depth, timing.track === 'COLOR' ? depthDelayUs : 0),
      timecodeFrames: p.timecode.get(input) ?? null,
      clock: clockOf(timing, p.take, p.sourceClocks?.get(input.serial), p.clock),
    });
  }
  // Rig frames are counted on the reference's clock, which runs at its crystal's rate.
  const periodUs = nominalUs * (1 + ref.cadence.lockedRate.ratePpm * 1e-6);
  return { take: p.take, reference: ref.input.serial, fps: p.fps, periodUs, window: p.window, timecodeRate: p.timecodeRate, sensors, excluded };
}
