import { readFloat, readInt, readString, readUint, readUintBig } from './ebml.js';
import { ID } from './ids.js';
import { MemorySource, type ByteSource } from './source.js';
import type { AttachmentInfo, SegmentInfo, Tag, TagTarget, TrackInfo } from './types.js';
import { dataOf, listChildren, type Child } from './walk.js';

/** Matroska's default TimecodeScale when Info omits it. */
const DEFAULT_TIMECODE_SCALE_NS = 1_000_000;
/** Matroska DateUTC counts nanoseconds from the start of the third millennium. */
const MATROSKA_EPOCH_MS = Date.UTC(2001, 0, 1);
const BITMAPINFOHEADER_BYTES = 40;
/** A file name or MIME type longer than this is damage, not a name. */
const MAX_ATTACHMENT_FIELD_BYTES = 64 * 1024;

export interface ParseNotes {
  warn(code: string, message: string, offset?: number): void;
}

/**
 * Header elements are small, so each is read whole and parsed from memory. `base` is the file offset of
 * the element's data, kept so that problems are reported at file positions.
 */
function inMemory(src: ByteSource, el: Child): { mem: MemorySource; base: number } {
  return { mem: new MemorySource(dataOf(src, el).slice()), base: el.dataStart };
}

function children(mem: MemorySource, start: number, end: number, base: number, what: string, notes: ParseNotes): Child[] {
  const { children: list, stop } = listChildren(mem, start, end);
  if (stop) notes.warn('K4S_CORRUPT', `${what} has a damaged element (${stop.reason}); the rest of it was ignored.`, base + stop.at);
  return list;
}

export function parseInfo(src: ByteSource, el: Child, notes: ParseNotes): SegmentInfo {
  const { mem, base } = inMemory(src, el);
  const info: SegmentInfo = {
    timecodeScaleNs: DEFAULT_TIMECODE_SCALE_NS,
    muxingApp: null,
    writingApp: null,
    title: null,
    dateUtc: null,
    durationUs: null,
  };
  let durationTicks: number | null = null;
  for (const c of children(mem, 0, mem.size, base, 'Info', notes)) {
    const d = dataOf(mem, c);
    switch (c.id) {
      case ID.TimecodeScale: {
        const v = readUint(d);
        if (v > 0) info.timecodeScaleNs = v;
        else notes.warn('K4S_CORRUPT', 'TimecodeScale is 0; assumed the Matroska default of 1 ms.', base + c.start);
        break;
      }
      case ID.MuxingApp: info.muxingApp = readString(d); break;
      case ID.WritingApp: info.writingApp = readString(d); break;
      case ID.Title: info.title = readString(d); break;
      case ID.DateUTC: if (d.length === 8) info.dateUtc = new Date(MATROSKA_EPOCH_MS + readInt(d) / 1e6); break;
      case ID.Duration: durationTicks = readFloat(d); break;
    }
  }
  if (durationTicks !== null && Number.isFinite(durationTicks)) info.durationUs = (durationTicks * info.timecodeScaleNs) / 1000;
  return info;
}

function fourccOf(b: Uint8Array): string {
  return String.fromCharCode(...b.subarray(16, 20));
}

function parseTrackEntry(mem: MemorySource, entry: Child, base: number, notes: ParseNotes): TrackInfo | null {
  const t: TrackInfo = {
    number: 0, uid: null, name: '', type: 0, codecId: '', fourcc: null,
    width: null, height: null, bitCount: null, defaultDurationNs: null, builtin: null,
  };
  for (const c of children(mem, entry.dataStart, entry.end, base, 'A track entry', notes)) {
    const d = dataOf(mem, c);
    switch (c.id) {
      case ID.TrackNumber: t.number = readUint(d); break;
      case ID.TrackUID: t.uid = readUintBig(d); break;
      case ID.TrackType: t.type = readUint(d); break;
      case ID.CodecID: t.codecId = readString(d); break;
      case ID.Name: t.name = readString(d); break;
      case ID.DefaultDuration: t.defaultDurationNs = readUint(d); break;
      case ID.CodecPrivate:
        if (d.length >= BITMAPINFOHEADER_BYTES && t.codecId !== 'S_K4A/IMU') {
          const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
          // A BITMAPINFOHEADER only where it claims to be one: biSize is its own length.
          if (dv.getUint32(0, true) >= BITMAPINFOHEADER_BYTES) {
            t.width ??= dv.getUint32(4, true);
            t.height ??= Math.abs(dv.getInt32(8, true));
            t.bitCount = dv.getUint16(14, true);
            t.fourcc = fourccOf(d);
          }
        }
        break;
      case ID.Video:
        for (const v of children(mem, c.dataStart, c.end, base, 'A video track', notes)) {
          if (v.id === ID.PixelWidth) t.width = readUint(dataOf(mem, v));
          if (v.id === ID.PixelHeight) t.height = readUint(dataOf(mem, v));
        }
        break;
    }
  }
  if (t.number === 0 || !Number.isSafeInteger(t.number)) {
    notes.warn('K4S_CORRUPT', 'A track has no valid track number and was ignored.', base + entry.start);
    return null;
  }
  return t;
}

export function parseTracks(src: ByteSource, el: Child, notes: ParseNotes): TrackInfo[] {
  const { mem, base } = inMemory(src, el);
  const tracks: TrackInfo[] = [];
  for (const c of children(mem, 0, mem.size, base, 'Tracks', notes)) {
    if (c.id !== ID.TrackEntry) continue;
    const t = parseTrackEntry(mem, c, base, notes);
    if (t && !tracks.some((x) => x.number === t.number)) tracks.push(t);
  }
  return tracks;
}

function parseTargets(mem: MemorySource, el: Child, base: number, notes: ParseNotes): TagTarget {
  let type: string | null = null;
  let track: bigint | null = null;
  let attachment: bigint | null = null;
  let other = false;
  for (const c of children(mem, el.dataStart, el.end, base, 'Tag targets', notes)) {
    const d = dataOf(mem, c);
    if (c.id === ID.TargetType) type = readString(d);
    else if (c.id === ID.TagTrackUID) track = readUintBig(d);
    else if (c.id === ID.TagAttachmentUID) attachment = readUintBig(d);
    else other = true;
  }
  // UID 0 means "all" in Matroska, which for our purposes is a global tag.
  if (track) return { kind: 'track', uid: track };
  if (attachment) return { kind: 'attachment', uid: attachment };
  return other || type ? { kind: 'other', type } : { kind: 'global' };
}

export function parseTags(src: ByteSource, el: Child, notes: ParseNotes): Tag[] {
  const { mem, base } = inMemory(src, el);
  const tags: Tag[] = [];
  for (const tag of children(mem, 0, mem.size, base, 'Tags', notes)) {
    if (tag.id !== ID.Tag) continue;
    let target: TagTarget = { kind: 'global' };
    const simple: Child[] = [];
    for (const c of children(mem, tag.dataStart, tag.end, base, 'A tag', notes)) {
      if (c.id === ID.Targets) target = parseTargets(mem, c, base, notes);
      else if (c.id === ID.SimpleTag) simple.push(c);
    }
    for (const s of simple) {
      let name: string | null = null;
      let value = '';
      for (const c of children(mem, s.dataStart, s.end, base, 'A tag', notes)) {
        if (c.id === ID.TagName) name = readString(dataOf(mem, c));
        else if (c.id === ID.TagString) value = readString(dataOf(mem, c));
      }
      if (name !== null) tags.push({ name, value, target });
    }
  }
  return tags;
}

/** The SeekHead's entries: element ID → position relative to the Segment data (first entry per ID wins). */
export function parseSeekHead(src: ByteSource, el: Child, notes: ParseNotes): Map<number, number> {
  const { mem, base } = inMemory(src, el);
  const out = new Map<number, number>();
  for (const seek of children(mem, 0, mem.size, base, 'SeekHead', notes)) {
    if (seek.id !== ID.Seek) continue;
    let id: number | null = null;
    let position: number | null = null;
    for (const c of children(mem, seek.dataStart, seek.end, base, 'A seek entry', notes)) {
      if (c.id === ID.SeekID && c.size <= 4) id = readUint(dataOf(mem, c));
      else if (c.id === ID.SeekPosition && c.size <= 8) position = readUint(dataOf(mem, c));
    }
    if (id !== null && position !== null && !out.has(id)) out.set(id, position);
  }
  return out;
}

/**
 * Attachments may hold large user files, so they are walked in place and only their names and
 * positions are kept; the calibration is read later by position.
 */
export function parseAttachments(src: ByteSource, el: Child, notes: ParseNotes): AttachmentInfo[] {
  const out: AttachmentInfo[] = [];
  const top = listChildren(src, el.dataStart, el.end);
  if (top.stop) notes.warn('K4S_CORRUPT', `Attachments has a damaged element (${top.stop.reason}).`, top.stop.at);
  for (const file of top.children) {
    if (file.id !== ID.AttachedFile) continue;
    const a: AttachmentInfo = { fileName: '', mimeType: null, uid: null, size: 0, offset: 0 };
    const inner = listChildren(src, file.dataStart, file.end);
    if (inner.stop) notes.warn('K4S_CORRUPT', `An attachment has a damaged element (${inner.stop.reason}).`, inner.stop.at);
    for (const c of inner.children) {
      if (c.id === ID.FileData) {
        a.size = c.size;
        a.offset = c.dataStart;
        continue;
      }
      if (c.size > MAX_ATTACHMENT_FIELD_BYTES) continue;
      const d = dataOf(src, c);
      if (c.id === ID.FileName) a.fileName = readString(d);
      else if (c.id === ID.FileMimeType) a.mimeType = readString(d);
      else if (c.id === ID.FileUID) a.uid = readUintBig(d);
    }
    out.push(a);
  }
  return out;
}
