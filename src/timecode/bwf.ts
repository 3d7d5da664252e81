import { FileSource, MemorySource, type ByteSource } from '../recording/source.js';
import { K4sError } from '../errors.js';

/**
 * WAV / Broadcast WAV structure: a bounds-checked RIFF chunk walker (RIFF, RIFX, RF64 and BW64), the `fmt `
 * chunk, and the timecode that field recorders store in `bext` (TimeReference: samples since midnight) and
 * iXML (TIMECODE_RATE, TIMECODE_FLAG, BWF_TIME_REFERENCE_LOW/HIGH). Nothing here trusts a size field: every
 * read is clipped to the file, and a damaged file yields what could be read plus warnings, never an exception
 * from the parser itself.
 */

// ---------------------------------------------------------------------------------------------------------
// Errors

/** Stable codes of the audio input errors; each error's message is one sentence that says what to do. */
export type AudioErrorCode = 'K4S_UNREADABLE' | 'K4S_NOT_AUDIO' | 'K4S_BAD_CHANNEL' | 'K4S_NO_FFMPEG';

export class AudioError extends K4sError {
  override readonly name = 'AudioError';

  constructor(
    override readonly code: AudioErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly path: string | null,
    /** For K4S_BAD_CHANNEL: how many channels the file has. */
    readonly channels: number | null = null,
  ) {
    super(code, message, ''); // every audio message says what to do
  }
}

export function isAudioError(e: unknown): e is AudioError {
  return e instanceof AudioError;
}

// ---------------------------------------------------------------------------------------------------------
// Timecode rates

/**
 * Timecode rates, named like the LTC decoder's `LtcRate` ('23.976' | '24' | '25' | '29.97df' | '29.97' | '30'),
 * which this type includes, plus the double rates iXML can declare.
 */
export type BwfFps =
  | '23.976' | '24' | '25' | '29.97df' | '29.97' | '30'
  | '47.952' | '48' | '50' | '59.94df' | '59.94' | '60';

export interface TimecodeRate {
  /** Real frames per second = num / den, e.g. 24000/1001. */
  num: number;
  den: number;
  dropFrame: boolean;
}

const NAMED_RATES: Record<BwfFps, TimecodeRate> = {
  '23.976': { num: 24000, den: 1001, dropFrame: false },
  '24': { num: 24, den: 1, dropFrame: false },
  '25': { num: 25, den: 1, dropFrame: false },
  '29.97df': { num: 30000, den: 1001, dropFrame: true },
  '29.97': { num: 30000, den: 1001, dropFrame: false },
  '30': { num: 30, den: 1, dropFrame: false },
  '47.952': { num: 48000, den: 1001, dropFrame: false },
  '48': { num: 48, den: 1, dropFrame: false },
  '50': { num: 50, den: 1, dropFrame: false },
  '59.94df': { num: 60000, den: 1001, dropFrame: true },
  '59.94': { num: 60000, den: 1001, dropFrame: false },
  '60': { num: 60, den: 1, dropFrame: false },
};

export function isBwfFps(s: unknown): s is BwfFps {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(NAMED_RATES, s);
}

export function rateFromFps(fps: BwfFps): TimecodeRate {
  return { ...NAMED_RATES[fps] };
}

/** The rate's name ('23.976', '29.97df', ...), or "num/den" for a rate outside the table. */
export function fpsName(rate: TimecodeRate): string {
  for (const [name, r] of Object.entries(NAMED_RATES)) {
    if (r.num * rate.den === rate.num * r.den && r.dropFrame === rate.dropFrame) return name;
  }
  return `${rate.num}/${rate.den}`;
}

/** Drop-frame numbering exists only for 30000/1001 and 60000/1001. */
function canDropFrame(num: number, den: number): boolean {
  return (num === 30000 && den === 1001) || (num === 60000 && den === 1001);
}

/**
 * Parses an iXML TIMECODE_RATE: a ratio ("24000/1001", "25/1") or, as some writers do, a number ("25",
 * "29.97", "23.976"). Null when it is neither or not positive.
 */
export function parseRateText(text: string): { num: number; den: number } | null {
  const t = text.trim();
  const ratio = /^(\d{1,9})\s*\/\s*(\d{1,9})$/.exec(t);
  if (ratio) {
    const num = Number(ratio[1]);
    const den = Number(ratio[2]);
    if (num <= 0 || den <= 0) return null;
    const g = gcd(num, den);
    // Keep x/1001 ratios as written; reduce the others (50/2 → 25/1).
    return den === 1001 ? { num, den } : { num: num / g, den: den / g };
  }
  if (/^\d{1,4}(\.\d{1,6})?$/.test(t)) {
    const v = Number(t);
    if (!(v > 0)) return null;
    for (const base of [24, 30, 48, 60]) {
      const ntsc = (base * 1000) / 1001;
      if (Math.abs(v - ntsc) < 0.006) return { num: base * 1000, den: 1001 };
    }
    if (Number.isInteger(v)) return { num: v, den: 1 };
    return null;
  }
  return null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Timecode frames per second as labelled: 24 for 23.976, 30 for 29.97. */
function nominalFps(rate: TimecodeRate): number {
  return Math.round(rate.num / rate.den);
}

/** Frames in one 24-hour timecode day, counted as labelled (drop-frame days have fewer). */
function framesPerDay(rate: TimecodeRate): number {
  const fps = nominalFps(rate);
  if (!rate.dropFrame) return fps * 86400;
  const drop = fps === 60 ? 4 : 2;
  return fps * 86400 - drop * (24 * 60 - 24 * 6);
}

/**
 * The label (HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame) of the frame `frame` frames after 00:00:00:00.
 * Frame counts past 24 hours wrap, as timecode does.
 */
export function frameLabel(frame: number, rate: TimecodeRate): string {
  const fps = nominalFps(rate);
  let f = ((Math.floor(frame) % framesPerDay(rate)) + framesPerDay(rate)) % framesPerDay(rate);
  if (rate.dropFrame) {
    // Drop-frame skips labels :00 and :01 (:00–:03 at 59.94) at the start of every minute except each tenth.
    const drop = fps === 60 ? 4 : 2;
    const per10 = fps * 600 - drop * 9;
    const perMin = fps * 60 - drop;
    const tens = Math.floor(f / per10);
    const rem = f % per10;
    f += drop * 9 * tens + (rem > drop ? drop * Math.floor((rem - drop) / perMin) : 0);
  }
  const ff = f % fps;
  const totalSeconds = Math.floor(f / fps);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${rate.dropFrame ? ';' : ':'}${pad2(ff)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
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
  const day = BigInt(framesPerDay(rate));
  const wrapped = Number(((frame % day) + day) % day);
  return { timecode: frameLabel(wrapped, rate), frame: Number(frame), fraction };
}

// ---------------------------------------------------------------------------------------------------------
// RIFF walking

export type WavContainer = 'RIFF' | 'RIFX' | 'RF64' | 'BW64';

export interface RiffChunk {
  /** The four-character code, e.g. 'fmt ', 'bext', 'iXML', 'data'. */
  id: string;
  /** Offset of the chunk header in the file. */
  offset: number;
  /** Offset of the chunk body. */
  bodyOffset: number;
  /** Body size in bytes: the header's, or for RF64/BW64 `data` the ds64 one, or for an unfinalised data chunk the bytes to the end of the file. */
  size: number;
  /** Body bytes actually present in the file (less than `size` when the file is cut short). */
  available: number;
}

export interface WavFormat {
  /** wFormatTag as written (1 PCM, 3 IEEE float, 0xFFFE extensible, ...). */
  formatTag: number;
  /** The encoding that matters: formatTag, or for WAVE_FORMAT_EXTENSIBLE the subformat's tag. */
  encoding: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Bytes each sample of one channel takes in a frame (blockAlign / channels). */
  bytesPerSample: number;
  validBitsPerSample: number | null;
  channelMask: number | null;
}

export interface WavLayout {
  container: WavContainer;
  littleEndian: boolean;
  chunks: RiffChunk[];
  /** The first chunk of each kind that matters. */
  fmtChunk: RiffChunk | null;
  dataChunk: RiffChunk | null;
  bextChunk: RiffChunk | null;
  ixmlChunk: RiffChunk | null;
  /** Parsed `fmt `, or null when absent or unusable (then `problem` says why). */
  format: WavFormat | null;
  /** Why the audio cannot be read (damaged header, no fmt/data chunk), or null. Metadata may still be usable. */
  problem: string | null;
  warnings: string[];
}

/** What the first bytes say the file is. */
export type Sniff =
  | { kind: 'wav'; container: WavContainer }
  | { kind: 'riff-other'; form: string }
  | { kind: 'truncated-riff' }
  | { kind: 'other' };

const RIFF_IDS: readonly WavContainer[] = ['RIFF', 'RIFX', 'RF64', 'BW64'];
/** A file with more chunks than this is not a recorder's WAV; stop walking rather than spin. */
const MAX_CHUNKS = 100_000;
const MAX_BEXT_BYTES = 1 << 20;
const MAX_IXML_BYTES = 16 << 20;

export function sniff(head: Uint8Array): Sniff {
  const id = ascii(head, 0, 4);
  if (!(RIFF_IDS as readonly string[]).includes(id)) return { kind: 'other' };
  if (head.length < 12) return { kind: 'truncated-riff' };
  const form = ascii(head, 8, 12);
  if (form !== 'WAVE') return { kind: 'riff-other', form };
  return { kind: 'wav', container: id as WavContainer };
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, b.length); i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A chunk id is four printable ASCII characters (space allowed, as in 'fmt ' and 'PAD '). */
function isFourcc(b: Uint8Array, at: number): boolean {
  if (at + 4 > b.length) return false;
  for (let i = at; i < at + 4; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function u16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number, le: boolean): number {
  return le
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000
    : b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

function u64(b: Uint8Array, at: number, le: boolean): bigint {
  const lo = BigInt(u32(b, le ? at : at + 4, le));
  const hi = BigInt(u32(b, le ? at + 4 : at, le));
  return (hi << 32n) | lo;
}

/** Copy of bytes [pos, pos+len) clipped to the source (FileSource hands out a reused buffer). */
function readCopy(src: ByteSource, pos: number, len: number): Uint8Array {
  return src.read(pos, len).slice();
}

/**
 * Walks the chunks of a RIFF/RIFX/RF64/BW64 WAVE file. Never throws on content: sizes that point past the
 * end, odd sizes without their pad byte, garbage after the last chunk, a missing fmt or data chunk, all end
 * up in `warnings` or `problem`. Returns null when the bytes are not a WAVE file at all.
 */
export function walkWav(src: ByteSource): WavLayout | null {
  const head = readCopy(src, 0, 12);
  const kind = sniff(head);
  if (kind.kind !== 'wav') return null;
  const container = kind.container;
  const le = container !== 'RIFX';
  const size = src.size;
  const layout: WavLayout = {
    container, littleEndian: le, chunks: [], fmtChunk: null, dataChunk: null, bextChunk: null, ixmlChunk: null,
    format: null, problem: null, warnings: [],
  };
  let ds64DataSize: bigint | null = null;
  let stoppedEarly = false;
  let pos = 12;
  while (pos + 8 <= size) {
    if (layout.chunks.length >= MAX_CHUNKS) {
      layout.warnings.push(`More than ${MAX_CHUNKS} chunks; the rest of the file was not read.`);
      stoppedEarly = true;
      break;
    }
    const hdr = readCopy(src, pos, 16);
    if (!isFourcc(hdr, 0)) {
      layout.warnings.push(`Bytes at offset ${pos} are not a chunk header; the ${size - pos} bytes from there on were ignored.`);
      stoppedEarly = true;
      break;
    }
    const id = ascii(hdr, 0, 4);
    const declared = u32(hdr, 4, le);
    const body = pos + 8;
    const remaining = size - body;
    let chunkSize = declared;
    if (id === 'ds64' && layout.chunks.length === 0 && (container === 'RF64' || container === 'BW64')) {
      const b = readCopy(src, body, Math.min(declared, 28));
      if (b.length >= 16) ds64DataSize = u64(b, 8, le);
    }
    if (id === 'data') {
      if (declared === 0xffffffff && ds64DataSize !== null) {
        chunkSize = ds64DataSize > BigInt(Number.MAX_SAFE_INTEGER) ? remaining : Number(ds64DataSize);
      } else if (declared === 0xffffffff || (declared === 0 && remaining > 0 && !isFourcc(hdr, 8))) {
        // A recorder that stopped before finalising the file leaves the size at 0 or ~0: the audio runs to the end.
        chunkSize = remaining;
        layout.warnings.push(`The data chunk's size was never filled in (the recording was not finalised); the audio was read to the end of the file.`);
      }
    }
    const chunk: RiffChunk = { id, offset: pos, bodyOffset: body, size: chunkSize, available: Math.max(0, Math.min(chunkSize, remaining)) };
    layout.chunks.push(chunk);
    if (id === 'fmt ' && !layout.fmtChunk) layout.fmtChunk = chunk;
    else if (id === 'data' && !layout.dataChunk) layout.dataChunk = chunk;
    else if (id === 'bext' && !layout.bextChunk) layout.bextChunk = chunk;
    else if (id === 'iXML' && !layout.ixmlChunk) layout.ixmlChunk = chunk;
    if (chunkSize > remaining) {
      layout.warnings.push(
        id === 'data'
          ? `The data chunk claims ${chunkSize} bytes but the file ends after ${remaining}: the file was cut short, and only the audio present was read.`
          : `The '${id}' chunk at offset ${pos} claims ${chunkSize} bytes but the file ends after ${remaining}: the file was cut short.`,
      );
      stoppedEarly = id !== 'data';
      break;
    }
    let next = body + chunkSize;
    if (chunkSize % 2 === 1 && next < size) {
      // RIFF pads odd chunks to an even size. Some writers forget the pad byte: follow whichever offset
      // holds a chunk header.
      const padded = readCopy(src, next + 1, 4);
      const unpadded = readCopy(src, next, 4);
      if (!isFourcc(padded, 0) && isFourcc(unpadded, 0) && next + 8 <= size) {
        layout.warnings.push(`The odd-sized '${id}' chunk at offset ${pos} has no pad byte.`);
      } else {
        next += 1;
      }
    }
    pos = next;
  }
  const trailing = size - pos;
  if (!stoppedEarly && trailing > 1 && trailing < 8) {
    layout.warnings.push(`${trailing} bytes after the last chunk were ignored.`);
    stoppedEarly = !layout.dataChunk;
  }

  if (!layout.fmtChunk) {
    layout.problem = stoppedEarly ? 'it is cut short or damaged before its fmt chunk' : 'it has no fmt chunk, so its sample format is unknown';
  } else if (layout.fmtChunk.available < Math.min(layout.fmtChunk.size, 16)) {
    layout.problem = 'it is cut short inside its fmt chunk';
  } else {
    const f = parseFmt(readCopy(src, layout.fmtChunk.bodyOffset, Math.min(layout.fmtChunk.available, 64)), le);
    if (typeof f === 'string') layout.problem = f;
    else layout.format = f;
  }
  if (!layout.problem && !layout.dataChunk) {
    layout.problem = stoppedEarly ? 'it is cut short or damaged before its data chunk' : 'it has no data chunk';
  }
  return layout;
}

function parseFmt(b: Uint8Array, le: boolean): WavFormat | string {
  if (b.length < 16) return 'its fmt chunk is shorter than 16 bytes';
  const formatTag = u16(b, 0, le);
  const channels = u16(b, 2, le);
  const sampleRate = u32(b, 4, le);
  const byteRate = u32(b, 8, le);
  const blockAlign = u16(b, 12, le);
  const bitsPerSample = u16(b, 14, le);
  let encoding = formatTag;
  let validBitsPerSample: number | null = null;
  let channelMask: number | null = null;
  if (formatTag === 0xfffe) {
    // WAVE_FORMAT_EXTENSIBLE: cbSize(2) validBits(2) channelMask(4) subformat GUID(16), whose first 2 bytes are the tag.
    if (b.length >= 40) {
      validBitsPerSample = u16(b, 18, le) || null;
      channelMask = u32(b, 20, le);
      encoding = u16(b, 24, le);
    } else {
      encoding = 0;
    }
  }
  if (channels === 0) return 'its fmt chunk says it has 0 channels';
  if (sampleRate === 0) return 'its fmt chunk says its sample rate is 0';
  if (blockAlign === 0 || blockAlign % channels !== 0) {
    return `its fmt chunk is inconsistent (block size ${blockAlign} bytes for ${channels} channels)`;
  }
  const bytesPerSample = blockAlign / channels;
  return { formatTag, encoding, channels, sampleRate, byteRate, blockAlign, bitsPerSample, bytesPerSample, validBitsPerSample, channelMask };
}

// ---------------------------------------------------------------------------------------------------------
// bext and iXML

export interface IxmlTrack {
  /** CHANNEL_INDEX, 1-based as iXML writes it. */
  channelIndex: number | null;
  /** INTERLEAVE_INDEX: the 1-based channel of this file that holds the track. */
  interleaveIndex: number | null;
  name: string | null;
  function: string | null;
}

export interface IxmlInfo {
  /** TIMECODE_RATE as written, e.g. "24000/1001". */
  timecodeRate: string | null;
  timecodeFlag: 'DF' | 'NDF' | null;
  /**
   * BWF_TIME_REFERENCE_HIGH/LOW combined. Some recorders (Metacorder) write the low word as a signed int32,
   * so a negative low word is read as its unsigned 32-bit value.
   */
  timeReference: bigint | null;
  /** SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI/LO (Sound Devices, Zoom) and TIMESTAMP_SAMPLE_RATE. */
  timestampSamplesSinceMidnight: bigint | null;
  timestampSampleRate: number | null;
  masterSpeed: string | null;
  project: string | null;
  scene: string | null;
  take: string | null;
  tape: string | null;
  note: string | null;
  /** FILE_UID. */
  fileUid: string | null;
  /** FILE_SET/FAMILY_UID: shared by the files of one poly take. */
  fileSetUid: string | null;
  fileSetIndex: string | null;
  fileSetTotal: number | null;
  /** PRE_RECORD_SAMPLECOUNT: samples recorded before the record button (already included in TimeReference). */
  preRecordSamples: number | null;
  tracks: IxmlTrack[];
}

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

/** A bext/iXML string: up to the first NUL (writers leave garbage after it), trimmed; empty → null. */
function bextString(b: Uint8Array, from: number, to: number): string | null {
  let end = Math.min(to, b.length);
  for (let i = from; i < end; i++) {
    if (b[i] === 0) {
      end = i;
      break;
    }
  }
  if (from >= end) return null;
  const s = Buffer.from(b.subarray(from, end)).toString('latin1').trim();
  return s === '' ? null : s;
}

interface BextFields {
  description: string | null;
  originator: string | null;
  originatorReference: string | null;
  originationDate: string | null;
  originationTime: string | null;
  timeReference: bigint | null;
  version: number | null;
  codingHistory: string | null;
}

export function parseBext(b: Uint8Array, littleEndian = true): BextFields {
  return {
    description: bextString(b, 0, 256),
    originator: bextString(b, 256, 288),
    originatorReference: bextString(b, 288, 320),
    originationDate: bextString(b, 320, 330),
    originationTime: bextString(b, 330, 338),
    timeReference: b.length >= 346 ? u64(b, 338, littleEndian) : null,
    version: b.length >= 348 ? u16(b, 346, littleEndian) : null,
    codingHistory: b.length > 602 ? bextString(b, 602, b.length) : null,
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Text of the first <NAME>…</NAME> element in `xml` (attributes allowed), entities decoded, trimmed; empty → null. */
function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`).exec(xml);
  if (!m) return null;
  const v = decodeEntities(m[1]!.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')).trim();
  return v === '' ? null : v;
}

function intTag(xml: string, name: string): number | null {
  const v = tag(xml, name);
  if (v === null || !/^[-+]?\d{1,15}$/.test(v)) return null;
  return Number(v);
}

/** A 32-bit word written as decimal text, signed or unsigned, as its unsigned value. */
function word32(v: string | null): bigint | null {
  if (v === null || !/^[-+]?\d{1,11}$/.test(v)) return null;
  const n = BigInt(v);
  if (n < -(1n << 31n) || n >= 1n << 32n) return null;
  return n < 0n ? n + (1n << 32n) : n;
}

function hiLo(hi: string | null, lo: string | null): bigint | null {
  const l = word32(lo);
  if (l === null) return null;
  const h = hi === null ? 0n : word32(hi);
  if (h === null) return null;
  return (h << 32n) | l;
}

export function parseIxml(xml: string): IxmlInfo {
  const flag = tag(xml, 'TIMECODE_FLAG')?.toUpperCase() ?? null;
  const tracks: IxmlTrack[] = [];
  const list = tag(xml, 'TRACK_LIST');
  if (list) {
    for (const m of list.matchAll(/<TRACK(?:\s[^>]*)?>([\s\S]*?)<\/TRACK\s*>/g)) {
      const t = m[1]!;
      tracks.push({
        channelIndex: intTag(t, 'CHANNEL_INDEX'),
        interleaveIndex: intTag(t, 'INTERLEAVE_INDEX'),
        name: tag(t, 'NAME'),
        function: tag(t, 'FUNCTION'),
      });
    }
  }
  const fileSet = tag(xml, 'FILE_SET') ?? '';
  return {
    timecodeRate: tag(xml, 'TIMECODE_RATE'),
    timecodeFlag: flag === 'DF' || flag === 'NDF' ? flag : null,
    timeReference: hiLo(tag(xml, 'BWF_TIME_REFERENCE_HIGH'), tag(xml, 'BWF_TIME_REFERENCE_LOW')),
    timestampSamplesSinceMidnight: hiLo(tag(xml, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI'), tag(xml, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO')),
    timestampSampleRate: intTag(xml, 'TIMESTAMP_SAMPLE_RATE'),
    masterSpeed: tag(xml, 'MASTER_SPEED'),
    project: tag(xml, 'PROJECT'),
    scene: tag(xml, 'SCENE'),
    take: tag(xml, 'TAKE'),
    tape: tag(xml, 'TAPE'),
    note: tag(xml, 'NOTE'),
    fileUid: tag(xml, 'FILE_UID'),
    fileSetUid: tag(fileSet, 'FAMILY_UID') ?? tag(xml, 'FAMILY_UID'),
    fileSetIndex: tag(fileSet, 'FILE_SET_INDEX') ?? tag(xml, 'FILE_SET_INDEX'),
    fileSetTotal: intTag(fileSet, 'TOTAL_FILES') ?? intTag(xml, 'TOTAL_FILES'),
    preRecordSamples: intTag(xml, 'PRE_RECORD_SAMPLECOUNT'),
    tracks,
  };
}

/** Decodes iXML bytes as UTF-8 (invalid bytes replaced), without the NUL padding writers append. */
function ixmlText(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return new TextDecoder('utf-8', { fatal: false }).decode(nul >= 0 ? b.subarray(0, nul) : b);
}

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
