/**
 * SMPTE 12M linear timecode (LTC) encoder: 80-bit frames, biphase mark code, with the polarity-correction bit set
 * so every frame holds an even number of zeros (each frame then starts with the same edge direction).
 *
 * Frame k starts at sample k * sampleRate / realFps (frameStarts[k]); the first edge is at sample 0. Edges are
 * linear ramps whose 10-90 % rise time is riseTimeUs, and each sample is the mean of that continuous waveform
 * over the sample period, so the output is free of the timing quantisation a hard step would have and an edge
 * time can be recovered to a small fraction of a sample at any sample rate.
 */
import { framesToTimecode, framesToFields, isDropFrame, nominalFps, realFps, timecodeToFrames, type LtcRate } from './smpte.js';

export interface LtcEncodeOptions {
  /** Timecode of the first frame, `HH:MM:SS:FF` (`;` accepted for drop-frame). */
  start: string;
  /** Number of frames. */
  frames: number;
  rate: LtcRate;
  /** Samples per second; need not be an integer (an audio clock with its own error). */
  sampleRate: number;
  /** Peak level, the signal swings ±amplitude. Default 0.5. */
  amplitude?: number;
  /** 8 hex digits, user-bit nibble 1 first. Default 00000000. */
  userBits?: string;
  /** 10-90 % rise time of each edge in µs. Default 25 (SMPTE 12M: 25 ± 5 µs). */
  riseTimeUs?: number;
}

export interface LtcEncodeResult {
  samples: Float32Array;
  /** Sub-sample position of each frame's first bit boundary (its leading edge). */
  frameStarts: number[];
}

export const LTC_SYNC_WORD = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1] as const;

function parseUserBits(ub: string | undefined): number[] {
  const s = ub ?? '00000000';
  if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new Error(`userBits must be 8 hex digits, got "${s}"`);
  return [...s].map((c) => parseInt(c, 16));
}

/** The 80 bits of one LTC frame, in transmission order (bit 0 first). */
export function ltcFrameBits(frameCount: number, rate: LtcRate, userBits?: string): Uint8Array {
  const t = framesToFields(frameCount, rate);
  const ub = parseUserBits(userBits);
  const bits = new Uint8Array(80);
  const put = (at: number, width: number, value: number) => {
    for (let i = 0; i < width; i++) bits[at + i] = (value >> i) & 1;
  };
  put(0, 4, t.frames % 10);
  put(4, 4, ub[0]!);
  put(8, 2, Math.floor(t.frames / 10));
  bits[10] = isDropFrame(rate) ? 1 : 0;
  bits[11] = 0; // colour frame
  put(12, 4, ub[1]!);
  put(16, 4, t.seconds % 10);
  put(20, 4, ub[2]!);
  put(24, 3, Math.floor(t.seconds / 10));
  put(28, 4, ub[3]!);
  put(32, 4, t.minutes % 10);
  put(36, 4, ub[4]!);
  put(40, 3, Math.floor(t.minutes / 10));
  put(44, 4, ub[5]!);
  put(48, 4, t.hours % 10);
  put(52, 4, ub[6]!);
  put(56, 2, Math.floor(t.hours / 10));
  put(60, 4, ub[7]!);
  for (let i = 0; i < 16; i++) bits[64 + i] = LTC_SYNC_WORD[i]!;
  // Binary group flags stay 0. Polarity correction: bit 59 at 25 fps, bit 27 at the others.
  const polarityBit = nominalFps(rate) === 25 ? 59 : 27;
  let zeros = 0;
  for (let i = 0; i < 80; i++) if (bits[i] === 0) zeros++;
  bits[polarityBit] = zeros % 2 === 0 ? 0 : 1;
  return bits;
}

/** Integral of the unit ramp clamp(v / r + 1/2, 0, 1) from -infinity to w. */
function rampIntegral(w: number, r: number): number {
  const h = r / 2;
  if (w <= -h) return 0;
  if (w >= h) return w;
  const u = w + h;
  return (u * u) / (2 * r);
}

/** Mean over [u - 1/2, u + 1/2] of a unit step centred at 0 whose ramp is r samples wide. */
function boxedStep(u: number, r: number): number {
  if (r < 1e-9) return Math.min(1, Math.max(0, u + 0.5));
  return rampIntegral(u + 0.5, r) - rampIntegral(u - 0.5, r);
}

export function encodeLtc(opts: LtcEncodeOptions): LtcEncodeResult {
  const { rate, sampleRate } = opts;
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new Error(`Invalid sampleRate ${sampleRate}`);
  const frames = Math.max(0, Math.floor(opts.frames));
  const amplitude = opts.amplitude ?? 0.5;
  const riseUs = opts.riseTimeUs ?? 25;
  // A linear ramp's 10-90 % time is 80 % of its length.
  const ramp = Math.max(0, (riseUs * 1e-6 * sampleRate) / 0.8);
  const spf = sampleRate / realFps(rate);
  const halfBit = spf / 160;
  const first = timecodeToFrames(opts.start, rate);
  parseUserBits(opts.userBits);

  // Edge times: a boundary edge at every bit start, a mid-bit edge for each 1, and the closing boundary edge
  // of the last frame (the first edge of the frame that would follow).
  const edges: number[] = [];
  const frameStarts: number[] = [];
  for (let f = 0; f < frames; f++) {
    const start = f * spf;
    frameStarts.push(start);
    const bits = ltcFrameBits(first + f, rate, opts.userBits);
    for (let b = 0; b < 80; b++) {
      edges.push(start + 2 * b * halfBit);
      if (bits[b] === 1) edges.push(start + (2 * b + 1) * halfBit);
    }
  }
  if (frames > 0) edges.push(frames * spf);

  const tail = Math.ceil(ramp / 2 + 1);
  const length = frames > 0 ? Math.ceil(frames * spf + tail) : 0;
  const samples = new Float32Array(length);
  // Level before the first edge is low; each edge flips it. Hard steps first, then exact ramp corrections.
  let level = -amplitude;
  let e = 0;
  for (let n = 0; n < length; n++) {
    while (e < edges.length && edges[e]! <= n) {
      level = -level;
      e++;
    }
    samples[n] = level;
  }
  const reach = ramp / 2 + 0.5;
  let dir = 1; // first edge goes up
  for (const t of edges) {
    const lo = Math.max(0, Math.ceil(t - reach));
    const hi = Math.min(length - 1, Math.floor(t + reach));
    for (let n = lo; n <= hi; n++) {
      const hard = n >= t ? 1 : 0;
      samples[n] = samples[n]! + dir * 2 * amplitude * (boxedStep(n - t, ramp) - hard);
    }
    dir = -dir;
  }
  return { samples, frameStarts };
}

/** Timecode label of encoded frame k (a convenience for tests and simulations). */
export function encodedTimecode(start: string, rate: LtcRate, k: number): string {
  return framesToTimecode(timecodeToFrames(start, rate) + k, rate);
}
