import type { SourceClock } from '../take/index.js';
import { bestBendToFlat, bestHinge, median, PrefixSums, type LineFit } from './fit.js';
import type { ClockRateSource, Drop, RateSegment } from './types.js';

/** Device timestamps tick at 90 kHz: residuals are reported in ticks of 100/9 µs. */
export const TICK_US = 100 / 9;

export interface Cadence {
  /** Frame index of every delivered frame (its place in the sequence, drops counted). */
  index: Float64Array;
  times: Float64Array;
  drops: Drop[];
  /** Fitted period over the whole take, µs. */
  periodUs: number;
  /** The clock's rate against nominal: nominal itself (0) when it is too few frames to tell (see rateSource). */
  ratePpm: number;
  rateStdErrPpm: number;
  rateSource: ClockRateSource;
  jitterTicks: { rms: number; max: number };
  segments: RateSegment[];
  /**
   * The rate its clock measured while it followed the pulses: its first segment, or its source take's first segment
   * when these frames were trimmed from one. Offsets are paired with it, so that a sensor which loses sync later shows
   * as an offset that drifts, and a window of a take is paired exactly as the take was.
   */
  lockedRate: { ratePpm: number; stdErrPpm: number };
  /** Frame index where the rate changes, when it does. */
  changeAt: number | null;
  fit: LineFit;
}

/** Segments shorter than this cannot establish a rate. */
const MIN_SEGMENT_FRAMES = 30;
/**
 * Fewer frames than this do not measure a clock rate: over a second or less, the 11.1 µs tick rounding alone makes a
 * fit hundreds of ppm off. Such a clock is taken as nominal, with an unmeasured crystal's uncertainty.
 */
export const MIN_RATE_FRAMES = 30;
/**
 * What is known of a crystal that was not measured: within ±100 ppm of nominal (Azure Kinect crystals measure tens of
 * ppm off) at two standard errors.
 */
export const UNMEASURED_RATE_STDERR_PPM = 50;
/** How much better two lines must explain the cadence than one before the take is split (F statistic). */
const SPLIT_F = 50;
/** A rate change smaller than this many standard errors is noise. */
const SPLIT_SIGMAS = 6;
const MIN_RATE_CHANGE_PPM = 0.5;

function toPpm(periodUs: number, nominalUs: number): number {
  return (periodUs / nominalUs - 1) * 1e6;
}

/**
 * Indexes a sensor's frames by their device timestamps and fits its clock. A gap of more than 1.5 periods is a drop
 * of round(gap / period) - 1 frames; frames the sensor never delivered at its start or end are not drops. `known` is
 * the clock as measured on the whole take these frames were cut from (a trimmed take): then its rate is used, not a
 * fit over the window.
 */
export function analyzeCadence(times: Float64Array, nominalUs: number, known: SourceClock | null = null): Cadence | null {
  const n = times.length;
  if (n < 3) return null;
  const deltas = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) deltas[i - 1] = times[i]! - times[i - 1]!;
  // The median delta is the period whatever the drops; with it, gaps round right even at 1000 ppm off nominal.
  const period = median(deltas);
  const index = new Float64Array(n);
  const drops: Drop[] = [];
  for (let i = 1; i < n; i++) {
    const steps = Math.max(1, Math.round(deltas[i - 1]! / period));
    index[i] = index[i - 1]! + steps;
    if (deltas[i - 1]! > 1.5 * period) {
      drops.push({ frameIndex: index[i - 1]! + 1, deviceTimestampUs: Math.round(times[i - 1]! + period), count: steps - 1 });
    }
  }
  // Detrend by the nominal line so the sums stay small.
  const t0 = times[0]!;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = times[i]! - t0 - index[i]! * nominalUs;
  const sums = new PrefixSums(index, y);
  const fit = sums.fit(0, n);
  let maxResidual = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - (fit.intercept + fit.slope * index[i]!);
    maxResidual = Math.max(maxResidual, Math.abs(r));
    sq += r * r;
  }
  const jitterTicks = { rms: Math.sqrt(sq / n) / TICK_US, max: maxResidual / TICK_US };
  if (known) {
    const lockedRate = { ratePpm: known.segments[0]!.ratePpm, stdErrPpm: known.segments[0]!.stdErrPpm };
    return { index, times, drops, ...knownRate(known, index, times, nominalUs), lockedRate, jitterTicks, fit };
  }
  if (n < MIN_RATE_FRAMES) {
    const segments = [{ fromFrame: 0, toFrame: index[n - 1]!, ratePpm: 0, stdErrPpm: UNMEASURED_RATE_STDERR_PPM, freeRunning: null }];
    return {
      index, times, drops, periodUs: nominalUs, ratePpm: 0, rateStdErrPpm: UNMEASURED_RATE_STDERR_PPM, rateSource: 'too-few-frames', jitterTicks,
      segments, lockedRate: { ratePpm: 0, stdErrPpm: UNMEASURED_RATE_STDERR_PPM }, changeAt: null, fit,
    };
  }
  const periodUs = nominalUs + fit.slope;
  const segment = (from: number, to: number, f: LineFit): RateSegment => {
    const ratePpm = toPpm(nominalUs + f.slope, nominalUs);
    const stdErrPpm = (f.slopeStdErr / nominalUs) * 1e6;
    return { fromFrame: index[from]!, toFrame: index[to - 1]!, ratePpm, stdErrPpm, freeRunning: null };
  };
  let segments = [segment(0, n, fit)];
  let changeAt: number | null = null;
  const hinge = bestHinge(index, y, MIN_SEGMENT_FRAMES);
  if (hinge) {
    const ppm = (slope: number) => toPpm(nominalUs + slope, nominalUs);
    const a: RateSegment = { fromFrame: 0, toFrame: index[hinge.at - 1]!, ratePpm: ppm(hinge.slopeBefore), stdErrPpm: (hinge.stdErrBefore / nominalUs) * 1e6, freeRunning: null };
    const b: RateSegment = { fromFrame: index[hinge.at]!, toFrame: index[n - 1]!, ratePpm: ppm(hinge.slopeAfter), stdErrPpm: (hinge.stdErrAfter / nominalUs) * 1e6, freeRunning: null };
    const change = Math.abs(a.ratePpm - b.ratePpm);
    const sigma = Math.hypot(a.stdErrPpm, b.stdErrPpm);
    if (hinge.f > SPLIT_F && change > SPLIT_SIGMAS * sigma && change > MIN_RATE_CHANGE_PPM) {
      segments = [a, b];
      changeAt = b.fromFrame;
      // One side steps exactly the nominal period: its own clock, no pulses. Knowing that slope pins the bend.
      const flatAfter = isNominal(b.ratePpm, b.stdErrPpm) && !isNominal(a.ratePpm, a.stdErrPpm);
      const flatBefore = isNominal(a.ratePpm, a.stdErrPpm) && !isNominal(b.ratePpm, b.stdErrPpm);
      const at = flatAfter || flatBefore ? bestBendToFlat(index, y, flatAfter, MIN_SEGMENT_FRAMES) : null;
      if (at !== null) {
        const before = sums.fit(0, at);
        const after = sums.fit(at, n);
        // Which side runs free was decided on the bent line; a re-fit segment a few frames off the bend would blur it.
        segments = [{ ...segment(0, at, before), freeRunning: flatBefore }, { ...segment(at, n, after), freeRunning: flatAfter }];
        changeAt = index[at]!;
      }
    }
  }
  return {
    index,
    times,
    drops,
    periodUs,
    ratePpm: toPpm(periodUs, nominalUs),
    rateStdErrPpm: (fit.slopeStdErr / nominalUs) * 1e6,
    rateSource: 'fitted',
    jitterTicks,
    segments,
    lockedRate: { ratePpm: segments[0]!.ratePpm, stdErrPpm: segments[0]!.stdErrPpm },
    changeAt,
    fit,
  };
}

/** A rate consistent with stepping exactly the nominal period on the sensor's own clock. */
export function isNominal(ratePpm: number, stdErrPpm: number): boolean {
  return Math.abs(ratePpm) <= Math.max(4 * stdErrPpm, 0.05);
}

/**
 * The source take's clock over a window of its frames: the segments the window overlaps, their device-time bounds
 * turned into this window's frame numbers; the rate of the one segment it lies in, else the source's whole-take rate.
 */
function knownRate(known: SourceClock, index: Float64Array, times: Float64Array, nominalUs: number): Pick<Cadence, 'periodUs' | 'ratePpm' | 'rateStdErrPpm' | 'rateSource' | 'segments' | 'changeAt'> {
  const n = times.length;
  const frameAt = (us: number) => {
    let i = 0;
    while (i < n - 1 && times[i]! < us) i++;
    return index[i]!;
  };
  const inside = known.segments.filter((g) => g.toUs >= times[0]! && g.fromUs <= times[n - 1]!);
  const used = inside.length > 0 ? inside : [known.segments[0]!];
  const segments: RateSegment[] = used.map((g, k) => ({
    fromFrame: k === 0 ? 0 : frameAt(g.fromUs),
    toFrame: k === used.length - 1 ? index[n - 1]! : frameAt(used[k + 1]!.fromUs) - 1,
    ratePpm: g.ratePpm, stdErrPpm: g.stdErrPpm, freeRunning: g.freeRunning,
  }));
  const [ratePpm, rateStdErrPpm] = segments.length === 1 ? [segments[0]!.ratePpm, segments[0]!.stdErrPpm] : [known.ratePpm, known.stdErrPpm];
  return {
    periodUs: nominalUs * (1 + ratePpm * 1e-6), ratePpm, rateStdErrPpm, rateSource: 'source-take', segments,
    changeAt: segments.length > 1 ? segments[1]!.fromFrame : null,
  };
}
