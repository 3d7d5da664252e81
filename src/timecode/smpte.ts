/**
 * SMPTE timecode arithmetic for the LTC rates: labels (HH:MM:SS:FF, `;` before the frames for drop-frame),
 * frame counts since midnight, and the successor of a timecode.
 *
 * A "frame count" here is the number of frames since 00:00:00:00 in the timecode's own counting, i.e. the
 * number of labels, so for 29.97 drop-frame 00:01:00;02 is frame 1800 (labels ;00 and ;01 of that minute do
 * not exist). Counts wrap at 24 hours.
 */
import Timecode from 'smpte-timecode';
import { LTC_RATES, TIMECODE_RATES, type LtcRate, type TimecodeRate } from './rates.js';

export { LTC_RATES, type LtcRate };

export interface LtcRateInfo {
  /** Frames per timecode second: the label count (24, 25 or 30). */
  nominalFps: number;
  /** Real frames per second of a generator at this rate (24000/1001 and 30000/1001 for the .97 rates). */
  realFps: number;
  dropFrame: boolean;
}

/** A rate's real frame rate and how its labels are counted. */
function infoOf(rate: TimecodeRate): LtcRateInfo {
  return { nominalFps: Math.round(rate.num / rate.den), realFps: rate.num / rate.den, dropFrame: rate.dropFrame };
}

const RATE_INFO = Object.fromEntries(LTC_RATES.map((r) => [r, infoOf(TIMECODE_RATES[r])])) as Record<LtcRate, LtcRateInfo>;

export function isLtcRate(v: unknown): v is LtcRate {
  return typeof v === 'string' && (LTC_RATES as readonly string[]).includes(v);
}

export function rateInfo(rate: LtcRate): LtcRateInfo {
  return RATE_INFO[rate];
}

export function nominalFps(rate: LtcRate): number {
  return RATE_INFO[rate].nominalFps;
}

export function realFps(rate: LtcRate): number {
  return RATE_INFO[rate].realFps;
}

export function isDropFrame(rate: LtcRate): boolean {
  return RATE_INFO[rate].dropFrame;
}

/** The rate as a person reads it: '30df' is "30 (drop-frame flag)", so nobody takes it for 29.97 drop-frame. */
export function rateName(rate: LtcRate): string {
  return rate === '30df' ? '30 (drop-frame flag)' : rate;
}

export interface TimecodeFields {
  hours: number;
  minutes: number;
  seconds: number;
  frames: number;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:SS:FF`, or `HH:MM:SS;FF` for drop-frame. */
export function formatTimecode(t: TimecodeFields, dropFrame = false): string {
  return `${pad2(t.hours)}:${pad2(t.minutes)}:${pad2(t.seconds)}${dropFrame ? ';' : ':'}${pad2(t.frames)}`;
}

const TC_RE = /^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2})$/;

/** Parses `HH:MM:SS:FF` (also `;`, `.` or `,` before the frames; `;`/`,` mark drop-frame). Throws on malformed input. */
export function parseTimecode(s: string): TimecodeFields & { dropFrame: boolean } {
  const m = TC_RE.exec(s.trim());
  if (!m) throw new Error(`Invalid timecode "${s}": expected HH:MM:SS:FF`);
  const sep = m[4]!;
  return {
    hours: Number(m[1]),
    minutes: Number(m[2]),
    seconds: Number(m[3]),
    frames: Number(m[5]),
    dropFrame: sep === ';' || sep === ',',
  };
}

/** True when the fields are a label that exists at this rate (drop-frame: no ;00/;01 outside every tenth minute). */
export function isValidTimecode(t: TimecodeFields, rate: LtcRate): boolean {
  const { nominalFps: fps, dropFrame } = RATE_INFO[rate];
  const ok = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v < max;
  if (!ok(t.hours, 24) || !ok(t.minutes, 60) || !ok(t.seconds, 60) || !ok(t.frames, fps)) return false;
  if (dropFrame && t.seconds === 0 && t.minutes % 10 !== 0 && t.frames < 2) return false;
  return true;
}

/**
 * How labels are counted: labels per timecode second, and whether drop-frame numbering skips some. This is the
 * one drop-frame implementation, for the LTC rates here and every rate a BWF file declares (bwf.ts): drop-frame
 * skips fps / 15 labels (;00 ;01 at 30, ;00 to ;03 at 60) at the start of every minute but each tenth.
 */
export interface LabelCounting {
  fps: number;
  dropFrame: boolean;
}

function counting(rate: LtcRate): LabelCounting {
  return { fps: RATE_INFO[rate].nominalFps, dropFrame: RATE_INFO[rate].dropFrame };
}

/** How the labels of any rate of the table (or one a BWF file declares outside it) are counted. */
export function labelCounting(rate: TimecodeRate): LabelCounting {
  const { nominalFps: fps, dropFrame } = infoOf(rate);
  return { fps, dropFrame };
}

/** Labels skipped at the start of each dropped minute. */
function dropped(c: LabelCounting): number {
  return c.dropFrame ? Math.round(c.fps / 15) : 0;
}

/** Labels in 24 hours. */
export function labelsPerDay(c: LabelCounting): number {
  return c.fps * 86400 - dropped(c) * (24 * 60 - 24 * 6);
}

/** Label count since midnight of the fields (assumed in range). */
export function labelCount(t: TimecodeFields, c: LabelCounting): number {
  const totalMinutes = t.hours * 60 + t.minutes;
  return (totalMinutes * 60 + t.seconds) * c.fps + t.frames - dropped(c) * (totalMinutes - Math.floor(totalMinutes / 10));
}

/** The fields of a label count since midnight; any integer, wrapped into 24 hours (negative counts too). */
export function labelFields(count: number, c: LabelCounting): TimecodeFields {
  const { fps } = c;
  const perDay = labelsPerDay(c);
  let n = Math.round(count) % perDay;
  if (n < 0) n += perDay;
  const drop = dropped(c);
  if (drop > 0) {
    // Labels per ten minutes and per dropped minute: add back the skipped labels.
    const per10 = fps * 600 - 9 * drop;
    const perMin = fps * 60 - drop;
    const tens = Math.floor(n / per10);
    const rem = n % per10;
    n += 9 * drop * tens + (rem > drop ? drop * Math.floor((rem - drop) / perMin) : 0);
  }
  return {
    hours: Math.floor(n / (fps * 3600)) % 24,
    minutes: Math.floor(n / (fps * 60)) % 60,
    seconds: Math.floor(n / fps) % 60,
    frames: n % fps,
  };
}

/** Frames (labels) in 24 hours at this rate: 2,073,600 at 24, 2,589,408 at 29.97 drop-frame. */
export function framesPerDay(rate: LtcRate): number {
  return labelsPerDay(counting(rate));
}

/** Frame count since midnight of a timecode (string or fields). Throws if it is not a valid label at this rate. */
export function timecodeToFrames(tc: string | TimecodeFields, rate: LtcRate): number {
  const t = typeof tc === 'string' ? parseTimecode(tc) : tc;
  if (!isValidTimecode(t, rate)) throw new Error(`Invalid timecode ${formatTimecode(t, isDropFrame(rate))} at ${rate} fps`);
  return fieldsToFrames(t, rate);
}

/** Like timecodeToFrames, without validation (fields assumed in range). */
export function fieldsToFrames(t: TimecodeFields, rate: LtcRate): number {
  return labelCount(t, counting(rate));
}

/** Timecode fields of a frame count since midnight; any integer, wrapped into 24 hours (negative counts too). */
export function framesToFields(count: number, rate: LtcRate): TimecodeFields {
  return labelFields(count, counting(rate));
}

/** Timecode string of a frame count since midnight (wrapped into 24 hours). */
export function framesToTimecode(count: number, rate: LtcRate): string {
  return formatTimecode(framesToFields(count, rate), isDropFrame(rate));
}

/** The timecode `step` frames after `tc` (negative steps go back), wrapping at midnight. */
export function nextTimecode(tc: string | TimecodeFields, rate: LtcRate, step = 1): string {
  return framesToTimecode(timecodeToFrames(tc, rate) + step, rate);
}

/** Signed difference b - a in frames, taken the short way round midnight (within ±12 hours). */
export function frameDelta(a: number, b: number, rate: LtcRate): number {
  const perDay = framesPerDay(rate);
  let d = (b - a) % perDay;
  if (d > perDay / 2) d -= perDay;
  else if (d <= -perDay / 2) d += perDay;
  return d;
}

/** Seconds since midnight of the start of a frame count, on the generator's real clock (1001/1000 slow for .97). */
export function framesToSeconds(count: number, rate: LtcRate): number {
  return count / RATE_INFO[rate].realFps;
}

/**
 * The same label through the smpte-timecode package (used to cross-check our arithmetic; also handy for callers
 * that already hold smpte-timecode objects).
 */
export function toSmpteTimecode(tc: string | TimecodeFields, rate: LtcRate): Timecode.TimecodeInstance {
  const t = typeof tc === 'string' ? parseTimecode(tc) : tc;
  const { num, den, dropFrame } = TIMECODE_RATES[rate];
  // smpte-timecode only drops frames at 30000/1001; 30 DF labels and counts are the same as 29.97 DF's (only the
  // real frame rate differs, which a label does not carry), so it is handed to the package as 29.97 DF.
  const fr: Timecode.FRAMERATE = dropFrame ? [TIMECODE_RATES['29.97df'].num, TIMECODE_RATES['29.97df'].den] : den === 1 ? (num as 24 | 25 | 30) : [num, den];
  return Timecode({ hours: t.hours, minutes: t.minutes, seconds: t.seconds, frames: t.frames }, fr, dropFrame);
}
