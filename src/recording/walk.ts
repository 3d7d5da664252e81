import { readHeader, type ElementHeader } from './ebml.js';
import type { ByteSource } from './source.js';

/** A child element whose size is known and lies inside its parent. */
export interface Child extends ElementHeader {
  size: number;
  end: number;
}

/** Why a walk over an element's children stopped before the parent's end. */
export interface WalkStop {
  reason: 'eof' | 'bad-id' | 'bad-size' | 'overflow' | 'unknown-size';
  at: number;
}

/**
 * Lists the children of the element data [start, end). Stops at the first child that cannot be
 * trusted (a size running past the parent, an invalid ID) and says where, so callers decide whether
 * that is truncation (the file ends) or corruption.
 */
export function listChildren(src: ByteSource, start: number, end: number): { children: Child[]; stop: WalkStop | null } {
  const children: Child[] = [];
  let pos = start;
  while (pos < end) {
    const h = readHeader(src, pos, end);
    if (typeof h === 'string') return { children, stop: { reason: h, at: pos } };
    if (h.size === null) return { children, stop: { reason: 'unknown-size', at: pos } };
    const childEnd = h.dataStart + h.size;
    if (childEnd > end) return { children, stop: { reason: 'overflow', at: pos } };
    children.push({ ...h, size: h.size, end: childEnd });
    pos = childEnd;
  }
  return { children, stop: null };
}

/** Reads a child's data. Header elements only: payload-bearing elements are never passed here. */
export function dataOf(src: ByteSource, child: Child): Uint8Array {
  return src.read(child.dataStart, child.size);
}
