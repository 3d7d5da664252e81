import type { ByteSource } from '../recording/source.js';

/**
 * The RIFF chunk walker for WAV files (RIFF, RIFX, RF64 and BW64) and their `fmt ` chunk. Nothing here trusts a
 * size field: every read is clipped to the file, and a damaged file yields what could be read plus warnings, never
 * an exception from the walker itself.
 */


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

export function u16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number, le: boolean): number {
  return le
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000
    : b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

export function u64(b: Uint8Array, at: number, le: boolean): bigint {
  const lo = BigInt(u32(b, le ? at : at + 4, le));
  const hi = BigInt(u32(b, le ? at + 4 : at, le));
  return (hi << 32n) | lo;
}

/** Copy of bytes [pos, pos+len) clipped to the source (FileSource hands out a reused buffer). */
export function readCopy(src: ByteSource, pos: number, len: number): Uint8Array {
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

