import { readVint } from './ebml.js';

/** Size in bytes of each frame of a block, from its lacing header; undefined when the header lies. */
export interface Lace {
  /** Bytes from the start of the block data to the first frame. */
  headerBytes: number;
  frameSizes: number[];
}

const LACING_MASK = 0x06;
const XIPH = 0x02;
const FIXED = 0x04;
const EBML = 0x06;

/**
 * Parses the frame layout of a Block or SimpleBlock. `head` holds the first bytes of the block data
 * (at least up to the end of the lace sizes when there are any); `blockSize` is the whole data size.
 * Returns undefined for a block whose numbers do not add up, or 'more' when `head` is too short.
 */
export function parseLace(head: Uint8Array, blockSize: number, trackLength: number): Lace | 'more' | undefined {
  const flagsAt = trackLength + 2;
  const flags = head[flagsAt];
  if (flags === undefined) return blockSize <= flagsAt ? undefined : 'more';
  const lacing = flags & LACING_MASK;
  if (lacing === 0) {
    const headerBytes = flagsAt + 1;
    return blockSize >= headerBytes ? { headerBytes, frameSizes: [blockSize - headerBytes] } : undefined;
  }
  const countByte = head[flagsAt + 1];
  if (countByte === undefined) return blockSize <= flagsAt + 1 ? undefined : 'more';
  const frames = countByte + 1;
  let at = flagsAt + 2;
  const sizes: number[] = [];
  if (lacing === FIXED) {
    const total = blockSize - at;
    if (total < 0 || total % frames !== 0) return undefined;
    return { headerBytes: at, frameSizes: new Array<number>(frames).fill(total / frames) };
  }
  if (lacing === XIPH) {
    for (let i = 0; i < frames - 1; i++) {
      let size = 0;
      for (;;) {
        const b = head[at];
        if (b === undefined) return at >= blockSize ? undefined : 'more';
        at++;
        size += b;
        if (b !== 255) break;
      }
      sizes.push(size);
    }
  } else if (lacing === EBML) {
    let prev = 0;
    for (let i = 0; i < frames - 1; i++) {
      const v = readVint(head, at);
      if (v === undefined) return head.length >= blockSize || head.length - at >= 8 ? undefined : 'more';
      if (v.value === null) return undefined;
      // Sizes after the first are signed differences, stored with a bias of half the vint's range.
      const size = i === 0 ? v.value : prev + v.value - (2 ** (7 * v.length - 1) - 1);
      if (size < 0 || !Number.isFinite(size)) return undefined;
      sizes.push(size);
      prev = size;
      at += v.length;
    }
  }
  const used = sizes.reduce((a, b) => a + b, 0);
  const last = blockSize - at - used;
  if (last < 0) return undefined;
  sizes.push(last);
  return { headerBytes: at, frameSizes: sizes };
}
