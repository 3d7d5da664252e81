import type { ByteSource } from '../recording/index.js';
import { readLayout, type SegmentLayout } from './blocks.js';
import { ID, sizeBytes, type Header } from './ebml.js';

/** Top-level elements that are headers wherever they lie. */
const HEADER_IDS: ReadonlySet<number> = new Set([ID.Info, ID.Tracks, ID.Attachments, ID.Tags, ID.Chapters]);

/**
 * The layout of a recording read to the end of the file, whatever its Segment size says. A writer killed after a
 * flush leaves the size of that flush, with clusters written past it: the file is read as if the size were 0, which
 * is what k4arecord leaves before its first flush and what readers take as "to the end of the file".
 */
export function wholeFileLayout(src: ByteSource, path: string): SegmentLayout {
  const declared = readLayout(src, path);
  const { segment } = declared;
  const layout = segment.size === 0 || segment.size === null ? declared : readLayout(sizeZeroView(src, segment), path);
  // After the first cluster, a killed writer can leave the tail of an index it was writing over: only elements
  // that are headers by their ID are taken for headers there.
  const first = layout.firstCluster;
  return { ...layout, headerElements: layout.headerElements.filter((e) => first === null || e.start < first || HEADER_IDS.has(e.id)) };
}

/** `src` with the Segment's size field reading 0 (same width); every other byte as it is. */
function sizeZeroView(src: ByteSource, segment: Header): ByteSource {
  const at = segment.start + 4; // the Segment ID is 4 bytes
  const zero = sizeBytes(0, segment.dataStart - at);
  return {
    get size() {
      return src.size;
    },
    get bytesRead() {
      return src.bytesRead;
    },
    close: () => src.close(),
    read(pos, len) {
      const bytes = src.read(pos, len);
      if (pos >= at + zero.length || pos + bytes.length <= at) return bytes;
      const patched = bytes.slice();
      for (let i = 0; i < zero.length; i++) {
        const k = at + i - pos;
        if (k >= 0 && k < patched.length) patched[k] = zero[i]!;
      }
      return patched;
    },
  };
}
