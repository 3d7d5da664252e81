import { FileSource, MemorySource, type ByteSource } from '../recording/source.js';
import { AudioError } from './audio-error.js';
import { parseBext } from './bext.js';
import { ixmlText, parseIxml, type IxmlInfo } from './ixml.js';
import { readCopy, walkWav, type WavLayout } from './riff.js';
import { canDropFrame, isRateName, rateNameOf, TIMECODE_RATES, type RateName, type TimecodeRate } from './rates.js';
import { formatTimecode, labelCounting, labelFields, labelsPerDay } from './smpte.js';

export type { TimecodeRate };

/**
 * Broadcast WAV timecode: the start that field recorders store in `bext` (TimeReference: samples since midnight)
 * and iXML (TIMECODE_RATE, TIMECODE_FLAG, BWF_TIME_REFERENCE_LOW/HIGH), turned into seconds and a start timecode.
 * The chunks are found by riff.ts and parsed by bext.ts and ixml.ts.
 */

// ---------------------------------------------------------------------------------------------------------
// Timecode rates (the table is rates.ts's)

/** Rates a BWF file may declare, by the table's names: the LTC decoder's `LtcRate`s and the doubled rates. */
export type BwfFps = RateName;

export function isBwfFps(s: unknown): s is BwfFps {
  return isRateName(s);
}

export function rateFromFps(fps: BwfFps): TimecodeRate {
  return { ...TIMECODE_RATES[fps] };
}

/** The rate's name ('23.976', '29.97df', ...), or "num/den" for a rate outside the table. */
export function fpsName(rate: TimecodeRate): string {
  return rateNameOf(rate) ?? `${rate.num}/${rate.den}`;
}

/**
 * Parses an iXML TIMECODE_RATE: a ratio ("24000/1001", "25/1", reduced: "50/2" is 25/1) or, as some writers do,
 * a number: a whole one ("25"), or one of the table's fractional rates to three decimals ("29.97", "23.976").
 * Null when it is neither or not positive.
 */
export function parseRateText(text: string): { num: number; den: number } | null {
  const t = text.trim();
  const ratio = /^(\d{1,9})\s*\/\s*(\d{1,9})$/.exec(t);
  if (ratio) {
    const num = Number(ratio[1]);
    const den = Number(ratio[2]);
    if (num <= 0 || den <= 0) return null;
    const g = gcd(num, den);
    return { num: num / g, den: den / g };
  }
  if (/^\d{1,4}(\.\d{1,6})?$/.test(t)) {
    const v = Number(t);
    if (!(v > 0)) return null;
    if (Number.isInteger(v)) return { num: v, den: 1 };
    for (const r of Object.values(TIMECODE_RATES) as TimecodeRate[]) {
      if (Math.abs(v - r.num / r.den) < 0.006) return { num: r.num, den: r.den };
    }
    return null;
  }
  return null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The label (HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame) of the frame `frame` frames after 00:00:00:00.
 * Frame counts past 24 hours wrap, as timecode does.
 */
export function frameLabel(frame: number, rate: TimecodeRate): string {
  return formatTimecode(labelFields(Math.floor(frame), labelCounting(rate)), rate.dropFrame);
}

/**
 * The timecode at a sample position counted from midnight (a BWF TimeReference), at `sampleRate` and `rate`.
 * The samples count real time; the frame is floor(samples × fps / sampleRate), computed exactly in integers.
 * A position that is not on a frame boundary is rounded DOWN to the frame it falls in (that frame started
 * before the sample), and `fraction` says how far into that frame the sample is (0 ≤ fraction < 1).
 */
export function timecodeAtSample(
  samples: bigint,
  sampleRate: number,
  rate: TimecodeRate,
): { timecode: string; frame: number; fraction: number } {
  const sr = BigInt(Math.round(sampleRate));
  const scaled = samples * BigInt(rate.num);
  const per = BigInt(rate.den) * sr;
  const frame = scaled / per;
  const fraction = Number(scaled % per) / Number(per);
  const day = BigInt(labelsPerDay(labelCounting(rate)));
  const wrapped = Number(((frame % day) + day) % day);
  return { timecode: frameLabel(wrapped, rate), frame: Number(frame), fraction };
}


// ---------------------------------------------------------------------------------------------------------
// BWF timecode

export interface BwfInfo {
  /** bext TimeReference: samples since midnight at the file's first sample, 64-bit. Null without a bext chunk. */
  timeReferenceSamples: bigint | null;
  /** Which time reference startSeconds/startTimecode come from: bext, or iXML when the file has no bext. */
  timeReferenceSource: 'bext' | 'ixml' | null;
  /** The file's sample rate (the unit of TimeReference). */
  sampleRate: number;
  description: string | null;
  originator: string | null;
  originatorReference: string | null;
  /** As written; the standard says yyyy-mm-dd but recorders also write yyyy:mm:dd or yyyy/mm/dd. */
  originationDate: string | null;
  originationTime: string | null;
  bextVersion: number | null;
  codingHistory: string | null;
  ixml: IxmlInfo | null;
  /** Timecode at the first sample: HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame. Null when the time reference or the rate is unknown. */
  startTimecode: string | null;
  /** Time reference / sample rate: seconds since midnight, with any fraction of a frame. */
  startSeconds: number | null;
  /** How far into the startTimecode frame the first sample lies (0 when frame-aligned), in frames. */
  startFrameFraction: number | null;
  /** '23.976', '24', '25', '29.97df', '29.97', '30' (the LTC decoder's names), '47.952', '48', '50', '59.94df', '59.94', '60', or "num/den". */
  fps: string | null;
  dropFrame: boolean | null;
  /** Where the rate came from: the file's iXML, or the caller's `fps` option (bext alone carries no rate). */
  fpsSource: 'ixml' | 'option' | null;
  warnings: string[];
}

export interface ReadBwfOptions {
  /**
   * The timecode rate to use when the file declares none (bext-only files such as the Zoom H4n's or Pro Tools').
   * 'auto' (as the LTC command line says it) counts as no rate.
   */
  fps?: BwfFps | 'auto';
}


/** At most this much of a bext or iXML chunk is read (real ones are a few KB; a damaged size must not cost memory). */
const MAX_BEXT_BYTES = 1 << 20;
const MAX_IXML_BYTES = 16 << 20;

/**
 * Builds the BWF timecode from the contents of the bext and iXML chunks (either may be null).
 *
 * - The time reference is bext TimeReference; a file with iXML but no bext uses iXML BWF_TIME_REFERENCE, then
 *   TIMESTAMP_SAMPLES_SINCE_MIDNIGHT. When bext and iXML disagree, bext wins and a warning says so.
 * - The rate is iXML TIMECODE_RATE with TIMECODE_FLAG (DF only counts for 29.97 and 59.94); bext carries no
 *   rate, so a bext-only file has a start in seconds but no start timecode unless `opts.fps` gives one.
 */
export function bwfFromChunks(
  bext: Uint8Array | null,
  ixml: Uint8Array | string | null,
  sampleRate: number,
  opts: ReadBwfOptions = {},
  littleEndian = true,
): BwfInfo | null {
  if (bext === null && ixml === null) return null;
  const warnings: string[] = [];
  const b = bext ? parseBext(bext, littleEndian) : null;
  if (bext && bext.length < 346) warnings.push(`The bext chunk is ${bext.length} bytes, too short to hold a TimeReference.`);
  const x = ixml === null ? null : parseIxml(typeof ixml === 'string' ? ixml : ixmlText(ixml));

  let reference: bigint | null = null;
  let source: BwfInfo['timeReferenceSource'] = null;
  if (b?.timeReference != null) {
    reference = b.timeReference;
    source = 'bext';
  } else if (x?.timeReference != null) {
    reference = x.timeReference;
    source = 'ixml';
  } else if (x?.timestampSamplesSinceMidnight != null && (x.timestampSampleRate === null || x.timestampSampleRate === sampleRate)) {
    reference = x.timestampSamplesSinceMidnight;
    source = 'ixml';
  }
  if (source === 'bext' && x?.timeReference != null && x.timeReference !== reference) {
    warnings.push(`bext TimeReference ${reference} and iXML BWF_TIME_REFERENCE ${x.timeReference} disagree; bext was used.`);
  }

  let rate: TimecodeRate | null = null;
  let fpsSource: BwfInfo['fpsSource'] = null;
  if (x?.timecodeRate) {
    const r = parseRateText(x.timecodeRate);
    if (r) {
      const df = x.timecodeFlag === 'DF';
      if (df && !canDropFrame(r.num, r.den)) warnings.push(`iXML says drop-frame at ${x.timecodeRate}, a rate that has no drop-frame; it was read as non-drop.`);
      rate = { ...r, dropFrame: df && canDropFrame(r.num, r.den) };
      fpsSource = 'ixml';
    } else {
      warnings.push(`iXML TIMECODE_RATE "${x.timecodeRate}" is not a rate k4sync understands.`);
    }
  }
  if (!rate && opts.fps !== undefined) {
    // The option may come straight from a command line ('auto' means "no rate given").
    const fps: unknown = opts.fps;
    if (isBwfFps(fps)) {
      rate = rateFromFps(fps);
      fpsSource = 'option';
    } else if (fps !== 'auto') {
      warnings.push(`The fps option "${String(fps)}" is not a timecode rate; the start timecode was left unknown.`);
    }
  }

  let startSeconds: number | null = null;
  let startTimecode: string | null = null;
  let startFrameFraction: number | null = null;
  if (reference !== null && sampleRate > 0) {
    startSeconds = Number(reference) / sampleRate;
    if (startSeconds >= 86400) warnings.push(`The time reference is ${startSeconds.toFixed(3)} s, more than a day after midnight; the timecode wraps at 24 hours.`);
    if (rate) {
      // A time reference between two frame boundaries (Metacorder writes such starts) keeps its exact value in
      // startSeconds; the timecode is that of the frame the first sample falls in (rounded down), and
      // startFrameFraction says how far into that frame the file starts.
      const tc = timecodeAtSample(reference, sampleRate, rate);
      startTimecode = tc.timecode;
      startFrameFraction = tc.fraction;
    }
  }
  return {
    timeReferenceSamples: b?.timeReference ?? null,
    timeReferenceSource: source,
    sampleRate,
    description: b?.description ?? null,
    originator: b?.originator ?? null,
    originatorReference: b?.originatorReference ?? null,
    originationDate: b?.originationDate ?? null,
    originationTime: b?.originationTime ?? null,
    bextVersion: b?.version ?? null,
    codingHistory: b?.codingHistory ?? null,
    ixml: x,
    startTimecode,
    startSeconds,
    startFrameFraction,
    fps: rate ? fpsName(rate) : null,
    dropFrame: rate ? rate.dropFrame : null,
    fpsSource,
    warnings,
  };
}

/** The BWF information of a walked file (null when it has neither bext nor iXML). */
export function bwfFromLayout(src: ByteSource, layout: WavLayout, opts: ReadBwfOptions = {}): BwfInfo | null {
  const bext = layout.bextChunk ? readCopy(src, layout.bextChunk.bodyOffset, Math.min(layout.bextChunk.available, MAX_BEXT_BYTES)) : null;
  const ixml = layout.ixmlChunk ? readCopy(src, layout.ixmlChunk.bodyOffset, Math.min(layout.ixmlChunk.available, MAX_IXML_BYTES)) : null;
  const sampleRate = layout.format?.sampleRate ?? 0;
  const info = bwfFromChunks(bext, ixml, sampleRate, opts, layout.littleEndian);
  if (info && sampleRate === 0) info.warnings.push('The file has no usable fmt chunk, so its time reference cannot be turned into time.');
  return info;
}

/**
 * BWF timecode of a WAV held in memory (the whole file, or at least every chunk up to bext and iXML). Null when
 * the bytes are not a WAVE file or carry neither bext nor iXML. Never throws on damaged content.
 */
export function readBwf(bytes: Uint8Array, opts: ReadBwfOptions = {}): BwfInfo | null {
  const src = new MemorySource(bytes);
  const layout = walkWav(src);
  return layout ? bwfFromLayout(src, layout, opts) : null;
}

/**
 * BWF timecode of a WAV file, reading only its chunk headers, bext and iXML (never the audio). Null for files
 * that are not WAVE files or carry no BWF metadata; K4S_UNREADABLE when the file cannot be opened.
 */
export async function readBwfFile(path: string, opts: ReadBwfOptions = {}): Promise<BwfInfo | null> {
  let src: FileSource;
  try {
    src = new FileSource(path);
  } catch (e) {
    throw new AudioError('K4S_UNREADABLE', `Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check the path.`, path);
  }
  try {
    const layout = walkWav(src);
    return layout ? bwfFromLayout(src, layout, opts) : null;
  } finally {
    src.close();
  }
}
