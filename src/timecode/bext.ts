import { u16, u64 } from './riff.js';

/** The Broadcast WAV `bext` chunk (EBU Tech 3285): strings, the TimeReference (samples since midnight), version. */

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

export interface BextFields {
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
