/**
 * SMPTE 12M linear timecode (LTC) decoder.
 *
 * Pipeline:
 *  1. Coupling. The recording is modelled as the LTC square wave s through a first-order high-pass,
 *     x[n] = p x[n-1] + (s[n] - s[n-1]). The pole p is estimated from the quiet stretches between edges: ~1 for
 *     a DC-coupled square wave, ~0.96 behind a 300 Hz high-pass at 48 kHz, ~0 for AC-coupled recordings whose
 *     edges have become bare spikes (the Zoom F6 takes). The innovation y[n] = x[n] - p x[n-1] is then the
 *     derivative of the square wave: one lobe per transition, whatever the coupling, level, DC offset or polarity.
 *  2. Edges. Lobes of y (lightly smoothed) are found against a running peak envelope; each one's time is the
 *     centroid of the lobe, to a small fraction of a sample. Lobes far below the file's loud level are silence or
 *     hiss; of two consecutive lobes of one sign only the stronger is an edge (transitions alternate), unless a
 *     weak lobe of the other sign lies between them, or, for two of like strength a bit or more apart, the samples
 *     between them step the other way: that is a transition recorded low. It is placed relative to the signal
 *     between its neighbours, at the place on the bit grid where the samples step most (placeWeakEdges); when it
 *     was found so, the coupling pole is measured again between the transitions found.
 *  3. Biphase-mark bits. At each cell boundary the next interval is a whole cell (0) or, with the next one, two
 *     halves (1), judged against an adaptively tracked bit period (varispeed). A level held for a few cells is one
 *     long 0; longer gaps end a run. A file that begins inside LTC gets its first cell back.
 *  4. Frames. The 16-bit sync word 0011 1111 1111 1101 closes a forward frame; read backwards
 *     (1011 1111 1111 1100) it opens a reverse one. BCD fields are validated, and each frame's start and end come
 *     from a least-squares line through all its edge times against their half-bit index (so a frame position is
 *     the average of ~100-160 edges). A frame must touch a neighbour: a lone "frame" is taken for noise. Where no
 *     frame was read around a weak transition that had two places to go, the bits are read again with the other.
 *  5. Rate (24/25/30 from frame-number rollovers, the highest frame number and the bit rate; drop-frame from the
 *     flag and the label sequence; 23.976 vs 24, 29.97 vs 30 and 29.97 DF vs 30 DF from the measured frame
 *     duration), discontinuities, dropouts and the level.
 * Steps 1-4 run on windows of about a million samples (LtcDecoder), so a recording of any length streams through;
 * step 5 runs once over the frames of all windows.
 */
import {
  fieldsToFrames,
  formatTimecode,
  frameDelta,
  realFps,
  isDropFrame,
  nominalFps,
  rateName,
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
  /**
   * Sub-sample position of the boundary that closes the frame: the next frame's sampleStart when the next frame
   * follows without a gap, else the end of this frame's own fit.
   */
  sampleEnd: number;
  /** The frame was read backwards (tape or file playing in reverse). */
  reverse: boolean;
}

export interface LtcDiscontinuity {
  /** sampleStart of the first frame after the break. */
  atSample: number;
  from: string;
  to: string;
  /**
   * 'reverse': the playing direction changed (LTC read backwards after forwards, or the other way: a tape or file
   * played in reverse); 'jump': the timecode broke its sequence in either direction while playing on.
   */
  kind: 'jump' | 'reverse';
}

export interface LtcDropout {
  fromSample: number;
  toSample: number;
  /** Frame periods without a readable frame. */
  frames: number;
}

export interface LtcDecodeResult {
  sampleRate: number;
  /** Detected (or forced) rate; null when no frame was decoded and none was forced. */
  rate: LtcRate | null;
  frames: LtcFrame[];
  discontinuities: LtcDiscontinuity[];
  /** Stretches without LTC: before the first frame, between frames (frames missing), after the last. */
  dropouts: LtcDropout[];
  /** Every frame from the first to the last was read, in sequence: no discontinuity and no frame missing between. */
  continuous: boolean;
  /** The LTC's level: the median over frames of half its peak-to-peak swing, dBFS; null without frames. */
  levelDbfs: number | null;
  /** Sentences for the user: a forced rate the signal contradicts. */
  warnings: string[];
  /** Frames decoded, and the first and last of them (also when `frames` was not asked for). */
  frameCount: number;
  first: LtcFrame | null;
  last: LtcFrame | null;
}

export interface LtcDecodeOptions {
  /** Force a rate, or 'auto' (default). */
  fps?: LtcRate | 'auto';
  /**
   * false: leave `frames` empty (first, last and frameCount still say what the run holds), so that a recording of
   * any length decodes in bounded memory. Default true.
   */
  frames?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Tunables

/** Comparator threshold (pole estimation), and least edge-lobe strength, as a fraction of the running peak. */
const HYSTERESIS = 0.4;
/**
 * Least strength of a weak lobe, as a fraction of the running peak strength. A weak lobe is kept only where the
 * strong ones around it break the alternation of edge directions (two rising edges in a row): a real transition
 * recorded at a third of its neighbours' height (-10 dB) fills exactly such a hole, while noise and ringing lobes
 * between correctly alternating edges are never used.
 */
const WEAK = 0.12;
/** Dead zone around zero that separates the lobes of the smoothed innovation, as a fraction of its running peak. */
const DEAD_ZONE = 0.15;
/** Edges weaker than this fraction of the file's loud level are ignored (silence, hiss). */
const SILENCE_FRACTION = 0.2;
/** A transition weaker than this fraction of both its neighbours is placed as a weak one (placeWeakEdges). */
const REFINE = 0.5;
/** Two strong lobes of one direction this close in strength (weaker / stronger) are both transitions. */
const ALIKE = 0.5;
/** How many single moves secondChoices tries in a stretch without frames (besides moving them all). */
const SECOND_CHOICES = 4;
/** A pole measured between the transitions found that differs by more than this from the first one finds them again. */
const POLE_AGAIN = 0.01;
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
const LONG_MIN = 0.6;
const LONG_MAX = 1.4;
/** Largest interval that may still be one half of a 1 cell when paired with its neighbour. */
const PAIR_MAX = 0.85;
/** Bit-period tracking gain per interval. */
const TRACK_GAIN = 0.1;
/**
 * Longest interval, in bit periods, still read as one (stretched) 0 cell inside a run. A generator that jumps
 * holds its output for a moment (an iOS generator stretched one frame to 2233 samples against 2000, a hold of about
 * nine cells); reading the hold as a 0, as libltc does, keeps the frame after the jump. Longer holds end the run.
 */
const STRETCH_MAX = 12;

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

/**
 * Working arrays of a window, kept from one window to the next. Each window needs several megabytes of them; made
 * afresh, they are garbage the collector returns late and the allocator keeps, and a long recording's memory grew
 * with its length (issue 14). A window is decoded synchronously from start to end and nothing it returns refers
 * to these arrays, so one set serves every window (and every decoder).
 */
const POOL = new Map<string, F64 | I32 | Float64Array | Int32Array | Int8Array | Uint8Array>();

/** A growable array from the pool, emptied. */
function pooled<T extends F64 | I32>(key: string, make: () => T): T {
  let g = POOL.get(key) as T | undefined;
  if (!g) POOL.set(key, (g = make()));
  g.n = 0;
  return g;
}

/** A typed array of n elements from the pool (contents left over from an earlier window). */
function reuse<T extends Float64Array | Int32Array | Int8Array | Uint8Array>(key: string, n: number, make: (n: number) => T): T {
  let a = POOL.get(key) as T | undefined;
  if (!a || a.length < n) POOL.set(key, (a = make(Math.max(1024, Math.ceil(n * 1.25)))));
  return a.subarray(0, n) as T;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Coupling (the pole p) and 2. edges

interface LevelEvents {
  /** First sample past the threshold. */
  index: Int32Array;
  /** Mid level at the event. */
  mid: Float64Array;
  count: number;
  /** Largest excursion from the mid level. */
  peak: number;
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
  const idx = pooled('events.index', () => new I32(1024));
  const mids = pooled('events.mid', () => new F64(1024));
  const aMid = 1 - Math.exp(-1 / (fs * MID_TAU));
  const dEnv = Math.exp(-1 / (fs * ENV_TAU));
  // The pole needs a few thousand quiet stretches, not the whole file: read at most 16 one-second chunks spread
  // over it (the whole file when it is short).
  const chunk = Math.max(1, Math.round(fs));
  const chunks = Math.ceil(n / chunk);
  const step = chunks <= 16 ? 1 : chunks / 16;
  let peak = 0;
  for (let q = 0; q < Math.min(chunks, 16); q++) {
    const from = Math.floor(q * step) * chunk;
    const to = Math.min(n, from + chunk);
    let mid = initialMid(x.subarray(from, to), fs);
    let env = 0;
    let state = 0;
    for (let i = from; i < to; i++) {
      let v = x[i]!;
      if (!Number.isFinite(v)) v = mid;
      mid += (v - mid) * aMid;
      const dev = v - mid;
      const mag = dev < 0 ? -dev : dev;
      env = mag > env ? mag : env * dEnv;
      if (mag > peak) peak = mag;
      const th = HYSTERESIS * env;
      if (dev > th ? state !== 1 : dev < -th && state !== -1) {
        idx.push(i);
        mids.push(mid);
        state = dev > 0 ? 1 : -1;
      }
    }
  }
  return { index: idx.a.subarray(0, idx.n), mid: mids.a.subarray(0, mids.n), count: idx.n, peak };
}

/** The transitions found as level events (the first sample after each, with the mid level there), for estimatePole. */
function edgeEvents(x: Float32Array, fs: number, edges: Edges, peak: number): LevelEvents {
  const index = reuse('events.index2', edges.count, (n) => new Int32Array(n));
  const mid = reuse('events.mid2', edges.count, (n) => new Float64Array(n));
  const aMid = 1 - Math.exp(-1 / (fs * MID_TAU));
  let m = initialMid(x, fs);
  let i = 0;
  for (let e = 0; e < edges.count; e++) {
    const at = Math.min(x.length, Math.max(0, Math.round(edges.t[e]! + 0.5)));
    for (; i < at; i++) {
      const v = x[i]!;
      if (Number.isFinite(v)) m += (v - m) * aMid;
    }
    index[e] = at;
    mid[e] = m;
  }
  return { index, mid, count: edges.count, peak };
}

/**
 * Least-squares pole p of x[n] = p x[n-1] over the quiet stretches between edges, clamped to [0, 1]: ~1 for a
 * DC-coupled square wave, exp(-2 pi fc / fs) behind a first-order high-pass at fc, ~0 when only spikes are left.
 */
function estimatePole(x: Float32Array, ev: LevelEvents, fs: number, quiet = false): number {
  // Samples this close to an edge event may still belong to the edge (its lobe spans a sample or two, more after
  // resampling); the pair (x[i-1], x[i]) must both be clear of it.
  const guard = Math.max(3, Math.round(fs * 60e-6));
  const minGap = (fs / (2 * MAX_BIT_RATE)) * 0.6;
  const maxGap = (fs / MIN_BIT_RATE) * 1.5;
  // Look at up to ~4000 gaps spread over the file.
  const stride = Math.max(1, Math.floor(ev.count / 4000));
  // Least squares is sum x[n] x[n-1] / sum x[n-1]^2, but white noise added after the coupling inflates the
  // denominator; sum x[n] x[n-2] / sum x[n-1] x[n-2] (= p^2 / p) is free of it, and is used wherever the decay is
  // strong enough to measure (for spikes, p near 0, the plain estimate serves). Between transitions already found
  // (`quiet`) the lag is 3 (p^3 / p^2), free even of noise correlated from one sample to the next, as resampling
  // leaves it; the first estimate keeps the shorter lag, which the short gaps of low sample rates need.
  const lag = quiet ? 3 : 2;
  // The decay is measured gap by gap and the median taken: a gap that hides a transition the comparator missed (one
  // recorded well below its neighbours) is no quiet stretch, and pooled sums would let it drag the pole down. Between
  // transitions already found (`quiet`), every gap is quiet and the pooled sums are used: a median of ratios over a
  // few samples each is biased by the noise (a DC-coupled recording read 0.98 at 10 dB SNR).
  let r0 = 0;
  let r1 = 0;
  let r1All = 0;
  let r2All = 0;
  let used = 0;
  const perGap: number[] = [];
  for (let k = 0; k + 1 < ev.count; k += stride) {
    const i0 = ev.index[k]!;
    const i1 = ev.index[k + 1]!;
    const gap = i1 - i0;
    if (gap < minGap || gap > maxGap) continue;
    const m = ev.mid[k]!;
    let r1b = 0;
    let r2 = 0;
    for (let i = i0 + guard + lag; i <= i1 - guard; i++) {
      const a = x[i - lag]! - m;
      const b = x[i - 1]! - m;
      const c = x[i]! - m;
      if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) continue;
      r0 += b * b;
      r1 += b * c;
      r1b += a * b;
      r2 += a * c;
      used++;
    }
    if (r1b > 0) perGap.push(r2 / r1b);
    r1All += r1b;
    r2All += r2;
  }
  // Too few quiet samples (low sample rate: edges a couple of samples apart): assume a DC-coupled square wave.
  if (used < 200 || !(r0 > 0)) return 1;
  // Next to nothing between the edges: bare spikes (a differentiated signal), whatever the ratio of those crumbs.
  if (Math.sqrt(r0 / used) < 0.03 * ev.peak) return 0;
  const p1 = r1 / r0;
  const p = p1 > 0.5 && perGap.length > 0 ? (quiet ? (r1All > 0 ? r2All / r1All : p1) : median(perGap)) : p1;
  return Math.min(1, Math.max(0, p));
}

interface Edges {
  /** Sub-sample time of each transition. */
  t: Float64Array;
  /** Direction of each transition (1 rising, -1 falling), and the strength of its lobe (0 if inferred). */
  sign: Int8Array;
  strength: Float64Array;
  /** 1 for a transition found between two strong ones of one direction (a weak lobe, or inferred from the samples). */
  weak: Uint8Array;
  /** For a weak transition placed at one of two places on the bit grid, the other (NaN otherwise). */
  alt: Float64Array;
  count: number;
}

/** Accepted lobes waiting until the samples after their peak are in, then their centroid times. */
class LobeTimer {
  readonly times = pooled('lobes.times', () => new F64(1024));
  readonly signs = pooled('lobes.signs', () => new I32(1024));
  readonly strength = pooled('lobes.strength', () => new F64(1024));
  /** 1 for a lobe below HYSTERESIS of the running peak strength (a candidate only). */
  readonly weak = pooled('lobes.weak', () => new I32(1024));
  /** Largest lobe strength of each 10 ms block (for the loud level). */
  readonly blockPeaks: number[] = [];
  private bp = 0;
  private blockEnd: number;
  private qPeak = new I32(64);
  private qSign = new I32(64);
  private qStr = new F64(64);
  private qWeak = new I32(64);
  private qZt = new F64(64);
  private qHead = 0;

  /** The innovation under the timing smoothing (Wt), by the index it is centred on; R long. */
  readonly yRing: Float64Array;

  constructor(
    private readonly W: number,
    private readonly Wt: number,
    private readonly R: number,
    private readonly offset: number,
    private readonly block: number,
  ) {
    this.yRing = new Float64Array(R);
    this.blockEnd = block;
  }

  /** Queues a lobe (zt: its centroid under the detection smoothing); returns when it is due. */
  accept(peakAt: number, sign: number, str: number, weak: boolean, zt: number): number {
    if (this.qHead === this.qPeak.n) {
      this.qHead = 0;
      this.qPeak.n = 0;
      this.qSign.n = 0;
      this.qStr.n = 0;
      this.qWeak.n = 0;
      this.qZt.n = 0;
    }
    this.qPeak.push(peakAt);
    this.qSign.push(sign);
    this.qStr.push(str);
    this.qWeak.push(weak ? 1 : 0);
    this.qZt.push(zt);
    return peakAt + this.W;
  }

  /** Times the lobes due at sample c (the newest in the ring); returns when the next one is due. */
  finalizeDue(c: number): number {
    while (this.qHead < this.qPeak.n && this.qPeak.a[this.qHead]! + this.W <= c) this.finalize(c);
    return this.qHead < this.qPeak.n ? this.qPeak.a[this.qHead]! + this.W : Infinity;
  }

  finalizeAll(last: number): void {
    while (this.qHead < this.qPeak.n) this.finalize(last);
    this.blockPeaks.push(this.bp);
  }

  /**
   * Times a lobe: the centroid of the lightly smoothed innovation (Wt) around its largest sample near the peak
   * found with the detection smoothing (W >= Wt, which would drag an asymmetric spike's time towards its tail).
   */
  private finalize(last: number): void {
    const { W, Wt, R, yRing } = this;
    const pk = this.qPeak.a[this.qHead]!;
    const sg = this.qSign.a[this.qHead]!;
    const str = this.qStr.a[this.qHead]!;
    const weak = this.qWeak.a[this.qHead]!;
    const zt = this.qZt.a[this.qHead]!;
    this.qHead++;
    // The timing values are known up to index last + W - Wt (both smoothings are centred; the wider lags more).
    const yLast = last + W - Wt;
    let at = pk;
    let best = -Infinity;
    for (let j = Math.max(0, pk - W + 1, yLast - R + 1); j <= Math.min(pk + W - 1, yLast); j++) {
      const v = sg * yRing[j % R]!;
      if (v > best) {
        best = v;
        at = j;
      }
    }
    let lo = at;
    while (lo - 1 >= 0 && at - lo < Wt && lo - 1 > yLast - R && sg * yRing[(lo - 1) % R]! > 0) lo--;
    let hi = at;
    while (hi + 1 <= yLast && hi - at < Wt && sg * yRing[(hi + 1) % R]! > 0) hi++;
    let w = 0;
    let wt = 0;
    for (let j = lo; j <= hi; j++) {
      const v = sg * yRing[j % R]!;
      w += v;
      wt += v * j;
    }
    // A weak lobe stands barely above the noise, which under the narrow timing smoothing can outweigh it and pull
    // its centroid by several samples: it is timed under the wider detection smoothing instead, where it stands
    // clear (a weak edge only has to land in the right half bit; the strong ones carry the frame's position).
    const t = (weak ? zt : w > 0 ? wt / w : pk) - this.offset;
    while (t >= this.blockEnd) {
      this.blockPeaks.push(this.bp);
      this.bp = 0;
      this.blockEnd += this.block;
    }
    if (!weak && str > this.bp) this.bp = str;
    this.times.push(t);
    this.signs.push(sg);
    this.strength.push(str);
    this.weak.push(weak);
  }
}

/** The streaming part of detectEdges: innovation, triangle smoothing, lobes. */
class EdgeScanner {
  readonly W: number;
  readonly Wt: number;
  readonly shift: number;
  private readonly R: number;
  private readonly aMid: number;
  private readonly dEnv: number;
  private readonly envRate: number;
  private readonly yBuf: Float64Array;
  private readonly s1Buf: Float64Array;
  private readonly out: LobeTimer;
  private s1 = 0;
  private s2 = 0;
  private u1 = 0;
  private u2 = 0;
  private readonly uBuf: Float64Array;
  private readonly u1Buf: Float64Array;
  private kt = 0; // i % Wt
  private mid: number;
  private prev: number;
  private env = 0;
  private strEnv = 0;
  private strAt = 0;
  // The lobe being read: its sign, dead-zone level, peak, and strength so far.
  private open = false;
  private lsign = 0;
  private cut = 0;
  private lpeak = 0;
  private lpeakAt = 0;
  private lprev = 0;
  private lstr = 0;
  /** The lobe's weight and weighted index above the dead zone (its centroid under the detection smoothing). */
  private lw = 0;
  private lwt = 0;
  /** When the oldest accepted lobe has its W samples after the peak. */
  private due = Infinity;
  private last = -1;
  private k = 0; // i % W
  private yc: number; // (i - (Wt - 1)) mod R: the index the timing smoothing is centred on

  constructor(
    private readonly x: Float32Array,
    fs: number,
    private readonly p: number,
  ) {
    // Timing smooths over about 60 us (Wt). Detection smooths a square wave's edges over about 140 us (a little
    // less below 30 kHz, where the lobes of the densest LTC must stay apart): white noise 10 dB below the LTC then
    // leaves no lobe near an edge's height. Bare spikes are narrow and keep the narrow window.
    this.Wt = Math.max(1, Math.round(fs / 16000));
    this.W = p >= 0.5 ? Math.max(1, Math.round(fs / (fs < 30000 ? 9000 : 7000))) : this.Wt;
    this.shift = this.W - 1;
    this.R = 2 * this.W + 64;
    this.aMid = 1 - Math.exp(-1 / (fs * MID_TAU));
    this.dEnv = Math.exp(-1 / (fs * ENV_TAU));
    this.envRate = 1 / (fs * ENV_TAU);
    this.yBuf = new Float64Array(this.W);
    this.s1Buf = new Float64Array(this.W);
    this.yc = (this.R - (this.Wt - 1)) % this.R;
    this.uBuf = new Float64Array(this.Wt);
    this.u1Buf = new Float64Array(this.Wt);
    this.mid = initialMid(x, fs);
    this.prev = x.length > 0 && Number.isFinite(x[0]!) ? x[0]! : this.mid;
    // Where y[n] sits: between n-1 and n for a step-like signal (p near 1), on n for pure spikes (p near 0), where
    // the sample itself is the derivative.
    const offset = p >= 0.5 ? 0.5 : p;
    this.out = new LobeTimer(this.W, this.Wt, this.R, offset, Math.max(16, Math.round(fs * 0.01)));
  }

  scan(from: number, to: number): void {
    const { x, p, W, Wt, shift, R, aMid, dEnv, envRate, yBuf, s1Buf, uBuf, u1Buf, out } = this;
    const n = x.length;
    const yr = out.yRing;
    let { s1, s2, u1, u2, mid, prev, env, strEnv, strAt, open, lsign, cut, lpeak, lpeakAt, lprev, lstr, lw, lwt, due, last, k, kt, yc } = this;
    for (let i = from; i < to; i++) {
      let yi = 0;
      if (i < n) {
        let v = x[i]!;
        if (v !== v || v === Infinity || v === -Infinity) v = mid;
        mid += (v - mid) * aMid;
        yi = v - mid - p * (prev - mid);
        prev = v;
      }
      // Timing smoothing (triangle Wt wide), stored by its centred index i - (Wt - 1).
      u1 += yi - uBuf[kt]!;
      uBuf[kt] = yi;
      u2 += u1 - u1Buf[kt]!;
      u1Buf[kt] = u1;
      if (++kt === Wt) kt = 0;
      yr[yc] = u2 / Wt;
      if (++yc === R) yc = 0;
      s1 += yi - yBuf[k]!;
      yBuf[k] = yi;
      s2 += s1 - s1Buf[k]!;
      s1Buf[k] = s1;
      if (++k === W) k = 0;
      const c = i - shift;
      if (c < 0) continue;
      const z = s2 / W;
      last = c;
      if (c >= due) due = out.finalizeDue(c);
      const a = z < 0 ? -z : z;
      env = a > env ? a : env * dEnv;
      if (open) {
        const v = lsign > 0 ? z : -z;
        if (v > cut) {
          if (v > lpeak) {
            lpeak = v;
            lpeakAt = c;
          }
          if (v + lprev > lstr) lstr = v + lprev;
          lprev = v;
          lw += v - cut;
          lwt += (v - cut) * c;
          continue;
        }
        open = false;
        strEnv = Math.max(lstr, strEnv * Math.exp(-(c - strAt) * envRate));
        strAt = c;
        if (lstr >= WEAK * strEnv) due = Math.min(due, out.accept(lpeakAt, lsign, lstr, lstr < HYSTERESIS * strEnv, lw > 0 ? lwt / lw : lpeakAt));
      }
      if (a > DEAD_ZONE * env && a > 0) {
        open = true;
        lsign = z > 0 ? 1 : -1;
        cut = DEAD_ZONE * env;
        lpeak = a;
        lpeakAt = c;
        lprev = a;
        lstr = a;
        lw = a - cut;
        lwt = (a - cut) * c;
      }
    }
    Object.assign(this, { s1, s2, u1, u2, mid, prev, env, strEnv, strAt, open, lsign, cut, lpeak, lpeakAt, lprev, lstr, lw, lwt, due, last, k, kt, yc });
  }

  finish(): LobeTimer {
    if (this.open) {
      const strEnv = Math.max(this.lstr, this.strEnv * Math.exp(-(this.last + 1 - this.strAt) * this.envRate));
      if (this.lstr >= WEAK * strEnv) this.out.accept(this.lpeakAt, this.lsign, this.lstr, this.lstr < HYSTERESIS * strEnv, this.lw > 0 ? this.lwt / this.lw : this.lpeakAt);
    }
    this.out.finalizeAll(this.last);
    return this.out;
  }
}

/**
 * Transitions from the innovation y[n] = (x[n] - m) - p (x[n-1] - m), which is the derivative of the underlying
 * square wave whatever the coupling: each transition is one lobe of y, its sign the edge direction.
 *  - Detection runs on z, y smoothed by a triangle W samples wide on each side (W ~ fs / 7 kHz for a square wave,
 *    fs / 9 kHz below 30 kHz so the lobes of the densest LTC stay apart; fs / 16 kHz for bare spikes). A lobe is a run of z of one sign
 *    above a dead zone (15 % of the running peak of |z|). Its strength is the largest sum of two adjacent samples
 *    (robust where an edge straddles two samples and its peak is not); it counts as an edge when that reaches
 *    40 % of the running peak strength, and as a weak candidate from 12 %.
 *  - Timing: the centroid of y under a narrower triangle (Wt ~ fs / 16 kHz), over the samples of the lobe's sign
 *    within Wt of its largest one. Sub-sample, and exact for symmetric edges.
 *  - Lobes far below the file's loud level are dropped (silence, hiss), and of two consecutive lobes of one sign
 *    only the stronger is kept: transitions alternate, so the other is noise, ringing, or the last wobble of the
 *    noise before the LTC started.
 */
function detectEdges(x: Float32Array, fs: number, p: number): Edges {
  const scanner = new EdgeScanner(x, fs, p);
  // In chunks: a short hot method is optimised after a few calls, where one long loop would run on-stack-replaced
  // code two to three times slower.
  const end = x.length + scanner.shift;
  for (let from = 0; from < end; from += 32768) scanner.scan(from, Math.min(end, from + 32768));
  const { times, signs, strength, weak, blockPeaks } = scanner.finish();

  // Drop lobes far below the loud level, then keep the signs alternating: two strong lobes of one sign closer than
  // the longest LTC interval have lost the transition between them, which is the strongest weak lobe of the other
  // sign there if there is one; if not, the weaker of the two goes (farther apart, there was a gap, and both may
  // be real).
  const maxInterval = (1.5 * fs) / MIN_BIT_RATE;
  const minHalf = (0.8 * fs) / (2 * MAX_BIT_RATE);
  blockPeaks.sort((u, v) => u - v);
  const loud = blockPeaks[Math.floor(0.9 * (blockPeaks.length - 1))] ?? 0;
  const floor = SILENCE_FRACTION * loud;
  // (Room for a transition inferred between each pair of kept lobes.)
  const t = reuse('edges.t', 2 * times.n, (n) => new Float64Array(n));
  const sg = reuse('edges.sign', 2 * times.n, (n) => new Int8Array(n));
  const st = reuse('edges.strength', 2 * times.n, (n) => new Float64Array(n));
  const wk = reuse('edges.weak', 2 * times.n, (n) => new Uint8Array(n)).fill(0);
  let m = 0;
  let fill = -1; // the strongest weak lobe since the last kept edge whose sign differs from it
  for (let e = 0; e < times.n; e++) {
    const str = strength.a[e]!;
    const sgn = signs.a[e]!;
    if (weak.a[e]) {
      // A fill needs only half the silence floor: it is chosen by the strong edges around it, not by its level.
      if (!(str > floor / 2)) continue;
      if (m > 0 && sgn !== sg[m - 1] && (fill < 0 || str > strength.a[fill]!)) fill = e;
      continue;
    }
    if (!(str > floor)) continue;
    // (With a transition between them, the two strong ones may lie up to two of the longest intervals apart.)
    const gap = m > 0 && sg[m - 1] === sgn ? times.a[e]! - t[m - 1]! : Infinity;
    if (gap < 2 * maxInterval) {
      // A fill closer to either than the shortest half bit would make a glitch of two noise lobes, not a transition.
      if (fill >= 0 && Math.min(times.a[fill]! - t[m - 1]!, times.a[e]! - times.a[fill]!) >= minHalf) {
        t[m] = times.a[fill]!;
        sg[m] = signs.a[fill]!;
        st[m] = strength.a[fill]!;
        wk[m] = 1;
        m++;
        fill = -1;
        t[m] = times.a[e]!;
        sg[m] = sgn;
        st[m] = str;
        m++;
        continue;
      }
      // No lobe of the other sign between them stood out of the noise, yet a whole bit or more separates two
      // transitions of like strength: the one between them is where the samples step that way most clearly (placed
      // on the bit grid later). Of two unlike ones, the weaker is taken for noise or ringing, as before.
      const alike = Math.min(str, st[m - 1]!) >= ALIKE * Math.max(str, st[m - 1]!);
      const split = alike && gap > fs / MAX_BIT_RATE ? bestSplit(x, p, t[m - 1]!, times.a[e]!, -sgn) : null;
      if (split !== null) {
        t[m] = split;
        sg[m] = -sgn;
        st[m] = 0;
        wk[m] = 1;
        m++;
        t[m] = times.a[e]!;
        sg[m] = sgn;
        st[m] = str;
        m++;
        fill = -1;
        continue;
      }
      if (gap < maxInterval) {
        if (str > st[m - 1]!) {
          t[m - 1] = times.a[e]!;
          st[m - 1] = str;
          fill = -1; // the candidates seen so far now lie before the kept edge
        }
        continue;
      }
    }
    t[m] = times.a[e]!;
    sg[m] = sgn;
    st[m] = str;
    m++;
    fill = -1;
  }
  return { t: t.subarray(0, m), sign: sg.subarray(0, m), strength: st.subarray(0, m), weak: wk.subarray(0, m), alt: reuse('edges.alt', m, (n) => new Float64Array(n)), count: m };
}

/**
 * Places each weak transition again, relative to the signal between its neighbours. A weak edge's lobe is at the
 * mercy of the noise around it (at -10 dB under noise 10 dB down its centroid can be several samples off, and the
 * strongest weak lobe may be noise): between its two neighbours, ta and tb, biphase mark leaves room for it at
 * only a few places on the bit grid (the middle of a whole period or of two halves, or a half period from either
 * end of a period and a half), and the one where the samples step most in the edge's direction is taken. Its time
 * is then that grid point, which the strong edges around it fix far better than the weak edge could; the other
 * place is kept for secondChoices.
 */
function placeWeakEdges(x: Float32Array, p: number, edges: Edges, Tg: number): void {
  const { t, sign: sg, strength: st, weak, alt, count: m } = edges;
  alt.fill(NaN);
  for (let e = 1; e + 1 < m; e++) {
    // (A transition recorded low may also stand out just enough to pass for a strong one: far weaker than both its
    // neighbours, it is placed as a weak one.)
    if (!weak[e] && !(st[e]! < REFINE * Math.min(st[e - 1]!, st[e + 1]!))) continue;
    const ta = t[e - 1]!;
    const tb = t[e + 1]!;
    const g = (tb - ta) / Tg;
    const sign = sg[e]!;
    const cands = Math.abs(g - 1.5) < 0.25 ? [ta + (tb - ta) / 3, ta + (2 * (tb - ta)) / 3] : Math.abs(g - 1) < 0.25 || Math.abs(g - 2) < 0.3 ? [(ta + tb) / 2] : null;
    if (!cands) continue;
    let best = -Infinity;
    let chosen = NaN;
    for (const c of cands) {
      const score = stepScore(x, p, ta, tb, c, sign);
      if (score > best) {
        best = score;
        chosen = c;
      }
    }
    // (Too few samples between the neighbours to judge: the lobe's own time stands.)
    if (!Number.isFinite(chosen)) continue;
    if (cands.length > 1) alt[e] = cands[0] === chosen ? cands[1]! : cands[0]!;
    t[e] = chosen;
  }
}

/**
 * The samples between two edges at ta and tb, clear of their ramps, as the square wave: the innovation
 * (x[n] - p x[n-1]) summed, whatever the coupling. Returns the index of the first (u[0] is that sample) and the
 * count; u is scratch reused from call to call.
 */
function squareBetween(x: Float32Array, p: number, ta: number, tb: number): { lo: number; n: number; u: Float64Array } {
  const lo = Math.max(1, Math.ceil(ta + 2));
  const hi = Math.min(x.length - 1, Math.floor(tb - 1));
  const n = Math.max(0, hi - lo + 1);
  const u = reuse('step.u', n, (k) => new Float64Array(k));
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += finite(x[lo + i]!) - p * finite(x[lo + i - 1]!);
    u[i] = acc;
  }
  return { lo, n, u };
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/**
 * How clearly u[0..n) steps in the direction `sign` between u[k - 1] and u[k]: the least-squares step height
 * alongside a level and a slope (so that a pole a little off, which tilts the rebuilt square wave, does not pass for
 * a step), times the square root of its information: the likelihood-ratio statistic of a step in white noise.
 */
function stepAt(u: Float64Array, n: number, k: number, sign: number): number {
  if (k < 2 || k > n - 2) return -Infinity;
  // Regress the step indicator and u on (1, i); the step height is the regression of their residuals.
  let si = 0;
  let sii = 0;
  let su = 0;
  let siu = 0;
  let ss = 0;
  let ssi = 0;
  let ssu = 0;
  for (let i = 0; i < n; i++) {
    const v = u[i]!;
    si += i;
    sii += i * i;
    su += v;
    siu += i * v;
    if (i >= k) {
      ss += 1;
      ssi += i;
      ssu += v;
    }
  }
  const det = n * sii - si * si;
  // The step indicator's projection onto (1, i).
  const a = (sii * ss - si * ssi) / det;
  const b = (n * ssi - si * ss) / det;
  // Sums of the residuals' products: <s~, u~> = <s, u> - a <1, u> - b <i, u>, and <s~, s~> = <s, s> - a <1, s> - b <i, s>.
  const su2 = ssu - a * su - b * siu;
  const ss2 = ss - a * ss - b * ssi;
  if (!(ss2 > 0)) return -Infinity;
  return (sign * su2) / Math.sqrt(ss2);
}

/** How clearly the samples between edges at ta and tb step in the direction `sign` at time `at` (see stepAt). */
function stepScore(x: Float32Array, p: number, ta: number, tb: number, at: number, sign: number): number {
  const { lo, n, u } = squareBetween(x, p, ta, tb);
  // The split that puts the step between samples k - 1 and k (at time k - 0.5).
  return stepAt(u, n, Math.round(at + 0.5) - lo, sign);
}

/** The time between ta and tb where the samples step most clearly in the direction `sign`, or null if nowhere. */
function bestSplit(x: Float32Array, p: number, ta: number, tb: number, sign: number): number | null {
  const { lo, n, u } = squareBetween(x, p, ta, tb);
  let best = 0;
  let at: number | null = null;
  for (let k = 2; k <= n - 2; k++) {
    const score = stepAt(u, n, k, sign);
    if (score > best) {
      best = score;
      at = lo + k - 0.5;
    }
  }
  return at;
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
  /** 1 for a 0 cell held far longer than a bit period (see STRETCH_MAX). */
  stretched: Uint8Array;
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

/**
 * Biphase-mark cells from the edge times. Every cell starts with a transition; a 1 has another in its middle.
 * Once the cell phase is known, at each cell boundary the next interval either spans a whole cell (a 0) or,
 * with the one after it, two halves (a 1): whichever fits the tracked bit period better wins, so the jitter of
 * a mid-cell edge (large when a half cell is under two samples long) does not matter. The phase is found by the
 * first whole-period interval of a run. Intervals far too short are glitches (a spurious pair of edges is
 * dropped) and intervals far too long end a run (dropout, end of LTC).
 */
function decodeBits(times: Float64Array, count: number, Tg: number): Bits {
  // (times is scratch: a dropped glitch pair is overwritten.)
  const cap = Math.max(16, count);
  const val = reuse('bits.val', cap, (n) => new Uint8Array(n));
  const t0 = reuse('bits.t0', cap, (n) => new Float64Array(n));
  const tMid = reuse('bits.tMid', cap, (n) => new Float64Array(n));
  const t1 = reuse('bits.t1', cap, (n) => new Float64Array(n));
  const run = reuse('bits.run', cap, (n) => new Int32Array(n));
  const stretched = reuse('bits.stretched', cap, (n) => new Uint8Array(n)).fill(0);
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

  const Tmin = Tg * 0.7;
  const Tmax = Tg * 1.45;
  let T = Tg;
  const track = (meas: number) => {
    T += TRACK_GAIN * (meas - T);
    if (T < Tmin) T = Tmin;
    else if (T > Tmax) T = Tmax;
  };
  let known = false; // cell phase known: the current edge is a cell boundary
  // Phase unknown: the edges since the run started, all half a period apart.
  const halves: number[] = [];
  const endRun = () => {
    // After a short run the tracked period is not to be trusted: go back to the file's dominant one.
    if (runBits < 40) T = Tg;
    if (runBits > 0) runId++;
    runBits = 0;
    known = false;
    halves.length = 0;
  };
  // The first cell of a recording that starts inside the LTC has no opening edge (the file begins on it, or just
  // after it), yet libltc reads the frame it opens. When the first edges come within a cell of sample 0, that
  // cell is restored without an opening time: a 1 when an unpaired half-cell edge leads the run, else a 0.
  const leadingCell = (orphanHalf: boolean, Tc: number) => {
    const first = halves[0]!;
    if (orphanHalf && first < 0.75 * Tc) push(1, NaN, first, halves[1]!);
    // (A cell that began more than half a cell before the file could have had its middle edge before it too.)
    else if (!orphanHalf && first >= 0.5 * Tc && first < 1.25 * Tc) push(0, NaN, NaN, first);
  };

  let i = 0;
  if (count > 0) halves.push(times[0]!);
  while (i + 1 < count) {
    const ta = times[i]!;
    const tb = times[i + 1]!;
    const r1 = (tb - ta) / T;
    if (r1 < SHORT_MIN) {
      // Glitch. Inside a run, try dropping this edge and the next (a spurious pair keeps the edge signs
      // alternating); at the start of a run the edge before was more likely the spurious one.
      const tc = times[i + 3];
      if (known && tc !== undefined) {
        const rc = (tc - ta) / T;
        if (rc >= SHORT_MIN && rc <= LONG_MAX) {
          // Continue as if edges i+1 and i+2 were not there.
          times[i + 2] = ta;
          i += 2;
          continue;
        }
      }
      endRun();
      i++;
      halves.push(times[i]!);
      continue;
    }
    if (r1 > LONG_MAX) {
      if (known && r1 <= STRETCH_MAX) {
        // A held level: one 0 cell, and the tracked period is left alone.
        stretched[nb] = 1;
        push(0, ta, NaN, tb);
        i++;
        continue;
      }
      endRun();
      T = Tg;
      i++;
      halves.push(times[i]!);
      continue;
    }
    if (!known) {
      if (r1 < SHORT_MAX) {
        halves.push(tb);
        if (halves.length > 66) halves.splice(0, 2);
        track(2 * (tb - ta));
      } else {
        // A whole period: a 0 cell, so ta is a boundary. The halves before it pair up into 1 cells ending on ta.
        const m = halves.length - 1;
        if (nb === 0) leadingCell(m % 2 === 1, T);
        for (let j = m % 2; j + 2 <= m; j += 2) push(1, halves[j]!, halves[j + 1]!, halves[j + 2]!);
        push(0, ta, NaN, tb);
        track(tb - ta);
        known = true;
        halves.length = 0;
      }
      i++;
      continue;
    }
    // At a cell boundary: a 0 (one interval) or a 1 (two halves)?
    const tc = times[i + 2];
    const r2 = tc !== undefined ? (tc - tb) / T : Infinity;
    const e0 = Math.abs(r1 - 1);
    const e1 = r1 <= PAIR_MAX && r2 >= SHORT_MIN && r2 <= PAIR_MAX ? Math.abs(r1 + r2 - 1) : Infinity;
    if (e1 < e0 && e1 < 0.3) {
      push(1, ta, tb, tc!);
      track(tc! - ta);
      i += 2;
    } else if (r1 >= LONG_MIN) {
      push(0, ta, NaN, tb);
      track(tb - ta);
      i++;
    } else if (tc === undefined || r2 > LONG_MAX) {
      // Half a cell, then the end of the signal: the last cell was a 1 whose closing edge never came.
      push(1, ta, tb, NaN);
      i++;
    } else {
      // Half a cell that pairs with nothing: an edge is missing (the closing one of a 1 cell lost in a burst of
      // noise), or the phase was wrong. The half cell still says the cell was a 1, which may be the last bit of a
      // frame's sync word; then start again from tb.
      push(1, ta, tb, NaN);
      endRun();
      i++;
      halves.push(times[i]!);
    }
  }
  return { val, t0, tMid, t1, run, stretched, count: nb };
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

/** Frames read by index: an array of them, or the compact store of a whole stream. */
interface Frames {
  readonly length: number;
  at(i: number): RawFrame | undefined;
}

/**
 * The frames of a stream, about 40 bytes each in typed arrays (an hour at 30 fps is 4 MB), where frame objects
 * would take twenty times that: the frames of every window are kept here until the end of the stream.
 */
class FrameStore implements Frames {
  private readonly starts = new F64(1024);
  private readonly ends = new F64(1024);
  private readonly labels = new I32(1024); // hours, minutes, seconds, frames: a byte each
  private readonly flags = new I32(1024); // 1 drop-frame, 2 colour frame, 4 reverse
  private readonly bits = new I32(1024); // user bits, nibble 1 in the top four bits
  readonly swings = new F64(1024);

  get length(): number {
    return this.starts.n;
  }

  push(f: RawFrame, swing: number): void {
    const { hours, minutes, seconds, frames } = f.fields;
    this.starts.push(f.start);
    this.ends.push(f.end);
    this.labels.push((hours << 24) | (minutes << 16) | (seconds << 8) | frames);
    this.flags.push((f.dropFrame ? 1 : 0) | (f.colorFrame ? 2 : 0) | (f.reverse ? 4 : 0));
    this.bits.push(parseInt(f.userBits, 16) | 0);
    this.swings.push(swing);
  }

  start(i: number): number {
    return this.starts.a[i]!;
  }

  end(i: number): number {
    return this.ends.a[i]!;
  }

  setEnd(i: number, v: number): void {
    this.ends.a[i] = v;
  }

  /** The frame's label as a count at 30 labels a second, whatever the rate (consecutive labels differ by 1 within a second). */
  label30(i: number): number {
    const l = this.labels.a[i]!;
    return (((l >>> 24) * 60 + ((l >> 16) & 0xff)) * 60 + ((l >> 8) & 0xff)) * 30 + (l & 0xff);
  }

  reverse(i: number): boolean {
    return (this.flags.a[i]! & 4) !== 0;
  }

  /** Keeps the frames `keep` says, in order. */
  retain(keep: (i: number) => boolean): void {
    let m = 0;
    const n = this.length;
    const all = [this.starts, this.ends, this.labels, this.flags, this.bits, this.swings];
    for (let i = 0; i < n; i++) {
      if (!keep(i)) continue;
      for (const g of all) g.a[m] = g.a[i]!;
      m++;
    }
    for (const g of all) g.n = m;
  }

  at(i: number): RawFrame | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const l = this.labels.a[i]!;
    const fl = this.flags.a[i]!;
    return {
      fields: { hours: l >>> 24, minutes: (l >> 16) & 0xff, seconds: (l >> 8) & 0xff, frames: l & 0xff },
      dropFrame: (fl & 1) !== 0,
      colorFrame: (fl & 2) !== 0,
      userBits: (this.bits.a[i]! >>> 0).toString(16).toUpperCase().padStart(8, '0'),
      start: this.starts.a[i]!,
      end: this.ends.a[i]!,
      reverse: (fl & 4) !== 0,
    };
  }
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
  const hs = FIT_H;
  const ts = FIT_T;
  let np = 0;
  let held = false;
  for (let i = 0; i < 80; i++) {
    const b = a + i;
    if (bits.stretched[b]) held = true;
    if (Number.isFinite(bits.t0[b]!)) {
      hs[np] = 2 * i;
      ts[np++] = bits.t0[b]!;
    }
    if (bits.val[b] === 1) {
      const tm = bits.tMid[b]!;
      if (Number.isFinite(tm)) {
        hs[np] = 2 * i + 1;
        ts[np++] = tm;
      }
    }
  }
  const tEnd = bits.t1[a + 79]!;
  if (Number.isFinite(tEnd)) {
    hs[np] = 160;
    ts[np++] = tEnd;
  }
  // A frame with a held cell has no single bit period: its own first and last boundaries place it.
  const t0 = bits.t0[a]!;
  const fit = held && Number.isFinite(t0) && Number.isFinite(tEnd) ? { c: t0, m: (tEnd - t0) / 160 } : robustLine(hs, ts, np);
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

const FIT_H = new Float64Array(161);
const FIT_T = new Float64Array(161);
const FIT_USE = new Uint8Array(161);

function lineFit(hs: Float64Array, ts: Float64Array, np: number, use: Uint8Array): { c: number; m: number } | null {
  let n = 0;
  let sh = 0;
  let st = 0;
  for (let i = 0; i < np; i++) {
    if (!use[i]) continue;
    n++;
    sh += hs[i]!;
    st += ts[i]!;
  }
  if (n < 3) return null;
  const mh = sh / n;
  const mt = st / n;
  let shh = 0;
  let sht = 0;
  for (let i = 0; i < np; i++) {
    if (!use[i]) continue;
    const dh = hs[i]! - mh;
    shh += dh * dh;
    sht += dh * (ts[i]! - mt);
  }
  if (!(shh > 0)) return null;
  const m = sht / shh;
  return { c: mt - m * mh, m };
}

/** Least squares, then once more without the points far off the line (a misplaced edge). */
function robustLine(hs: Float64Array, ts: Float64Array, np: number): { c: number; m: number } | null {
  const use = FIT_USE;
  use.fill(1, 0, np);
  const first = lineFit(hs, ts, np, use);
  if (!first) return null;
  let ss = 0;
  for (let i = 0; i < np; i++) {
    const r = ts[i]! - (first.c + first.m * hs[i]!);
    ss += r * r;
  }
  const limit = Math.max(0.5, 4 * Math.sqrt(ss / np), 0.05 * first.m);
  let dropped = 0;
  for (let i = 0; i < np; i++) {
    if (Math.abs(ts[i]! - (first.c + first.m * hs[i]!)) > limit) {
      use[i] = 0;
      dropped++;
    }
  }
  if (dropped === 0) return first;
  return lineFit(hs, ts, np, use) ?? first;
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

function median(v: ArrayLike<number>): number {
  const s = Float64Array.from(v).sort();
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

/**
 * The rate the frames carry. The label count per second (24, 25, 30) comes from frame-number rollovers and the
 * highest frame number; the drop-frame flag (or the drop-frame label sequence) says how the labels are counted;
 * the measured frame duration says which real rate runs: 23.976 or 24, 29.97 or 30, and with the flag 29.97 DF
 * or 30 DF. A 30 fps generator with the flag set is '30df', never 29.97 drop-frame.
 */
function detectRate(frames: Frames, fs: number, frameDur: number): LtcRate {
  const fpsMeasured = fs / frameDur;
  let maxFrame = 0;
  const votes = new Map<number, number>();
  let dfFlags = 0;
  let dfSequence = false;
  let p: RawFrame | undefined;
  for (let i = 0; i < frames.length; p = frames.at(i), i++) {
    const f = frames.at(i)!;
    maxFrame = Math.max(maxFrame, f.fields.frames);
    if (f.dropFrame) dfFlags++;
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
  if (dfFlags * 2 > frames.length || dfSequence) return closer('29.97df', '30df');
  return closer('29.97', '30');
}

/**
 * Why a forced rate cannot be the signal's, or null: a frame number it does not have (frame 26 at 25 fps), or a
 * label drop-frame counting skips (;00 or ;01 outside every tenth minute).
 */
function contradiction(frames: Frames, forced: LtcRate): string | null {
  const fps = nominalFps(forced);
  for (let i = 0; i < frames.length; i++) {
    const { fields: t } = frames.at(i)!;
    if (t.frames >= fps) return `frame ${formatTimecode(t)} has frame number ${t.frames}, which ${rateName(forced)} fps timecode does not have`;
    if (isDropFrame(forced) && t.seconds === 0 && t.minutes % 10 !== 0 && t.frames < 2) return `frame ${formatTimecode(t)} is a label drop-frame counting skips`;
  }
  return null;
}

/** Half the peak-to-peak swing of the samples within a frame (its LTC level). */
function swing(samples: Float32Array, f: RawFrame): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = Math.max(0, Math.ceil(f.start)); i < Math.min(samples.length, Math.floor(f.end)); i++) {
    const v = samples[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? (hi - lo) / 2 : 0;
}

/** Frames of one stretch of samples, positions counted from `offset`, with each frame's level. */
function decodeWindow(samples: Float32Array, fs: number, offset: number): { raw: RawFrame[]; swings: number[] } {
  const none = { raw: [], swings: [] };
  if (samples.length < 16) return none;
  const events = levelEvents(samples, fs);
  const p0 = estimatePole(samples, events, fs);
  let p = p0;
  let edges = detectEdges(samples, fs, p);
  if (edges.count < 16) return none;
  // The comparator that finds the first quiet stretches loses its way where the level shifts (a DC-coupled
  // transition recorded low moves the whole signal until the next one), and the pole with it. Where transitions
  // recorded low were found, those found are the true quiet stretches' bounds: the pole is measured again between
  // them, and where it differs, the transitions are found again with it.
  if (edges.weak.includes(1)) {
    p = estimatePole(samples, edgeEvents(samples, fs, edges, events.peak), fs, true);
    if (Math.abs(p - p0) > POLE_AGAIN) edges = detectEdges(samples, fs, p);
    else p = p0;
  }
  if (edges.count < 16) return none;
  const Tg = globalBitPeriod(edges.t, edges.count, fs);
  if (Tg === null) return none;
  placeWeakEdges(samples, p, edges, Tg);
  // (decodeBits overwrites the times it is given.)
  const times = reuse('edges.times', edges.count, (n) => new Float64Array(n));
  times.set(edges.t);
  const raw = secondChoices(edges, times, Tg, confirmed(findFrames(decodeBits(edges.t, edges.count, Tg)).sort((a, b) => a.start - b.start)));
  const swings = raw.map((f) => swing(samples, f));
  for (const f of raw) {
    f.start += offset;
    f.end += offset;
  }
  return { raw, swings };
}

/**
 * Frames read again with the other place of the weak transitions that lie outside every frame read. Between two
 * places on the bit grid a half bit apart, the samples choose wrongly now and then when the transition stands
 * barely above the noise (-10 dB under noise 10 dB down, at 44.1 or 48 kHz); the frame it belongs to then fails its
 * sync word or its BCD check, and with the other place it reads. A stretch without frames may hold several such
 * transitions, of which any may be the wrong one: the bits are read again with all of them moved, then with only
 * the first of each stretch, only the second, and so on (a few). Only frames where none was read are added.
 */
function secondChoices(edges: Edges, times: Float64Array, Tg: number, frames: RawFrame[]): RawFrame[] {
  const { alt, count } = edges;
  // The movable transitions outside every frame, with their rank within their stretch between two frames.
  const movable: number[] = [];
  const rank: number[] = [];
  let j = 0;
  let stretch = -1;
  let r = 0;
  for (let e = 0; e < count; e++) {
    if (!Number.isFinite(alt[e]!)) continue;
    while (j < frames.length && frames[j]!.end < times[e]!) j++;
    if (j < frames.length && frames[j]!.start <= times[e]!) continue;
    r = j === stretch ? r + 1 : 0;
    stretch = j;
    movable.push(e);
    rank.push(r);
  }
  if (movable.length === 0) return frames;
  const margin = 0.1 * Tg;
  let out = frames;
  const moved = reuse('edges.moved', count, (n) => new Float64Array(n));
  for (let k = -1; k < SECOND_CHOICES; k++) {
    moved.set(times);
    let n = 0;
    movable.forEach((e, i) => {
      if (k < 0 || rank[i] === k) {
        moved[e] = alt[e]!;
        n++;
      }
    });
    if (n === 0) break;
    const again = confirmed(findFrames(decodeBits(moved, count, Tg)).sort((a, b) => a.start - b.start));
    const added = again.filter((f) => !out.some((g) => f.start < g.end - margin && g.start < f.end - margin));
    if (added.length > 0) out = [...out, ...added].sort((a, b) => a.start - b.start);
  }
  return out;
}

/**
 * Samples per decoding window, and the overlap of consecutive windows. A window is decoded as a whole (the coupling
 * and bit period are estimated over it) and then dropped, so memory stays that of one window whatever the length
 * of the recording. Each window keeps the frames that start in its part of the overlap's middle: a frame (at most
 * a few thousand samples) lies whole in both windows there, with neighbours on both sides.
 */
const WINDOW = 1 << 20;
const OVERLAP = 1 << 15;

/**
 * An LTC decoder fed in pieces, as libltc's is: write samples as they arrive (any block size), then end() for the
 * frames, the rate and the run's breaks. decodeLtc is this for samples already in memory.
 */
export class LtcDecoder {
  private buf = new Float32Array(0);
  private filled = 0;
  /** Position of buf[0] in the stream. */
  private at = 0;
  private readonly store = new FrameStore();
  private readonly valid: boolean;

  constructor(
    readonly sampleRate: number,
    private readonly opts: LtcDecodeOptions = {},
  ) {
    this.valid = sampleRate > 0 && Number.isFinite(sampleRate);
  }

  /** Samples written so far (their window decoded or not yet). */
  get written(): number {
    return this.at + this.filled;
  }

  write(samples: Float32Array): void {
    if (!this.valid) return;
    let from = 0;
    while (from < samples.length) {
      if (this.buf.length < WINDOW) this.grow(Math.min(WINDOW, this.filled + samples.length - from));
      const n = Math.min(samples.length - from, WINDOW - this.filled);
      this.buf.set(samples.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      if (this.filled === WINDOW) this.flush(false);
    }
  }

  end(): LtcDecodeResult {
    if (this.valid && this.filled > 0) this.flush(true);
    return finish(this.store, this.written, this.sampleRate, this.opts);
  }

  private grow(size: number): void {
    if (size <= this.buf.length) return;
    const b = new Float32Array(Math.min(WINDOW, Math.max(size, 2 * this.buf.length)));
    b.set(this.buf.subarray(0, this.filled));
    this.buf = b;
  }

  private flush(last: boolean): void {
    const { raw, swings } = decodeWindow(this.buf.subarray(0, this.filled), this.sampleRate, this.at);
    const lo = this.at === 0 ? -Infinity : this.at + OVERLAP / 2;
    const hi = last ? Infinity : this.at + this.filled - OVERLAP / 2;
    raw.forEach((f, i) => {
      if (f.start >= lo && f.start < hi) this.store.push(f, swings[i]!);
    });
    if (last) return;
    this.buf.copyWithin(0, this.filled - OVERLAP, this.filled);
    this.at += this.filled - OVERLAP;
    this.filled = OVERLAP;
  }
}

/** Decodes LTC from samples in memory (see LtcDecoder for a stream). */
export function decodeLtc(samples: Float32Array, sampleRate: number, opts: LtcDecodeOptions = {}): LtcDecodeResult {
  const decoder = new LtcDecoder(sampleRate, opts);
  decoder.write(samples);
  return decoder.end();
}

/**
 * Whether label b (30 a second, see FrameStore.label30) can follow label a at some rate: the next one in the second,
 * the first of the next second after the last of this one at 24, 25 or 30 fps, or ;02 after 59;29 at drop-frame.
 */
function plausibleNext(a: number, b: number): boolean {
  const d = b - a;
  const fb = b % 30;
  const fa = a % 30;
  return d === 1 || (fb === 0 && (fa === 23 || fa === 24) && d === 30 - fa) || (fb === 2 && fa === 29 && d === 3);
}

/**
 * Drops frames misread: one that follows neither the frame before it nor leads to the one after it, where those two
 * are a couple of labels apart, all three touching and read the same way (or, at either end of the run, one that does
 * not lead into two frames that follow each other). A transition recorded low under heavy noise can leave a frame
 * whose bits pass every check with a wrong value; a generator that jumps does not jump away for a single frame and
 * back. The frame is then missing rather than invented, and its place a dropout.
 */
function dropMisreads(raw: FrameStore, frameDur: number): void {
  const n = raw.length;
  if (n < 3) return;
  const touch = (i: number) => Math.abs(raw.start(i + 1) - raw.end(i)) < 0.1 * frameDur && raw.reverse(i) === raw.reverse(i + 1);
  // (For frames read backwards, the labels run down.)
  const next = (i: number, j: number) => (raw.reverse(i) ? plausibleNext(raw.label30(j), raw.label30(i)) : plausibleNext(raw.label30(i), raw.label30(j)));
  const misread = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    let bad = false;
    if (i > 0 && i + 1 < n) {
      if (touch(i - 1) && touch(i) && !next(i - 1, i) && !next(i, i + 1)) {
        const gap = (raw.reverse(i) ? -1 : 1) * (raw.label30(i + 1) - raw.label30(i - 1));
        bad = gap >= 2 && gap <= 8;
      }
    } else if (i === 0) bad = touch(0) && touch(1) && !next(0, 1) && next(1, 2);
    else bad = touch(n - 2) && touch(n - 3) && !next(n - 2, n - 1) && next(n - 3, n - 2);
    if (bad) {
      misread[i] = 1;
      any = true;
    }
  }
  if (any) raw.retain((i) => misread[i] === 0);
}

/** The run from all frames of a stream: rate, labels, breaks, dropouts, level. */
function finish(raw: FrameStore, length: number, sampleRate: number, opts: LtcDecodeOptions): LtcDecodeResult {
  const forced: LtcRate | null = opts.fps && opts.fps !== 'auto' ? opts.fps : null;
  const n = raw.length;
  if (n === 0) return { sampleRate, rate: forced, frames: [], discontinuities: [], dropouts: [], continuous: false, levelDbfs: null, warnings: [], frameCount: 0, first: null, last: null };
  const fs = sampleRate;

  const durations = new Float64Array(n);
  for (let i = 0; i < n; i++) durations[i] = raw.end(i) - raw.start(i);
  const frameDur = median(durations);
  dropMisreads(raw, frameDur);
  if (raw.length !== n) return finish(raw, length, sampleRate, opts);
  // Where a frame runs straight into the next, its end is that frame's start: one boundary, one position. (A
  // single frame's fitted slope is a little less exact than its start, which every frame's fit pins alike.)
  for (let i = 0; i + 1 < n; i++) {
    if (Math.abs(raw.start(i + 1) - raw.end(i)) < 0.1 * frameDur) raw.setEnd(i, raw.start(i + 1));
  }
  // A forced rate the labels contradict would invent discontinuities at every rollover: the signal's own rate is
  // used instead, and the user told.
  const warnings: string[] = [];
  let rate = forced ?? detectRate(raw, fs, frameDur);
  const wrong = forced ? contradiction(raw, forced) : null;
  if (forced && wrong) {
    rate = detectRate(raw, fs, frameDur);
    warnings.push(`The LTC is not ${rateName(forced)} fps: ${wrong}. The signal carries ${rateName(rate)} fps timecode, and is read at that rate.`);
  }
  const df = isDropFrame(rate);
  const frame = (i: number): LtcFrame => {
    const f = raw.at(i)!;
    return {
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
    };
  };

  const discontinuities: LtcDiscontinuity[] = [];
  const dropouts: LtcDropout[] = [];
  const dropout = (from: number, to: number) => dropouts.push({ fromSample: from, toSample: to, frames: Math.max(1, Math.round((to - from) / frameDur)) });
  // At the ends, up to two frame periods are only the partial frames a file cut inside LTC begins and ends with.
  if (raw.start(0) > 2 * frameDur) dropout(0, raw.start(0));
  let inside = 0;
  let p = raw.at(0)!;
  for (let i = 1; i < n; i++) {
    const f = raw.at(i)!;
    // Between frames, a gap of most of a frame is a frame that was not read (a generator's pause between two
    // runs of timecode can be shorter).
    if (f.start - p.end > 0.75 * frameDur) {
      dropout(p.end, f.start);
      inside++;
    }
    let kind: LtcDiscontinuity['kind'] | null = null;
    if (p.reverse !== f.reverse) kind = 'reverse';
    else {
      const k = Math.max(1, Math.round((f.start - p.start) / frameDur));
      const delta = frameDelta(fieldsToFrames(p.fields, rate), fieldsToFrames(f.fields, rate), rate);
      if (delta !== (f.reverse ? -k : k)) kind = 'jump';
    }
    if (kind) discontinuities.push({ atSample: f.start, from: formatTimecode(p.fields, df), to: formatTimecode(f.fields, df), kind });
    p = f;
  }
  if (length - raw.end(n - 1) > 2 * frameDur) dropout(raw.end(n - 1), length);

  const continuous = discontinuities.length === 0 && inside === 0;
  const levelDbfs = 20 * Math.log10(median(raw.swings.a.subarray(0, n)));
  const frames = opts.frames === false ? [] : Array.from({ length: n }, (_, i) => frame(i));
  return { sampleRate, rate, frames, discontinuities, dropouts, continuous, levelDbfs, warnings, frameCount: n, first: frame(0), last: frame(n - 1) };
}
