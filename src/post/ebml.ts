import { crc32 } from 'node:zlib';
import {
  ID as RECORDING_ID, listChildren, readHeader as readElementHeader, readUint,
  type ByteSource, type Child, type ElementHeader,
} from '../recording/index.js';

/**
 * The little EBML that trim and the block locator need, reading and writing. src/recording keeps its parser to
 * itself; this is post's own, kept to element headers (payloads are never parsed here, only copied).
 */

/** Matroska element IDs used by trim and the block locator, as their raw bytes. */
export const ID = {
  ...RECORDING_ID,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Position: 0xa7,
  PrevSize: 0xab,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
} as const;

export type Header = ElementHeader;
export type { Child };
export { readUint };

/** The element header at `pos` (never reading at or past `limit`), or null when there is none to trust. */
export function readHeader(src: ByteSource, pos: number, limit: number): Header | null {
  const h = readElementHeader(src, pos, limit);
  return typeof h === 'string' ? null : h;
}

/** Children of [start, end) with known sizes inside it; stops at the first one that cannot be trusted. */
export function children(src: ByteSource, start: number, end: number): Child[] {
  return listChildren(src, start, end).children;
}

/** A copy of [pos, pos+len): ByteSource views are only valid until the next read. */
export function readCopy(src: ByteSource, pos: number, len: number): Uint8Array {
  return src.read(pos, len).slice();
}

// ---------------------------------------------------------------------------------------------------------
// Writing

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The ID keeps its own marker bits, so its byte length follows from its magnitude. */
export function idBytes(id: number): Uint8Array {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new RangeError(`bad EBML id ${id}`);
  const len = id <= 0xff ? 1 : id <= 0xffff ? 2 : id <= 0xffffff ? 3 : 4;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(id / 256 ** (len - 1 - i)) & 0xff;
  return out;
}

/** Largest value a `width`-byte vint can hold; the all-ones pattern is reserved for "unknown". */
function vintMax(width: number): bigint {
  return (1n << BigInt(7 * width)) - 2n;
}

/** A size (or any unsigned vint value): the shortest vint that holds it, or exactly `width` bytes. */
export function sizeBytes(size: number | bigint, width?: number): Uint8Array {
  if (typeof size === 'number' && !Number.isSafeInteger(size)) throw new RangeError(`${size} is not an EBML size`);
  const v = BigInt(size);
  let w = width ?? 1;
  if (width === undefined) while (w < 8 && v > vintMax(w)) w++;
  if (!Number.isInteger(w) || w < 1 || w > 8) throw new RangeError(`vint width ${w} not in 1..8`);
  if (v < 0n || v > vintMax(w)) throw new RangeError(`${size} does not fit a ${w}-byte EBML size`);
  const out = new Uint8Array(w);
  let rest = v;
  for (let i = w - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  out[0] = out[0]! | (0x80 >> (w - 1));
  return out;
}

/** The reserved all-ones size: "unknown", as a live writer leaves a Segment or Cluster it has not closed. */
export const UNKNOWN_SIZE: unique symbol = Symbol('UNKNOWN_SIZE');

function unknownSizeBytes(width: number): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || width > 8) throw new RangeError(`vint width ${width} not in 1..8`);
  const out = new Uint8Array(width).fill(0xff);
  out[0] = 0xff >> (width - 1);
  return out;
}

export function headerBytes(id: number, size: number | bigint | typeof UNKNOWN_SIZE, sizeWidth?: number): Uint8Array {
  return concat([idBytes(id), size === UNKNOWN_SIZE ? unknownSizeBytes(sizeWidth ?? 8) : sizeBytes(size, sizeWidth)]);
}

/**
 * An element around `parts`. `size` overrides the size field (unknown, or a value that is not the data's length: how
 * a file cut or written over looks), `sizeWidth` fixes its width (a field patched later keeps its place).
 */
export function element(
  id: number,
  parts: Uint8Array | readonly Uint8Array[],
  opts: { size?: number | bigint | typeof UNKNOWN_SIZE; sizeWidth?: number } = {},
): Uint8Array {
  const data = parts instanceof Uint8Array ? parts : concat(parts);
  return concat([headerBytes(id, opts.size ?? data.length, opts.sizeWidth), data]);
}

/** Big-endian unsigned integer in as few bytes as it needs (at least one). */
export function uintBytes(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`negative unsigned integer ${v}`);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return Uint8Array.from(bytes);
}

export function uintElement(id: number, value: number | bigint): Uint8Array {
  return element(id, uintBytes(value));
}

/** Big-endian two's complement in as few bytes as it needs, or exactly `fixedLength` (a block's relative time: 2). */
export function intBytes(value: number | bigint, fixedLength?: number): Uint8Array {
  const v = BigInt(value);
  let n = fixedLength ?? 1;
  if (fixedLength === undefined) {
    while (n < 8 && (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1))) n++;
  }
  const out = new Uint8Array(n);
  let rest = BigInt.asUintN(8 * n, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

export function intElement(id: number, value: number | bigint): Uint8Array {
  return element(id, intBytes(value));
}

/** Fixed 8-byte unsigned integer, for values patched later. */
export function uint64Bytes(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** A float element: 8 bytes (trim's Duration), or 4 as some writers store Duration. */
export function floatElement(id: number, value: number, bytes: 4 | 8 = 8): Uint8Array {
  const data = new Uint8Array(bytes);
  const view = new DataView(data.buffer);
  if (bytes === 4) view.setFloat32(0, value);
  else view.setFloat64(0, value);
  return element(id, data);
}

export function stringElement(id: number, value: string): Uint8Array {
  return element(id, new TextEncoder().encode(value));
}

/** A Void element of exactly `total` bytes (at least 2). */
export function voidElement(total: number): Uint8Array {
  if (total < 2) throw new RangeError(`a Void element needs at least 2 bytes, not ${total}`);
  // One byte of ID; the size vint takes up to 8 bytes, never more than what is left.
  const width = Math.min(8, total - 1);
  const out = new Uint8Array(total);
  out[0] = ID.Void;
  out.set(sizeBytes(total - 1 - width, width), 1);
  return out;
}

/** EBML CRC-32 element over `data`: IEEE CRC-32 stored little-endian (RFC 8794 §11.3.1). */
export function crcElement(crc: number): Uint8Array {
  const out = new Uint8Array(6);
  out[0] = ID.CRC32;
  out[1] = 0x84;
  new DataView(out.buffer).setUint32(2, crc >>> 0, true);
  return out;
}

/** A master element with a CRC-32 as its first child, computed over the other children. */
export function elementWithCrc(id: number, body: Uint8Array): Uint8Array {
  return element(id, [crcElement(crc32(body)), body]);
}
