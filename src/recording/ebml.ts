import type { ByteSource } from './source.js';

/** An element header as found in the file. `size` is null for an unknown (all-ones) size. */
export interface ElementHeader {
  id: number;
  start: number;
  dataStart: number;
  size: number | null;
}

export type HeaderProblem = 'eof' | 'bad-id' | 'bad-size';

/** Longest element header: a 4-byte ID and an 8-byte size. */
export const MAX_HEADER_BYTES = 12;

/** Length of a vint from its first byte (1..8), or 0 when the first byte is 0 (not a vint). */
export function vintLength(first: number): number {
  return first === 0 ? 0 : Math.clz32(first) - 23;
}

/**
 * Reads an unsigned vint at `at` in `buf`. Returns the value (null for the reserved all-ones value, i.e.
 * an unknown size) and its length, or undefined if the bytes are not a vint or run past the buffer.
 * Values past 2^53 cannot be positions in any file, so they come back as Infinity and fail bounds checks.
 */
export function readVint(buf: Uint8Array, at: number): { value: number | null; length: number } | undefined {
  const first = buf[at];
  if (first === undefined) return undefined;
  const length = vintLength(first);
  if (length === 0 || at + length > buf.length) return undefined;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = buf[at + i]!;
    value = value * 256 + b;
    if (b !== 0xff) allOnes = false;
  }
  if (allOnes) return { value: null, length };
  return { value: value > Number.MAX_SAFE_INTEGER ? Infinity : value, length };
}

/** Parses the ID and size at the start of `buf` (which starts at file offset `pos`). */
export function parseHeader(buf: Uint8Array, pos: number): ElementHeader | HeaderProblem {
  const first = buf[0];
  if (first === undefined) return 'eof';
  const idLength = vintLength(first);
  if (idLength === 0 || idLength > 4) return 'bad-id';
  if (buf.length < idLength + 1) return 'eof';
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + buf[i]!;
  const sizeFirst = buf[idLength]!;
  const sizeLength = vintLength(sizeFirst);
  if (sizeLength === 0) return 'bad-size';
  if (buf.length < idLength + sizeLength) return 'eof';
  const size = readVint(buf, idLength)!;
  return { id, start: pos, dataStart: pos + idLength + sizeLength, size: size.value };
}

/** Reads the element header at `pos`, never looking at or past `limit`. */
export function readHeader(src: ByteSource, pos: number, limit: number): ElementHeader | HeaderProblem {
  const buf = src.read(pos, Math.min(MAX_HEADER_BYTES, limit - pos));
  return parseHeader(buf, pos);
}

export function readUint(buf: Uint8Array): number {
  let v = 0;
  for (const b of buf) v = v * 256 + b;
  return v;
}

/** Unsigned integer as bigint: UIDs use all 64 bits. */
export function readUintBig(buf: Uint8Array): bigint {
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  return v;
}

export function readInt(buf: Uint8Array): number {
  if (buf.length === 0) return 0;
  let v = readUint(buf);
  if (buf[0]! & 0x80) v -= 2 ** (8 * buf.length);
  return v;
}

export function readIntBig(buf: Uint8Array): bigint {
  if (buf.length === 0) return 0n;
  const v = readUintBig(buf);
  return buf[0]! & 0x80 ? v - (1n << BigInt(8 * buf.length)) : v;
}

export function readFloat(buf: Uint8Array): number | null {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length === 4) return dv.getFloat32(0);
  if (buf.length === 8) return dv.getFloat64(0);
  return buf.length === 0 ? 0 : null;
}

const utf8 = new TextDecoder('utf-8');

/** EBML strings may be NUL-padded; the padding is not part of the value. */
export function readString(buf: Uint8Array): string {
  const nul = buf.indexOf(0);
  return utf8.decode(nul < 0 ? buf : buf.subarray(0, nul));
}
