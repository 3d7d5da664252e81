/**
 * Where a sound file sits on the time of day, from its two witnesses: the BWF time reference the recorder wrote
 * (its own clock, right only when it was jammed to the generator) and the LTC recorded on one of its channels
 * (the generator's clock itself). When both are there they are compared, and the LTC wins.
 */
import { rateFromFps, timecodeAtSample, type BwfInfo } from './bwf.js';
import type { LtcDecodeResult } from './ltc-decoder.js';
import { framesToSeconds, framesToTimecode, realFps, timecodeToFrames, type LtcRate } from './smpte.js';

/** Below this LTC level (dBFS) a decode is one hum or hiss away from losing frames: the input gain wants raising. */
export const LOW_LTC_LEVEL_DBFS = -30;

/** The sentence for a low LTC level, or null when the level is fine (or unknown). */
export function lowLevelWarning(levelDbfs: number | null): string | null {
  if (levelDbfs === null || levelDbfs >= LOW_LTC_LEVEL_DBFS) return null;
  return `The LTC is recorded at ${levelDbfs.toFixed(1)} dBFS, below ${LOW_LTC_LEVEL_DBFS} dBFS: raise the input gain of the timecode channel.`;
}

export interface TimeOfDay {
  /** Seconds since midnight of the file's first sample, on the generator's real clock. */
  startSeconds: number;
  /** The label of the frame whose start lies nearest the first sample. */
  startTimecode: string;
}

/** The file's start from its first decoded LTC frame, counted back to sample 0 at the LTC's real rate. */
export function ltcStart(decoded: LtcDecodeResult, sampleRate: number): TimeOfDay | null {
  // A run that starts played backwards has no forward time of day to count back from.
  const first = decoded.first;
  if (!first || first.reverse || !decoded.rate) return null;
  const rate = decoded.rate;
  const atFirst = timecodeToFrames(first.timecode, rate);
  return {
    startSeconds: framesToSeconds(atFirst, rate) - first.sampleStart / sampleRate,
    startTimecode: framesToTimecode(atFirst - Math.round((first.sampleStart / sampleRate) * realFps(rate)), rate),
  };
}

/**
 * The BWF start as a label: the one the file declares, else at the LTC's rate when the file says none (bext
 * without iXML), else the clock time (HH:MM:SS.mmm), which needs no rate.
 */
export function bwfStartLabel(bwf: BwfInfo, ltcRate: LtcRate | null): string | null {
  if (bwf.startTimecode) return bwf.startTimecode;
  if (bwf.timeReferenceSamples !== null && ltcRate) return timecodeAtSample(bwf.timeReferenceSamples, bwf.sampleRate, rateFromFps(ltcRate)).timecode;
  if (bwf.startSeconds === null) return null;
  return clockTime(bwf.startSeconds);
}

function clockTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3600000) % 24)}:${pad(Math.floor(ms / 60000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

export interface BwfLtcCheck {
  /** LTC start minus BWF start, seconds. */
  differenceSeconds: number;
  /** More than one frame apart. */
  disagree: boolean;
  /** The sentence naming both times when they disagree. */
  warning: string | null;
}

/** Compares the BWF start with the LTC's; more than a frame apart, the recorder's clock was not jammed. */
export function checkBwfAgainstLtc(bwf: BwfInfo, decoded: LtcDecodeResult, sampleRate: number): BwfLtcCheck | null {
  const ltc = ltcStart(decoded, sampleRate);
  if (!ltc || bwf.startSeconds === null || !decoded.rate) return null;
  const differenceSeconds = ltc.startSeconds - bwf.startSeconds;
  const disagree = Math.abs(differenceSeconds) > 1 / realFps(decoded.rate);
  const bwfLabel = bwfStartLabel(bwf, decoded.rate);
  return {
    differenceSeconds,
    disagree,
    warning: disagree
      ? `Its BWF time reference says it starts at ${bwfLabel}, its LTC says ${ltc.startTimecode} (${describe(differenceSeconds)} apart): the recorder's clock was not jammed to the generator, so it is placed by its LTC.`
      : null,
  };
}

function describe(seconds: number): string {
  const a = Math.abs(seconds);
  if (a >= 3600) return `${(a / 3600).toFixed(2)} h`;
  if (a >= 60) return `${(a / 60).toFixed(1)} min`;
  if (a >= 1) return `${a.toFixed(2)} s`;
  return `${(a * 1000).toFixed(1)} ms`;
}
