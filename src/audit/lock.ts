import { isNominal } from './cadence.js';
import { median, PrefixSums } from './fit.js';
import type { SensorTiming } from './offsets.js';
import type { LockEvidence, PairOffset } from './types.js';

export interface HostRate {
  /** Frame period measured on the host clock, µs. */
  periodUs: number;
  stdErrUs: number;
}

/** Host arrival jitter (USB, scheduling) is ms-scale with outliers; one pass of outlier rejection keeps the fit honest. */
export function hostRate(t: SensorTiming): HostRate | null {
  if (!t.host) return null;
  const xs: number[] = [];
  const ys: number[] = [];
  const h0 = t.host.find((v) => !Number.isNaN(v));
  if (h0 === undefined) return null;
  t.host.forEach((h, i) => {
    if (!Number.isNaN(h)) {
      xs.push(t.cadence.index[i]!);
      ys.push(h - h0);
    }
  });
  if (xs.length < 30) return null;
  let fit = new PrefixSums(xs, ys).fit(0, xs.length);
  const res = ys.map((y, i) => y - (fit.intercept + fit.slope * xs[i]!));
  const mad = median(res.map(Math.abs)) * 1.4826;
  const keep = res.map((r) => Math.abs(r) <= Math.max(5 * mad, 1));
  const kx = xs.filter((_, i) => keep[i]);
  const ky = ys.filter((_, i) => keep[i]);
  if (kx.length >= 30) fit = new PrefixSums(kx, ky).fit(0, kx.length);
  return { periodUs: fit.slope, stdErrUs: fit.slopeStdErr };
}

export interface LockFinding {
  locked: boolean | null;
  evidence: LockEvidence;
  lostAtFrame: number | null;
  /** Host-clock frame rate against the reference group, ppm; null without host times. */
  hostRatePpm: number | null;
  message: string;
}

/** Host-clock differences below this precision (ppm) decide lock; coarser ones are not evidence. */
const HOST_DECISIVE_STDERR_PPM = 1;
const HOST_MIN_DIFFERENCE_PPM = 2;
/** Crystals are a few to tens of ppm off: a rate measured to better than this tells them from exactly nominal. */
const HEURISTIC_MAX_STDERR_PPM = 1;

/**
 * Whether a subordinate followed the pulses, from the strongest evidence available (see "The audit model"):
 * host-clock rates, a change of rate part-way, the rate itself, and last a heuristic. Masters and standalone sensors
 * run on their own clock by design.
 */
export function judgeLock(
  t: SensorTiming,
  host: HostRate | null,
  hostReference: HostRate | null,
  generatorRig: boolean,
  offset: PairOffset | null,
): LockFinding {
  const role = t.input.role;
  const segs = t.cadence.segments;
  let hostRatePpm: number | null = null;
  let hostDecisive = false;
  let hostDiffers = false;
  if (host && hostReference && host !== hostReference) {
    hostRatePpm = (host.periodUs / hostReference.periodUs - 1) * 1e6;
    const se = (Math.hypot(host.stdErrUs, hostReference.stdErrUs) / hostReference.periodUs) * 1e6;
    hostDecisive = se < HOST_DECISIVE_STDERR_PPM;
    hostDiffers = hostDecisive && Math.abs(hostRatePpm) > Math.max(5 * se, HOST_MIN_DIFFERENCE_PPM);
  }
  if (role !== 'subordinate') {
    return { locked: false, evidence: 'role', lostAtFrame: null, hostRatePpm, message: `${role === 'master' ? 'drives the pulses (the master)' : 'runs on its own clock (standalone)'}` };
  }
  if (segs.length === 2) {
    const [a, b] = [segs[0]!, segs[1]!];
    const aNominal = a.freeRunning ?? isNominal(a.ratePpm, a.stdErrPpm);
    const bNominal = b.freeRunning ?? isNominal(b.ratePpm, b.stdErrPpm);
    if (!aNominal && bNominal) {
      return {
        locked: false, evidence: 'rate-change', lostAtFrame: b.fromFrame, hostRatePpm,
        message: `lost sync around frame ${b.fromFrame}: its rate changes from ${a.ratePpm.toFixed(2)} ppm (following pulses) to exactly the nominal period of its own clock`,
      };
    }
    if (aNominal && !bNominal) {
      return {
        locked: false, evidence: 'rate-change', lostAtFrame: null, hostRatePpm,
        message: `ran on its own clock until frame ${b.fromFrame} and only then started following pulses (around there)`,
      };
    }
    return {
      locked: null, evidence: 'rate-change', lostAtFrame: null, hostRatePpm,
      message: `changes rate at frame ${b.fromFrame} (${a.ratePpm.toFixed(2)} → ${b.ratePpm.toFixed(2)} ppm): the pulses it follows changed rate`,
    };
  }
  if (hostDiffers) {
    return {
      locked: false, evidence: 'host-clock', lostAtFrame: null, hostRatePpm,
      message: `delivers frames at a rate ${hostRatePpm!.toFixed(2)} ppm off the reference's on the host clock: it is not following the same pulses`,
    };
  }
  if (hostDecisive) {
    return { locked: true, evidence: 'host-clock', lostAtFrame: null, hostRatePpm, message: `delivers frames at the reference's rate on the host clock (${hostRatePpm!.toFixed(2)} ppm): it follows the same pulses` };
  }
  const s = segs[0]!;
  if (s.freeRunning === true) {
    // Only a source take's clock says this of a single segment: the window lies after the sensor lost sync.
    return { locked: false, evidence: 'rate-change', lostAtFrame: null, hostRatePpm, message: 'runs on its own clock over all of these frames: the take they were trimmed from shows it losing sync before them' };
  }
  if (t.cadence.rateSource === 'too-few-frames') {
    return { locked: null, evidence: 'none', lostAtFrame: null, hostRatePpm, message: `has ${t.cadence.times.length} frames, too few to measure its clock rate: whether it followed the pulses cannot be told from its frames` };
  }
  const nominal = isNominal(s.ratePpm, s.stdErrPpm);
  s.freeRunning = nominal ? null : false;
  if (!nominal) {
    if (offset && offset.aligned === false && offset.frameShift === 0 && (offset.maxResidualUs ?? 0) > 0) {
      return { locked: true, evidence: 'rate', lostAtFrame: null, hostRatePpm, message: 'follows pulses (its clock measures them off nominal), but not in step with the reference' };
    }
    return { locked: true, evidence: 'rate', lostAtFrame: null, hostRatePpm, message: `follows the pulses: its own clock measures them ${s.ratePpm.toFixed(2)} ppm off nominal (its crystal against the source)` };
  }
  // A nominal rate only means something when it is measured finely: on a short take every rate looks nominal.
  if (generatorRig && s.stdErrPpm <= HEURISTIC_MAX_STDERR_PPM) {
    return {
      locked: null, evidence: 'heuristic', lostAtFrame: null, hostRatePpm,
      message: `steps exactly the nominal period (${s.ratePpm.toFixed(2)} ± ${s.stdErrPpm.toFixed(2)} ppm off): the signature of a sensor running on its own clock, not receiving the generator's pulses`,
    };
  }
  return {
    locked: null, evidence: 'none', lostAtFrame: null, hostRatePpm,
    message: generatorRig
      ? `runs at ${s.ratePpm.toFixed(2)} ± ${s.stdErrPpm.toFixed(2)} ppm: too few frames to tell following the generator from running on its own clock`
      : `runs at ${s.ratePpm.toFixed(2)} ± ${s.stdErrPpm.toFixed(2)} ppm, which cannot tell following the master from running on a crystal that matches it`,
  };
}
