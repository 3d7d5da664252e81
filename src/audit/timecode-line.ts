import type { TakeManifest } from '../take/index.js';
import { framesToTimecode, realFps, timecodeToFrames, type LtcDecodeResult, type LtcRate } from '../timecode/index.js';
import { median, PrefixSums } from './fit.js';

/**
 * The generator's timecode as the host saw it: the host time (µs, the clock of the MKVs' host-time track) at which
 * each decoded LTC frame started, and that frame's number counted from midnight.
 */
export interface TimecodeLine {
  rate: LtcRate;
  /** Real frame period of the timecode, µs. */
  framePeriodUs: number;
  hostUs: Float64Array;
  frame: Float64Array;
}

/** Host time of an audio sample: piecewise linear through the recorder's (sample, host time) anchors. */
function hostAtSample(ltc: NonNullable<TakeManifest['ltc']>, sample: number): number {
  const points = [{ sample: 0, hostUs: ltc.hostStartUs }, ...ltc.anchors];
  let i = 0;
  while (i + 2 < points.length && points[i + 1]!.sample < sample) i++;
  const a = points[i]!;
  const b = points[i + 1];
  if (!b) return a.hostUs + ((sample - a.sample) / ltc.sampleRate) * 1e6;
  return a.hostUs + ((sample - a.sample) * (b.hostUs - a.hostUs)) / (b.sample - a.sample);
}

export function timecodeLine(decoded: LtcDecodeResult, ltc: NonNullable<TakeManifest['ltc']>): TimecodeLine | null {
  const rate = decoded.rate ?? ltc.rate;
  if (!rate || decoded.frames.length < 2) return null;
  const forward = decoded.frames.filter((f) => !f.reverse);
  return {
    rate,
    framePeriodUs: 1e6 / realFps(rate),
    hostUs: Float64Array.from(forward, (f) => hostAtSample(ltc, f.sampleStart)),
    frame: Float64Array.from(forward, (f) => timecodeToFrames(f.timecode, rate)),
  };
}

/** The (fractional) timecode frame at a host time, between the decoded frames around it. */
export function frameAtHost(line: TimecodeLine, hostUs: number): number {
  const h = line.hostUs;
  let lo = 0;
  let hi = h.length - 1;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    if (h[mid]! <= hostUs) lo = mid;
    else hi = mid;
  }
  return line.frame[lo]! + ((hostUs - h[lo]!) / (h[hi]! - h[lo]!)) * (line.frame[hi]! - line.frame[lo]!);
}

export interface SensorTimecode {
  timecodeIn: string;
  timecodeOut: string;
  /** Timecode frame number of every delivered frame. */
  frames: Float64Array;
  /** The sensor's clock against the timecode clock, ppm. */
  driftVsTimecodePpm: number;
  /** Delivered frames whose timecode does not advance with their frame index: not on the generator's line. */
  offLine: number;
}

/**
 * Puts a sensor's frames on the timecode line. A frame reaches the host some USB latency after the pulse that
 * triggered it, and that pulse starts an LTC frame; the latency is the same fraction of a frame for every frame, so it
 * is measured (median) and removed, assuming it is under one frame (a frame arrives before the next pulse).
 */
export function placeOnTimecode(line: TimecodeLine, index: Float64Array, deviceUs: Float64Array, hostUs: Float64Array): SensorTimecode | null {
  const frac: number[] = [];
  for (let i = 0; i < hostUs.length; i++) {
    const h = hostUs[i]!;
    if (Number.isNaN(h) || h < line.hostUs[0]! || h > line.hostUs[line.hostUs.length - 1]!) continue;
    frac.push(frameAtHost(line, h));
  }
  if (frac.length < 2) return null;
  const latency = median(frac.map((f) => f - Math.floor(f)));
  const frames = new Float64Array(hostUs.length).fill(NaN);
  let k = 0;
  for (let i = 0; i < hostUs.length; i++) {
    const h = hostUs[i]!;
    if (Number.isNaN(h) || h < line.hostUs[0]! || h > line.hostUs[line.hostUs.length - 1]!) continue;
    frames[i] = Math.round(frac[k++]! - latency);
  }
  const known = [...frames.keys()].filter((i) => !Number.isNaN(frames[i]!));
  // Drift on whole timecode frames: each frame is tied to the LTC frame its pulse started, so host jitter is gone.
  const tcUs = known.map((i) => (frames[i]! - frames[known[0]!]!) * line.framePeriodUs);
  const dev = known.map((i, k) => deviceUs[i]! - deviceUs[known[0]!]! - tcUs[k]!);
  const fit = new PrefixSums(tcUs, dev).fit(0, known.length);
  const first = known[0]!;
  let offLine = 0;
  for (const i of known) if (frames[i]! - frames[first]! !== index[i]! - index[first]!) offLine++;
  return {
    timecodeIn: framesToTimecode(frames[first]!, line.rate),
    timecodeOut: framesToTimecode(frames[known[known.length - 1]!]!, line.rate),
    frames,
    driftVsTimecodePpm: fit.slope * 1e6,
    offLine,
  };
}
