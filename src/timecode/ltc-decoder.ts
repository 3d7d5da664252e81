/**
 * SMPTE 12M linear timecode (LTC) decoder.
 *
 * Pipeline:
 *  1. Edge detection. A comparator with hysteresis (thresholds at ±40 % of a running peak envelope around a
 *     running mid level) gives one event per LTC transition. It works the same on a square wave, on a
 *     high-passed (AC-coupled) one whose edges have become decaying spikes, on clipped, inverted or quiet
 *     signals: only the sign of each big excursion matters, and biphase mark is polarity-free.
 *  2. Edge timing. The signal is modelled as the square wave through a first-order high-pass,
 *     x[n] = p x[n-1] + (s[n] - s[n-1]); p is estimated from the samples between edges (p ~ 1 for a
 *     DC-coupled square wave, ~0.96 for a 300 Hz high-pass at 48 kHz, ~0 for pure spikes). The innovation
 *     x[n] - p x[n-1] is then the derivative of the square wave, and each edge time is the centroid of its lobe:
 *     sub-sample, and independent of level, DC offset and coupling.
 *  3. Biphase-mark bits. Intervals between edges are classified as a half or a whole bit period against an
 *     adaptively tracked bit period (varispeed), with the bit-cell phase fixed by whole-period intervals.
 *  4. Frames. The 16-bit sync word 0011 1111 1111 1101 closes a forward frame; read backwards
 *     (1011 1111 1111 1100) it opens a reverse one. BCD fields are validated, and each frame's start and end are
 *     a least-squares fit of all its edge times against their half-bit index (so a frame position is the
 *     average of ~100-160 edges, much finer than a sample).
 *  5. Rate (24/25/30 from the frame numbers and the bit rate; 23.976 vs 24 and 29.97 vs 30 from the measured
 *     frame duration; drop-frame from the flag and the label sequence), discontinuities and dropouts.
 */
import {
  fieldsToFrames,
  formatTimecode,
  frameDelta,
  realFps,
  isDropFrame,
  type LtcRate,
  type TimecodeFields,
} from './smpte.js';

export interface LtcFrame {
  /** `HH:MM:SS:FF`, `HH:MM:SS;FF` when the detected (or forced) rate is drop-frame. */
  timecode: string;
  hours: number;
  minutes: number;
  seconds: number;
  frames: number;
  /** Bit 10 of this frame. */
  dropFrame: boolean;
  /** Bit 11 of this frame. */
  colorFrame: boolean;
  /** 8 hex digits, user-bit nibble 1 (bits 4-7) first. */
  userBits: string;
  /**
   * Sub-sample position of the frame's first bit boundary (the transition that opens bit 0). For a reverse frame
   * (played backwards) this is the earliest boundary in the file, i.e. the trailing boundary of bit 79, so that
   * sampleStart < sampleEnd always holds.
   */
  sampleStart: number;
  /** Sub-sample position of the boundary that closes the frame (the next frame's sampleStart in a continuous run). */
  sampleEnd: number;
  /** The frame was read backwards (tape or file playing in reverse). */
  reverse: boolean;
}

export interface LtcDiscontinuity {
  /** sampleStart of the first frame after the break. */
  atSample: number;
  from: string;
  to: string;
  /** 'reverse': the timecode went against the playing direction, or the direction changed; 'jump': anything else. */
  kind: 'jump' | 'reverse';
}

export interface LtcDropout {
  fromSample: number;
  toSample: number;
}

export interface LtcDecodeResult {
  sampleRate: number;
  /** Detected (or forced) rate; null when no frame was decoded and none was forced. */
  rate: LtcRate | null;
  frames: LtcFrame[];
  discontinuities: LtcDiscontinuity[];
  dropouts: LtcDropout[];
}

export interface LtcDecodeOptions {
  /** Force a rate, or 'auto' (default). */
  fps?: LtcRate | 'auto';
}

// ---------------------------------------------------------------------------------------------------------
// Tunables

/** Comparator threshold, and least edge-lobe area, as a fraction of the running peak envelope. */
const HYSTERESIS = 0.4;
/** Dead zone around zero that separates the lobes of the smoothed innovation, as a fraction of its running peak. */
const DEAD_ZONE = 0.15;
/** Edges weaker than this fraction of the file's loud level are ignored (silence, hiss). */
const SILENCE_FRACTION = 0.08;
/** Time constant of the mid (DC) tracker, s. */
const MID_TAU = 0.025;
/** Decay time constant of the peak envelope, s. */
const ENV_TAU = 0.015;
/** Plausible bit rates: 23.976 fps -10 % to 30 fps +10 %, with margin. */
const MIN_BIT_RATE = 1550;
const MAX_BIT_RATE = 2900;
/** Interval classes, relative to the tracked bit period. */
const SHORT_MIN = 0.25;
const SHORT_MAX = 0.75;
const LONG_MAX = 1.4;
/** Bit-period tracking gain per interval. */
const TRACK_GAIN = 0.1;

const SYNC_FORWARD = 0x3ffd; // bits 64..79 in transmission order
const SYNC_REVERSE = 0xbffc; // the same, read backwards

// ---------------------------------------------------------------------------------------------------------
// Growable typed arrays

class F64 {
  a: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Float64Array(Math.max(16, cap));
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

class I32 {
  a: Int32Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Int32Array(Math.max(16, cap));
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

// ---------------------------------------------------------------------------------------------------------
// 1. Edge events

interface LevelEvents {
  /** First sample past the threshold. */
  index: Int32Array;
  /** Mid level at the event. */
  mid: Float64Array;
  count: number;
}

/** Mean of the first 50 ms: where the mid (DC) tracker starts. */
function initialMid(x: Float32Array, fs: number): number {
  const warm = Math.min(x.length, Math.max(1, Math.round(fs * 0.05)));
  let sum = 0;
  let c = 0;
  for (let i = 0; i < warm; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      c++;
    }
  }
  return c > 0 ? sum / c : 0;
}

/**
 * A plain level comparator with hysteresis: enough to find the quiet stretches between edges from which the
 * coupling pole is estimated (the real edge detection comes after, on the innovation).
 */
function levelEvents(x: Float32Array, fs: number): LevelEvents {
  const n = x.length;
  const idx = new I32(1024);
  const mids = new F64(1024);
  let mid = initialMid(x, fs);
  const aMid = 1 - Math.exp(-1 / (fs * MID_TAU));
  const dEnv = Math.exp(-1 / (fs * ENV_TAU));
  let env = 0;
  let state = 0;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    if (!Number.isFinite(v)) v = mid;
    mid += (v - mid) * aMid;
    const dev = v - mid;
    const mag = dev < 0 ? -dev : dev;
    env = mag > env ? mag : env * dEnv;
    const th = HYSTERESIS * env;
    if (dev > th ? state !== 1 : dev < -th && state !== -1) {
      idx.push(i);
      mids.push(mid);
      state = dev > 0 ? 1 : -1;
    }
  }
  return { index: idx.a.subarray(0, idx.n), mid: mids.a.subarray(0, mids.n), count: idx.n };
}

/**
 * Least-squares pole p of x[n] = p x[n-1] over the quiet stretches between edges, clamped to [0, 1]: ~1 for a
 * DC-coupled square wave, exp(-2 pi fc / fs) behind a first-order high-pass at fc, ~0 when only spikes are left.
 */
function estimatePole(x: Float32Array, ev: LevelEvents, fs: number): number {
  // Samples this close to an edge event may still belong to the edge (its lobe spans a sample or two, more after
  // resampling); the pair (x[i-1], x[i]) must both be clear of it.
  const guard = Math.max(3, Math.round(fs * 60e-6));
  const minGap = (fs / (2 * MAX_BIT_RATE)) * 0.6;
  const maxGap = (fs / MIN_BIT_RATE) * 1.5;
  // Look at up to ~4000 gaps spread over the file.
  const stride = Math.max(1, Math.floor(ev.count / 4000));
  // Least squares is sum x[n] x[n-1] / sum x[n-1]^2, but white noise added after the coupling inflates the
  // denominator; sum x[n] x[n-2] / sum x[n-1] x[n-2] (= p^2 / p) is free of it, and is used wherever the decay is
  // strong enough to measure (for spikes, p near 0, the plain estimate serves).
  let r0 = 0;
  let r1 = 0;
  let r1b = 0;
  let r2 = 0;
  let used = 0;
  for (let k = 0; k + 1 < ev.count; k += stride) {
    const i0 = ev.index[k]!;
    const i1 = ev.index[k + 1]!;
    const gap = i1 - i0;
    if (gap < minGap || gap > maxGap) continue;
    const m = ev.mid[k]!;
    for (let i = i0 + guard + 2; i <= i1 - guard; i++) {
      const a = x[i - 2]! - m;
      const b = x[i - 1]! - m;
      const c = x[i]! - m;
      if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) continue;
      r0 += b * b;
      r1 += b * c;
      r1b += a * b;
      r2 += a * c;
      used++;
    }
  }
  // Too few quiet samples (low sample rate: edges a couple of samples apart): assume a DC-coupled square wave.
  if (used < 200 || !(r0 > 0)) return 1;
  const p1 = r1 / r0;
  const p = p1 > 0.5 && r1b > 0 ? r2 / r1b : p1;
  return Math.min(1, Math.max(0, p));
}

interface Edges {
  /** Sub-sample time of each transition. */
  t: Float64Array;
  count: number;
}

/**
 * Transitions from the innovation y[n] = (x[n] - m) - p (x[n-1] - m), which is the derivative of the underlying
 * square wave whatever the coupling: each transition is one lobe of y, its sign the edge direction. y is
 * smoothed by a triangle W samples wide on each side (W ~ fs / 16 kHz, so the lobes of the densest LTC stay
 * apart), giving z. A lobe is a run of z of one sign above a dead zone (15 % of the running peak of |z|). Its
 * strength is the largest sum of two adjacent samples (robust where an edge straddles two samples and its peak is
 * not), and its time the centroid of its samples within W of its peak: sub-sample, and exact for symmetric
 * edges. A lobe counts as an edge when its strength reaches 40 % of the running peak strength. Then lobes far below the file's loud level are dropped (silence, hiss), and of
 * two consecutive lobes of one sign only the stronger is kept: transitions alternate, so the other is noise,
 * ringing, or the last wobble of the noise before the LTC started.
 */
function detectEdges(x: Float32Array, fs: number, p: number): Edges {
  const n = x.length;
  const W = Math.max(1, Math.round(fs / 16000));
  const shift = W - 1;
  // Where y[n] sits: between n-1 and n for a step-like signal (p near 1), on n for pure spikes (p near 0), where
  // the sample itself is the derivative.
  const offset = p >= 0.5 ? 0.5 : p;
  const yBuf = new Float64Array(W);
  const s1Buf = new Float64Array(W);
  let s1 = 0;
  let s2 = 0;
  let mid = initialMid(x, fs);
  const aMid = 1 - Math.exp(-1 / (fs * MID_TAU));
  const dEnv = Math.exp(-1 / (fs * ENV_TAU));
  const envRate = 1 / (fs * ENV_TAU);
  let env = 0;
  let strEnv = 0;
  let strAt = 0;
  let prev = n > 0 && Number.isFinite(x[0]!) ? x[0]! : mid;

  const block = Math.max(16, Math.round(fs * 0.01));
  const blockPeaks: number[] = [];
  let bp = 0;
  let blockEnd = block;

  const times = new F64(1024);
  const signs = new I32(1024);
  const strength = new F64(1024);

  // The lobe being read: its samples (index c, value along its sign), peak, and dead-zone level.
  let open = false;
  let lsign = 0;
  let cut = 0;
  let lpeak = 0;
  let lpeakAt = 0;
  let lc = new Float64Array(64);
  let lv = new Float64Array(64);
  let ln = 0;
  const add = (c: number, v: number) => {
    if (ln === lc.length) {
      const c2 = new Float64Array(ln * 2);
      c2.set(lc);
      lc = c2;
      const v2 = new Float64Array(ln * 2);
      v2.set(lv);
      lv = v2;
    }
    lc[ln] = c;
    lv[ln] = v;
    if (v > lpeak) {
      lpeak = v;
      lpeakAt = ln;
    }
    ln++;
  };
  const close = (c: number) => {
    open = false;
    // Strength: the largest sum of two adjacent samples (an edge that straddles two samples counts in full).
    let str = lv[0]!;
    for (let j = 1; j < ln; j++) str = Math.max(str, lv[j]! + lv[j - 1]!);
    // Time: centroid of the lobe's samples within W of its peak (slow wander beside a spike can stretch a lobe
    // far beyond its edge; a small first or last sample of a sharp edge must count, or times snap to samples).
    let a = lpeakAt;
    while (a > 0 && lpeakAt - a < W) a--;
    let b = lpeakAt;
    while (b + 1 < ln && b - lpeakAt < W) b++;
    let w = 0;
    let wt = 0;
    for (let j = a; j <= b; j++) {
      w += lv[j]!;
      wt += lv[j]! * lc[j]!;
    }
    strEnv = Math.max(str, strEnv * Math.exp(-(c - strAt) * envRate));
    strAt = c;
    if (str < HYSTERESIS * strEnv) return;
    const t = wt / w - offset;
    while (t >= blockEnd) {
      blockPeaks.push(bp);
      bp = 0;
      blockEnd += block;
    }
    if (str > bp) bp = str;
    times.push(t);
    signs.push(lsign);
    strength.push(str);
  };

  for (let i = 0; i < n + shift; i++) {
    let yi = 0;
    if (i < n) {
      let v = x[i]!;
      if (!Number.isFinite(v)) v = mid;
      mid += (v - mid) * aMid;
      yi = v - mid - p * (prev - mid);
      prev = v;
    }
    const k = i % W;
    s1 += yi - yBuf[k]!;
    yBuf[k] = yi;
    s2 += s1 - s1Buf[k]!;
    s1Buf[k] = s1;
    const c = i - shift;
    if (c < 0) continue;
    const z = s2 / W;
    const a = z < 0 ? -z : z;
    env = a > env ? a : env * dEnv;
    if (open) {
      const v = lsign > 0 ? z : -z;
      if (v > cut) {
        add(c, v);
        continue;
      }
      close(c);
    }
    if (a > DEAD_ZONE * env && a > 0) {
      open = true;
      lsign = z > 0 ? 1 : -1;
      cut = DEAD_ZONE * env;
      lpeak = 0;
      ln = 0;
      add(c, a);
    }
  }
  if (open) close(n);
  blockPeaks.push(bp);

  // Drop lobes far below the loud level, then keep the signs alternating.
  blockPeaks.sort((u, v) => u - v);
  const loud = blockPeaks[Math.floor(0.9 * (blockPeaks.length - 1))] ?? 0;
  const floor = SILENCE_FRACTION * loud;
  const t = new Float64Array(times.n);
  const sg = new Int8Array(times.n);
  const st = new Float64Array(times.n);
  let m = 0;
  for (let e = 0; e < times.n; e++) {
    const str = strength.a[e]!;
    if (!(str > floor)) continue;
    const sgn = signs.a[e]!;
    if (m > 0 && sg[m - 1] === sgn) {
      if (str > st[m - 1]!) {
        t[m - 1] = times.a[e]!;
        st[m - 1] = str;
      }
      continue;
    }
    t[m] = times.a[e]!;
    sg[m] = sgn;
    st[m] = str;
    m++;
  }
  return { t: t.subarray(0, m), count: m };
}

// ---------------------------------------------------------------------------------------------------------
// 3. Biphase-mark bits

interface Bits {
  val: Uint8Array;
  /** Opening boundary, mid-bit transition (NaN for a 0) and closing boundary (NaN if unseen) of each bit. */
  t0: Float64Array;
  tMid: Float64Array;
  t1: Float64Array;
  /** Run id: bits of one run are contiguous cells with a consistent phase. */
  run: Int32Array;
  count: number;
}

function globalBitPeriod(times: Float64Array, count: number, fs: number): number | null {
  const lo = Math.log(fs / MAX_BIT_RATE);
  const hi = Math.log(fs / MIN_BIT_RATE);
  const bins = 100;
  const width = (hi - lo) / bins;
  const hist = new Float64Array(bins);
  const split = fs / 3000;
  for (let k = 1; k < count; k++) {
    const d = times[k]! - times[k - 1]!;
    const T = d < split ? 2 * d : d;
    const b = Math.floor((Math.log(T) - lo) / width);
    if (b >= 0 && b < bins) hist[b]! += 1;
  }
  let best = -1;
  let bestScore = 0;
  for (let b = 0; b < bins; b++) {
    const score = (hist[b - 1] ?? 0) + 2 * hist[b]! + (hist[b + 1] ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = b;
    }
  }
  if (best < 0 || bestScore < 8) return null;
  // Refine: mean of the periods within ±4 % of the peak bin.
  const centre = Math.exp(lo + (best + 0.5) * width);
  let s = 0;
  let c = 0;
  for (let k = 1; k < count; k++) {
    const d = times[k]! - times[k - 1]!;
    const T = d < split ? 2 * d : d;
    if (Math.abs(T / centre - 1) < 0.04) {
      s += T;
      c++;
    }
  }
  return c > 0 ? s / c : centre;
}

function decodeBits(times: Float64Array, count: number, Tg: number): Bits {
  const cap = Math.max(16, count);
  const val = new Uint8Array(cap);
  const t0 = new Float64Array(cap);
  const tMid = new Float64Array(cap);
  const t1 = new Float64Array(cap);
  const run = new Int32Array(cap);
  let nb = 0;
  let runId = 0;
  let runBits = 0;

  const push = (v: number, a: number, mid: number, b: number) => {
    val[nb] = v;
    t0[nb] = a;
    tMid[nb] = mid;
    t1[nb] = b;
    run[nb] = runId;
    nb++;
    runBits++;
  };

  let T = Tg;
  const Tmin = Tg * 0.7;
  const Tmax = Tg * 1.45;
  // Phase: 0 unknown, 1 at a cell boundary, 2 at a mid-bit transition.
  let phase = 0;
  let pendingT0 = 0;
  let pendingMid = 0;
  // Unknown phase: edge times since the run started (all separated by half periods).
  const unknown: number[] = [];
  let last = count > 0 ? times[0]! : 0;

  const endRun = (keepPending: boolean) => {
    if (phase === 2 && keepPending) push(1, pendingT0, pendingMid, NaN);
    // After a short run the tracked period is not to be trusted: go back to the file's dominant one.
    if (runBits < 40) T = Tg;
    if (runBits > 0) runId++;
    runBits = 0;
    phase = 0;
    unknown.length = 0;
  };
  const startRun = (t: number) => {
    phase = 0;
    unknown.length = 0;
    unknown.push(t);
    last = t;
  };

  if (count > 0) startRun(times[0]!);
  for (let k = 1; k < count; k++) {
    const t = times[k]!;
    const d = t - last;
    const r = d / T;
    if (r < SHORT_MIN) {
      // Glitch: try dropping this edge and the next (a spurious pair keeps the edge signs alternating).
      const t2 = times[k + 2];
      if (t2 !== undefined) {
        const r2 = (t2 - last) / T;
        if (r2 >= SHORT_MIN && r2 <= LONG_MAX) {
          // Edges k and k+1 are dropped; edge k+2 is classified now, and the loop goes on from k+3.
          k += 2;
          step(t2, t2 - last, r2);
          continue;
        }
      }
      endRun(false);
      startRun(t);
      continue;
    }
    if (r > LONG_MAX) {
      endRun(true);
      startRun(t);
      // A long silence resets the tracker to the file's dominant period.
      T = Tg;
      continue;
    }
    step(t, d, r);
  }
  endRun(true);

  function step(t: number, d: number, r: number): void {
    const isShort = r < SHORT_MAX;
    const meas = isShort ? 2 * d : d;
    T += TRACK_GAIN * (meas - T);
    if (T < Tmin) T = Tmin;
    else if (T > Tmax) T = Tmax;
    if (phase === 0) {
      if (isShort) {
        unknown.push(t);
        if (unknown.length > 66) unknown.splice(0, 2);
      } else {
        // A whole-period interval spans a 0 cell: the edge before it is a boundary.
        const m = unknown.length - 1; // half periods before it
        let j = m % 2 === 0 ? 0 : 1;
        for (; j + 2 <= m; j += 2) push(1, unknown[j]!, unknown[j + 1]!, unknown[j + 2]!);
        push(0, last, NaN, t);
        phase = 1;
        unknown.length = 0;
      }
    } else if (phase === 1) {
      if (isShort) {
        pendingT0 = last;
        pendingMid = t;
        phase = 2;
      } else {
        push(0, last, NaN, t);
      }
    } else {
      if (isShort) {
        push(1, pendingT0, pendingMid, t);
        phase = 1;
      } else {
        // A whole period right after a half: the phase was wrong. The edge before this interval is a boundary.
        endRun(false);
        push(0, last, NaN, t);
        phase = 1;
      }
    }
    last = t;
  }

  return { val, t0, tMid, t1, run, count: nb };
}

// ---------------------------------------------------------------------------------------------------------
// 4. Frames

interface RawFrame {
  fields: TimecodeFields;
  dropFrame: boolean;
  colorFrame: boolean;
  userBits: string;
  start: number;
  end: number;
  reverse: boolean;
}

const HEX = '0123456789ABCDEF';

function readFrame(bits: Bits, a: number, reverse: boolean): RawFrame | null {
  const bit = (k: number): number => bits.val[reverse ? a + 79 - k : a + k]!;
  const num = (at: number, width: number): number => {
    let v = 0;
    for (let i = 0; i < width; i++) v |= bit(at + i) << i;
    return v;
  };
  const fu = num(0, 4);
  const ft = num(8, 2);
  const su = num(16, 4);
  const st = num(24, 3);
  const mu = num(32, 4);
  const mt = num(40, 3);
  const hu = num(48, 4);
  const ht = num(56, 2);
  if (fu > 9 || su > 9 || st > 5 || mu > 9 || mt > 5 || hu > 9) return null;
  const frames = ft * 10 + fu;
  const hours = ht * 10 + hu;
  if (frames > 29 || hours > 23) return null;
  let ub = '';
  for (const at of [4, 12, 20, 28, 36, 44, 52, 60]) ub += HEX[num(at, 4)]!;

  // Fit all edge times of the frame against their half-bit index (file order).
  const hs: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < 80; i++) {
    const b = a + i;
    hs.push(2 * i);
    ts.push(bits.t0[b]!);
    if (bits.val[b] === 1) {
      const tm = bits.tMid[b]!;
      if (Number.isFinite(tm)) {
        hs.push(2 * i + 1);
        ts.push(tm);
      }
    }
  }
  const tEnd = bits.t1[a + 79]!;
  if (Number.isFinite(tEnd)) {
    hs.push(160);
    ts.push(tEnd);
  }
  const fit = robustLine(hs, ts);
  if (!fit) return null;
  return {
    fields: { hours, minutes: mt * 10 + mu, seconds: st * 10 + su, frames },
    dropFrame: bit(10) === 1,
    colorFrame: bit(11) === 1,
    userBits: ub,
    start: fit.c,
    end: fit.c + 160 * fit.m,
    reverse,
  };
}

function lineFit(hs: number[], ts: number[], use: (i: number) => boolean): { c: number; m: number } | null {
  let n = 0;
  let sh = 0;
  let st = 0;
  for (let i = 0; i < hs.length; i++) {
    if (!use(i)) continue;
    n++;
    sh += hs[i]!;
    st += ts[i]!;
  }
  if (n < 3) return null;
  const mh = sh / n;
  const mt = st / n;
  let shh = 0;
  let sht = 0;
  for (let i = 0; i < hs.length; i++) {
    if (!use(i)) continue;
    const dh = hs[i]! - mh;
    shh += dh * dh;
    sht += dh * (ts[i]! - mt);
  }
  if (!(shh > 0)) return null;
  const m = sht / shh;
  return { c: mt - m * mh, m };
}

/** Least squares, then once more without the points far off the line. */
function robustLine(hs: number[], ts: number[]): { c: number; m: number } | null {
  const first = lineFit(hs, ts, () => true);
  if (!first) return null;
  const res = hs.map((h, i) => Math.abs(ts[i]! - (first.c + first.m * h)));
  const sorted = [...res].sort((p, q) => p - q);
  const mad = sorted[Math.floor(sorted.length / 2)]!;
  const limit = Math.max(0.5, 5 * 1.4826 * mad, 0.05 * first.m);
  if (!res.some((r) => r > limit)) return first;
  return lineFit(hs, ts, (i) => res[i]! <= limit) ?? first;
}

function findFrames(bits: Bits): RawFrame[] {
  const out: RawFrame[] = [];
  let reg = 0;
  let runStart = 0;
  for (let j = 0; j < bits.count; j++) {
    if (j === 0 || bits.run[j] !== bits.run[j - 1]) {
      runStart = j;
      reg = 0;
    }
    reg = ((reg << 1) | bits.val[j]!) & 0xffff;
    if (j - runStart < 15) continue;
    if (reg === SYNC_FORWARD && j - runStart >= 79) {
      const f = readFrame(bits, j - 79, false);
      if (f) out.push(f);
    } else if (reg === SYNC_REVERSE) {
      const a = j - 15;
      const b = a + 79;
      if (b < bits.count && bits.run[b] === bits.run[a]) {
        const f = readFrame(bits, a, true);
        if (f) out.push(f);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// 5. Rate, continuity, dropouts

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Keep frames that touch a neighbour: an isolated "frame" is far likelier to be noise than LTC. */
function confirmed(frames: RawFrame[]): RawFrame[] {
  const adj = (p: RawFrame, q: RawFrame) => Math.abs(q.start - p.end) < 0.1 * (p.end - p.start);
  return frames.filter((f, i) => {
    const prev = frames[i - 1];
    const next = frames[i + 1];
    return (prev !== undefined && adj(prev, f)) || (next !== undefined && adj(f, next));
  });
}

function detectRate(frames: RawFrame[], fs: number, frameDur: number): LtcRate {
  const fpsMeasured = fs / frameDur;
  let maxFrame = 0;
  const votes = new Map<number, number>();
  let dfFlags = 0;
  let dfSequence = false;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    maxFrame = Math.max(maxFrame, f.fields.frames);
    if (f.dropFrame) dfFlags++;
    const p = frames[i - 1];
    if (!p || p.reverse !== f.reverse || Math.abs(f.start - p.end) > 0.1 * frameDur) continue;
    const [a, b] = f.reverse ? [f.fields, p.fields] : [p.fields, f.fields]; // a precedes b in timecode order
    if (b.frames === 0 && a.frames > 0 && b.seconds === (a.seconds + 1) % 60) {
      votes.set(a.frames + 1, (votes.get(a.frames + 1) ?? 0) + 1);
    }
    if (a.seconds === 59 && a.frames === 29 && b.seconds === 0 && b.frames === 2 && b.minutes % 10 !== 0) dfSequence = true;
  }
  let nominal: number | null = null;
  let bestVotes = 0;
  for (const [fps, v] of votes) {
    if ((fps === 24 || fps === 25 || fps === 30) && v > bestVotes) {
      nominal = fps;
      bestVotes = v;
    }
  }
  if (nominal === null) {
    const cands = [24, 25, 30].filter((c) => c > maxFrame);
    cands.sort((a, b) => Math.abs(Math.log(fpsMeasured / a)) - Math.abs(Math.log(fpsMeasured / b)));
    nominal = cands[0] ?? 30;
  }
  const closer = (a: LtcRate, b: LtcRate): LtcRate =>
    Math.abs(Math.log(fpsMeasured / realFps(a))) <= Math.abs(Math.log(fpsMeasured / realFps(b))) ? a : b;
  if (nominal === 25) return '25';
  if (nominal === 24) return closer('23.976', '24');
  if (dfFlags * 2 > frames.length || dfSequence) return '29.97df';
  return closer('29.97', '30');
}

export function decodeLtc(samples: Float32Array, sampleRate: number, opts: LtcDecodeOptions = {}): LtcDecodeResult {
  const forced: LtcRate | null = opts.fps && opts.fps !== 'auto' ? opts.fps : null;
  const empty: LtcDecodeResult = { sampleRate, rate: forced, frames: [], discontinuities: [], dropouts: [] };
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate) || samples.length < 16) return empty;
  const fs = sampleRate;

  const p = estimatePole(samples, levelEvents(samples, fs), fs);
  const edges = detectEdges(samples, fs, p);
  if (edges.count < 16) return empty;
  const times = edges.t;
  const Tg = globalBitPeriod(times, edges.count, fs);
  if (Tg === null) return empty;
  const bits = decodeBits(times, edges.count, Tg);
  if ((globalThis as any).DBG) { let br = ""; for (let j = 1; j < bits.count; j++) if (bits.run[j] !== bits.run[j - 1]) br += ` ${j}@${bits.t0[j]!.toFixed(1)}`; console.log("breaks", br); }
  if ((globalThis as any).DBG) { const r: string[] = []; for (let k = 1; k < edges.count; k++) if (times[k]! > +(process.env.A ?? 0) && times[k]! < +(process.env.B ?? 0)) r.push(times[k]!.toFixed(2) + ":" + ((times[k]! - times[k - 1]!) / Tg).toFixed(2)); console.log("p", p, "Tg", Tg, r.join(" ")); }
  const raw = confirmed(findFrames(bits).sort((a, b) => a.start - b.start));
  if (raw.length === 0) return empty;

  const frameDur = median(raw.map((f) => f.end - f.start));
  const rate = forced ?? detectRate(raw, fs, frameDur);
  const df = isDropFrame(rate);

  const frames: LtcFrame[] = raw.map((f) => ({
    timecode: formatTimecode(f.fields, df),
    hours: f.fields.hours,
    minutes: f.fields.minutes,
    seconds: f.fields.seconds,
    frames: f.fields.frames,
    dropFrame: f.dropFrame,
    colorFrame: f.colorFrame,
    userBits: f.userBits,
    sampleStart: f.start,
    sampleEnd: f.end,
    reverse: f.reverse,
  }));

  const discontinuities: LtcDiscontinuity[] = [];
  const dropouts: LtcDropout[] = [];
  if (frames[0]!.sampleStart > 2 * frameDur) dropouts.push({ fromSample: 0, toSample: frames[0]!.sampleStart });
  for (let i = 1; i < frames.length; i++) {
    const p = frames[i - 1]!;
    const f = frames[i]!;
    const gap = f.sampleStart - p.sampleEnd;
    if (gap > 2 * frameDur) dropouts.push({ fromSample: p.sampleEnd, toSample: f.sampleStart });
    const dir = f.reverse ? -1 : 1;
    let kind: LtcDiscontinuity['kind'] | null = null;
    if (p.reverse !== f.reverse) kind = 'reverse';
    else {
      const k = Math.max(1, Math.round((f.sampleStart - p.sampleStart) / frameDur));
      const delta = frameDelta(fieldsToFrames(raw[i - 1]!.fields, rate), fieldsToFrames(raw[i]!.fields, rate), rate);
      if (delta !== dir * k) kind = delta * dir < 0 ? 'reverse' : 'jump';
    }
    if (kind) discontinuities.push({ atSample: f.sampleStart, from: p.timecode, to: f.timecode, kind });
  }
  const last = frames[frames.length - 1]!;
  if (samples.length - last.sampleEnd > 2 * frameDur) dropouts.push({ fromSample: last.sampleEnd, toSample: samples.length });

  return { sampleRate, rate, frames, discontinuities, dropouts };
}
