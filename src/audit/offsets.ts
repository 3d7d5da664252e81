import type { Cadence } from './cadence.js';
import type { ClockOrigin } from './clock-origin.js';
import { triggerDelayUs } from './delays.js';
import { median, PrefixSums } from './fit.js';
import type { SensorInput } from './input.js';
import type { PairOffset } from './types.js';

export interface SensorTiming {
  input: SensorInput;
  track: 'COLOR' | 'DEPTH';
  cadence: Cadence;
  /** Host arrival time of each frame of `cadence` (µs), NaN where unknown; null without a host-time track. */
  host: Float64Array | null;
}

/** Index of the value in sorted `a` nearest to v. */
function nearest(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(a[lo - 1]! - v) <= Math.abs(a[lo]! - v) ? lo - 1 : lo;
}

/** The period a sensor's own clock measured while it followed the pulses (Cadence.lockedRate). */
function lockedPeriodUs(t: SensorTiming, nominalUs: number): number {
  return nominalUs * (1 + t.cadence.lockedRate.ratePpm * 1e-6);
}

/**
 * Compares a sensor's frames with the reference's. Each timestamp is first brought onto the reference's clock by the
 * ratio of their fitted periods (two locked sensors measure the same pulses with different crystals; scaling about
 * device time zero is right when both clocks were zeroed by the same pulse, which is exactly what is being tested).
 * Frames are paired by host arrival time when both files have it: that pairs the same pulse even when the time bases
 * are whole frames apart. Otherwise they are paired by nearest device time, and whole-frame shifts are judged from
 * the ends of the recordings.
 */
export interface PairResult {
  offset: PairOffset;
  /** Residual of every frame of the sensor against the expected offset (µs), NaN where it has no partner. */
  residuals: Float64Array;
}

/** Device times counted from the take's clock origin: small numbers, which rates scale exactly (clock-origin.ts). */
function fromOrigin(times: Float64Array, clock: ClockOrigin): Float64Array {
  return clock.originUs === 0 ? times : Float64Array.from(times, (t) => t - clock.originUs);
}

const ZERO_ORIGIN: ClockOrigin = { originUs: 0, epoch: false };

export function pairOffset(s: SensorTiming, r: SensorTiming, nominalUs: number, toleranceUs: number, clock: ClockOrigin = ZERO_ORIGIN): PairResult {
  const track = s.track;
  const expectedUs =
    triggerDelayUs(s.input.role, s.input.subordinateDelayUs, s.input.depthDelayUs, track) -
    triggerDelayUs(r.input.role, r.input.subordinateDelayUs, r.input.depthDelayUs, track);
  const base: PairOffset = {
    reference: r.input.serial, track, expectedUs, measuredUs: null, maxResidualUs: null, frameShift: null,
    pairedBy: null, matchedFrames: 0, rawDivergenceUs: null, trendUsPerMinute: null, trendStdErrUsPerMinute: null, hostGapUs: null,
    endShift: null, startShift: null, uncertaintyUs: null, aligned: null,
  };
  const none = (offset: PairOffset): PairResult => ({ offset, residuals: new Float64Array(s.cadence.times.length).fill(NaN) });
  if (s.track !== r.track) return none(base);
  const scale = lockedPeriodUs(r, nominalUs) / lockedPeriodUs(s, nominalUs);
  const ts = fromOrigin(s.cadence.times, clock);
  const tr = fromOrigin(r.cadence.times, clock);
  const pairs: [number, number][] = [];
  let pairedBy: PairOffset['pairedBy'] = 'device-time';
  if (s.host && r.host) {
    pairedBy = 'host-time';
    // Host arrival of the same pulse differs between sensors by USB latency only, far less than half a period.
    const order = Array.from(r.host.keys()).filter((i) => !Number.isNaN(r.host![i]!)).sort((a, b) => r.host![a]! - r.host![b]!);
    const hostSorted = Float64Array.from(order, (i) => r.host![i]!);
    if (hostSorted.length > 0) {
      for (let i = 0; i < ts.length; i++) {
        const h = s.host[i]!;
        if (Number.isNaN(h)) continue;
        const j = nearest(hostSorted, h);
        if (Math.abs(hostSorted[j]! - h) < nominalUs / 2) pairs.push([i, order[j]!]);
      }
    }
  } else {
    for (let i = 0; i < ts.length; i++) {
      const j = nearest(tr, ts[i]! * scale - expectedUs);
      if (Math.abs(tr[j]! - (ts[i]! * scale - expectedUs)) < nominalUs / 2) pairs.push([i, j]);
    }
  }
  if (pairs.length < 2) return none({ ...base, pairedBy, matchedFrames: pairs.length });

  const diffs = Float64Array.from(pairs, ([i, j]) => ts[i]! * scale - tr[j]!);
  let shift: number;
  let inDiffs: number;
  let hostGapUs: number | null = null;
  let endShift: number | null = null;
  let startShift: number | null = null;
  if (pairedBy === 'host-time') {
    // `|| 0`: a shift of -0 is none, and must compare equal to one.
    shift = Math.round((median(diffs) - expectedUs) / nominalUs) || 0;
    inDiffs = shift;
    hostGapUs = median(Float64Array.from(pairs, ([i, j]) => Math.abs(s.host![i]! - r.host![j]!)));
  } else if (clock.epoch) {
    // Clocks set to the same absolute time share their frame count too: nearest device time pairs the same pulse,
    // and recordings that start or stop apart (the wrapper starts a subordinate's recorder early) are only that.
    shift = 0;
    inDiffs = 0;
  } else {
    // Paired by nearest time, a whole-frame shift is invisible; the ends of recordings stopped together show it.
    // Whether they were stopped together is decided for the whole take (corroborateShifts).
    const frames = (gap: number) => Math.round((gap - expectedUs) / nominalUs);
    endShift = frames(ts[ts.length - 1]! * scale - tr[tr.length - 1]!);
    startShift = frames(ts[0]! * scale - tr[0]!);
    shift = Math.abs(endShift) <= 1 ? 0 : endShift;
    inDiffs = 0;
  }
  const offsets = Float64Array.from(diffs, (d) => d - inDiffs * nominalUs);
  const residuals = Float64Array.from(offsets, (o) => o - expectedUs);
  let maxResidualUs = 0;
  for (const v of residuals) maxResidualUs = Math.max(maxResidualUs, Math.abs(v));
  const at = Float64Array.from(pairs, ([, j]) => tr[j]! / 60e6);
  const trendFit = new PrefixSums(at, residuals).fit(0, residuals.length);
  const [first, last] = [pairs[0]!, pairs[pairs.length - 1]!];
  const raw = ts[last[0]]! - tr[last[1]]! - (ts[first[0]]! - tr[first[1]]!);
  const byFrame = new Float64Array(ts.length).fill(NaN);
  pairs.forEach(([i], k) => (byFrame[i] = residuals[k]!));
  const uncertaintyUs = rateUncertaintyUs(s, r, Math.max(Math.abs(ts[first[0]]!), Math.abs(ts[last[0]]!)));
  // Whole frame periods still show through an uncertain rate, as long as it moves the offset less than a quarter period.
  const judged = uncertaintyUs <= toleranceUs;
  const shiftSeen = shift !== 0 && uncertaintyUs < nominalUs / 4;
  const offset: PairOffset = {
    ...base,
    measuredUs: median(offsets),
    maxResidualUs,
    frameShift: shift,
    pairedBy,
    matchedFrames: pairs.length,
    rawDivergenceUs: raw,
    trendUsPerMinute: trendFit.slope,
    trendStdErrUsPerMinute: Number.isFinite(trendFit.slopeStdErr) ? trendFit.slopeStdErr : null,
    hostGapUs,
    endShift,
    startShift,
    uncertaintyUs,
    aligned: judged ? shift === 0 && maxResidualUs <= toleranceUs && (hostGapUs === null || hostGapUs < nominalUs / 4) : shiftSeen ? false : null,
  };
  return { offset, residuals: byFrame };
}

/**
 * How far an offset may be off at device time `atUs` because both clocks' rates are known only so well: two standard
 * errors of each, as rates scale device times about the clock origin. Small for rates fitted over a take; an unmeasured crystal's
 * (too few frames) makes it hundreds of µs a few seconds into a recording.
 */
function rateUncertaintyUs(s: SensorTiming, r: SensorTiming, atUs: number): number {
  return 2 * Math.hypot(s.cadence.lockedRate.stdErrPpm, r.cadence.lockedRate.stdErrPpm) * 1e-6 * atUs;
}

/** A sensor's frames on the reference's clock, for the common window. */
export function onReferenceClock(s: SensorTiming, r: SensorTiming, offset: PairOffset, nominalUs: number, clock: ClockOrigin = ZERO_ORIGIN): Float64Array {
  const scale = lockedPeriodUs(r, nominalUs) / lockedPeriodUs(s, nominalUs);
  const shift = (offset.frameShift ?? 0) * nominalUs + offset.expectedUs;
  const o = clock.originUs;
  return Float64Array.from(s.cadence.times, (t) => (t - o) * scale + o - shift);
}

/**
 * Device-time pairing only: a sensor whose recording ends whole frames away from the reference's has a shifted time
 * base only if the recordings were stopped together. That is believed when every other sensor ends with the
 * reference, or when its first frame is shifted alike (allowing for the firmware's start-up drops); otherwise (recorders stopped by hand,
 * one by one) the shift is unknown rather than guessed.
 */
export function corroborateShifts(offsets: PairOffset[], toleranceUs: number, startupGap: (o: PairOffset) => number): void {
  const byDevice = offsets.filter((o) => o.pairedBy === 'device-time' && o.endShift !== null);
  for (const o of byDevice) {
    if (o.frameShift === 0 || o.frameShift === null) continue;
    const others = byDevice.filter((x) => x !== o);
    const othersEndTogether = others.length > 0 && others.every((x) => Math.abs(x.endShift!) <= 1);
    // Started the firmware's start-up drops after the reference and ended the same number of frames off: both ends
    // moved together, which is a shifted clock, not an uneven stop.
    const bothEndsShifted = o.startShift !== null && Math.abs(o.startShift - o.endShift! - startupGap(o)) <= 1;
    const corroborated = othersEndTogether || o.startShift === o.endShift || bothEndsShifted;
    if (corroborated) continue;
    o.frameShift = null;
    const judged = o.uncertaintyUs === null || o.uncertaintyUs <= toleranceUs;
    o.aligned = o.maxResidualUs !== null && judged ? o.maxResidualUs <= toleranceUs : null;
  }
}
