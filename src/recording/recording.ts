import { OFFICIAL_READER_START_OFFSET_LIMIT_US } from './device-family.js';
import { ClusterScanner, HOST_TIME_TRACK, TrackSink, type BlockRef, type ClusterEnd } from './clusters.js';
import { integerTag, identifyTracks, looksLikeK4a, readConfiguration, readK4aTags, tagValue } from './configuration.js';
import { readHeader, readString, readUint, type ElementHeader } from './ebml.js';
import { RecordingError, type RecordingErrorCode } from './errors.js';
import { parseAttachments, parseInfo, parseSeekHead, parseTags, parseTracks, type ParseNotes } from './header.js';
import { ID, SEGMENT_LEVEL_IDS } from './ids.js';
import { FileSource, type ByteSource } from './source.js';
import type {
  LayoutElement, AttachmentInfo, Calibration, CustomTrackSummary, FileEnding, PastIndex, Recording, RecordingWarning, SegmentInfo, StartOffset, Tag,
  TrackInfo,
} from './types.js';
import { dataOf, listChildren, type Child } from './walk.js';

/** Info, Tracks and Tags are read whole; anything this large is damage, not a header. */
const MAX_HEADER_ELEMENT_BYTES = 64 * 1024 * 1024;
const MAX_CALIBRATION_BYTES = 16 * 1024 * 1024;
/** How far past damage the reader looks for the next cluster before giving up. */
const RESYNC_WINDOW_BYTES = 256 * 1024 * 1024;
const RESYNC_CHUNK_BYTES = 1024 * 1024;
const CLUSTER_ID_BYTES = [0x1f, 0x43, 0xb6, 0x75];
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
/** The EBML header holds a handful of short strings and numbers; anything larger is a damaged size. */
const MAX_EBML_HEADER_BYTES = 4096;

/**
 * Opens an Azure Kinect recording and reads everything k4sync needs from it: header, tags, calibration,
 * and the device timestamp of every COLOR, DEPTH and IR block and IMU sample. Payloads are skipped.
 * Throws RecordingError (with a stable code) for input that is not a usable recording.
 */
export interface ReadOptions {
  /**
   * Keep every IMU sample time (default true). The audit and post-processing do not use them, and on a long take
   * they are most of the timestamps: without them memory stays small. The first sample is still read (it recovers
   * the start offset of an unfinalized file); `imu` then reports an empty sample list.
   */
  imuSamples?: boolean;
}

export function readRecording(path: string, opts: ReadOptions = {}): Recording {
  let src: FileSource;
  try {
    src = new FileSource(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code;
    const why =
      reason === 'ENOENT' ? 'there is no such file' :
      reason === 'EISDIR' ? 'it is a folder, not a file' :
      reason === 'EACCES' ? 'permission was denied' : `it could not be opened (${reason ?? String(e)})`;
    throw new RecordingError('K4S_UNREADABLE', `Cannot read ${path}: ${why}. Check the path.`, path);
  }
  try {
    return readRecordingFrom(src, path, opts);
  } finally {
    src.close();
  }
}

class Reader implements ParseNotes {
  readonly warnings: RecordingWarning[] = [];
  info: SegmentInfo | null = null;
  tracks: TrackInfo[] | null = null;
  tags: Tag[] = [];
  attachments: AttachmentInfo[] = [];
  scanner: ClusterScanner | null = null;
  sinks = new Map<number, TrackSink>();
  truncatedAt: number | null = null;
  segmentDataStart = 0;
  /** Where a sized Segment says it ends; null for size 0 or unknown. */
  declaredEnd: number | null = null;
  segmentUnknownSize = false;
  /** The SeekHead's Cues entry points at something else (a cluster written over the index): where that index was. */
  overwrittenCuesAt: number | null = null;
  /** The SeekHead's Cues entry points past the end of the file: the file is cut short before its index. */
  cuesBeyondEnd = false;
  /** The last Cues element found after a cluster. */
  cuesAt: number | null = null;
  /** A Cues element before the first cluster, as other muxers write it: an index of what follows. */
  frontCues = false;
  lastClusterAt: number | null = null;
  /** The first cluster no index covers, with what each built-in track held before it; null while every cluster is covered. */
  past: { fromByte: number; before: Counts } | null = null;
  clusters = 0;
  keepImu = true;
  handOut = true;
  ebmlEnd = 0;
  segment: ElementHeader | null = null;
  firstClusterAt: number | null = null;
  headerElements: LayoutElement[] = [];

  constructor(readonly src: ByteSource, readonly path: string) {}

  warn(code: string, message: string, offset?: number): void {
    if (this.warnings.length < 100 && !this.warnings.some((w) => w.code === code && w.message === message)) {
      this.warnings.push(offset === undefined ? { code, message } : { code, message, offset });
    }
  }

  fail(code: RecordingErrorCode, message: string, offset: number | null = null): never {
    throw new RecordingError(code, message, this.path, offset);
  }
}

export function readRecordingFrom(src: ByteSource, path: string, opts: ReadOptions = {}): Recording {
  // The same walk, handing out no blocks: nothing is allocated per block that nobody reads.
  const walk = walkRecording(src, path, opts, false);
  for (;;) {
    const step = walk.next();
    if (step.done) return step.value;
  }
}

/**
 * The one block walker: every block of a recording in file order, as the reader accepts it (damage skipped and
 * resynchronized past, a stale Segment size read past to the end of the file, laced blocks with their frame layout),
 * and, when the walk is done, the Recording itself. The audit's timestamp scan is this walk drained; trim, preview
 * and recover consume its blocks, so they work on exactly the frames the audit reads.
 */
export function walkBlocks(src: ByteSource, path: string, opts: ReadOptions = {}): Generator<BlockRef, Recording> {
  return walkRecording(src, path, opts, true);
}

function* walkRecording(src: ByteSource, path: string, opts: ReadOptions, handOut: boolean): Generator<BlockRef, Recording> {
  const r = new Reader(src, path);
  r.handOut = handOut;
  r.keepImu = opts.imuSamples !== false;
  const segment = readPreamble(r);
  r.segment = segment;
  sizeSegment(r, segment);
  yield* readSegment(r, segment.dataStart);
  return assemble(r);
}

function readPreamble(r: Reader): ElementHeader {
  const { src } = r;
  const magic = src.read(0, 4);
  if (src.size === 0) r.fail('K4S_NOT_EBML', `${r.path} is empty. It is not a recording; record the take again or pick another file.`);
  // Fewer than 4 bytes that begin the EBML magic are the start of a recording with the rest missing.
  if (magic.length < 4 && magic.every((b, i) => b === EBML_MAGIC[i])) cutShort(r, 0, 'inside its EBML header');
  if (magic.length < 4 || readUint(magic) !== ID.EBML) {
    r.fail('K4S_NOT_EBML', `${r.path} is not a Matroska (MKV) file: it does not start with an EBML header. Point k4sync at the .mkv files of a take.`, 0);
  }
  const ebml = readHeader(src, 0, src.size);
  // An EBML header is a few dozen bytes: one that runs past the end of the file by a header's worth was cut; a size
  // far larger than any EBML header is wrong bytes.
  if (ebml === 'eof' || (typeof ebml !== 'string' && ebml.size !== null && ebml.size <= MAX_EBML_HEADER_BYTES && ebml.dataStart + ebml.size > src.size)) {
    cutShort(r, 0, 'inside its EBML header');
  }
  if (typeof ebml === 'string' || ebml.size === null || ebml.dataStart + ebml.size > src.size) {
    r.fail('K4S_CORRUPT', `${r.path} has a damaged EBML header: its bytes are not a valid header. The file is corrupt; copy it again from the recording drive.`, 0);
  }
  const { children, stop } = listChildren(src, ebml.dataStart, ebml.dataStart + ebml.size);
  if (stop) r.fail('K4S_CORRUPT', `${r.path} has a damaged EBML header (${stop.reason}).`, stop.at);
  const docTypeEl = children.find((c) => c.id === ID.DocType);
  const docType = docTypeEl && docTypeEl.size <= 64 ? readString(dataOf(src, docTypeEl)) : 'matroska';
  if (docType !== 'matroska') {
    r.fail('K4S_NOT_MATROSKA', `${r.path} is an EBML file of type "${docType}", not Matroska; Azure Kinect recordings are .mkv files.`, 0);
  }
  let pos = ebml.dataStart + ebml.size;
  r.ebmlEnd = pos;
  for (;;) {
    const h = readHeader(src, pos, src.size);
    if (h === 'eof') {
      if (pos === src.size) r.fail('K4S_TRUNCATED', `${r.path} ends right after its EBML header: the recording holds no data. It was cut short while being written or copied; good data ends at byte ${pos}.`, pos);
      cutShort(r, pos, 'inside its Segment header');
    }
    if (typeof h === 'string') r.fail('K4S_CORRUPT', `${r.path} is damaged right after its EBML header.`, pos);
    if (h.id === ID.Segment) return h;
    if ((h.id !== ID.Void && h.id !== ID.CRC32) || h.size === null) {
      r.fail('K4S_CORRUPT', `${r.path} has no Matroska Segment after its EBML header.`, pos);
    }
    pos = h.dataStart + h.size;
  }
}

/**
 * A Segment sized 0 (k4arecord before its first flush) or unknown runs to the end of the file. A sized one is read to
 * the end of the file too: k4arecord writes the size at each flush and keeps appending clusters, so a recorder killed
 * mid-take leaves the size of its last flush with complete clusters after it.
 */
function sizeSegment(r: Reader, segment: ElementHeader): void {
  r.segmentDataStart = segment.dataStart;
  r.segmentUnknownSize = segment.size === null;
  if (segment.size === null || segment.size === 0) return;
  const end = segment.dataStart + segment.size;
  r.declaredEnd = end;
}

/** Past a Segment's declared end only what a writer appends after a flush continues it; anything else is not ours. */
const CONTINUES_SEGMENT: ReadonlySet<number> = new Set([ID.Cluster, ID.Cues, ID.Void]);

function* readSegment(r: Reader, start: number): Generator<BlockRef, void> {
  const { src } = r;
  const end = src.size;
  let pos = start;
  while (pos < end) {
    const h = readHeader(src, pos, end);
    if (h === 'eof') {
      r.truncatedAt = pos;
      break;
    }
    if (r.declaredEnd !== null && pos >= r.declaredEnd && (typeof h === 'string' || !CONTINUES_SEGMENT.has(h.id))) {
      r.warn('K4S_CORRUPT', `The ${end - pos} bytes after the end of the Segment (byte ${pos}) are not part of the recording; they were ignored.`, pos);
      break;
    }
    const bad = typeof h === 'string' || (h.size === null && h.id !== ID.Cluster);
    const overruns = typeof h !== 'string' && h.size !== null && h.dataStart + h.size > end;
    if (!bad && overruns && h.id !== ID.Cluster && isCut(r, h as ElementHeader)) {
      // Missing bytes, not wrong ones: a header element cut before the first cluster leaves no recording to read.
      if (!r.scanner) cutShort(r, pos, `inside its ${elementName(h.id)} element`);
      r.truncatedAt = pos;
      break;
    }
    if (bad || (overruns && h.id !== ID.Cluster)) {
      const next = damaged(r, pos, end, bad ? 'an element with an invalid header' : 'an element whose size runs past the end of the file');
      if (next === null) break;
      pos = next;
      continue;
    }
    const el = h as ElementHeader;
    if (el.id === ID.Cluster) {
      const result = yield* scanCluster(r, el, end);
      if (result.truncatedAt !== undefined) {
        r.truncatedAt = result.truncatedAt;
        break;
      }
      if (result.corruptAt !== undefined) {
        const next = damaged(r, result.corruptAt, end, 'a damaged element inside a cluster');
        if (next === null) break;
        pos = next;
        continue;
      }
      pos = result.next;
      continue;
    }
    const child = { ...el, size: el.size!, end: el.dataStart + el.size! } as Child;
    if (child.id === ID.Cues) foundCues(r, child.start);
    else readHeaderElement(r, child);
    noteLayout(r, child);
    pos = child.end;
  }
  // A file that ends on an element boundary short of where its Segment says it ends was cut there.
  if (r.truncatedAt === null && r.declaredEnd !== null && r.declaredEnd > end) r.truncatedAt = end;
}

/**
 * Whether an element whose data runs past the end of the file was cut (missing bytes) rather than sized wrong (bad
 * bytes). Inside a sized Segment the Segment says where the data should end: an element ending within it was cut. A
 * Segment of size 0 or unknown (an unfinalized file) says nothing, so a Segment-level ID of plausible size is taken
 * for a cut element.
 */
function isCut(r: Reader, h: ElementHeader): boolean {
  const elementEnd = h.dataStart + h.size!;
  if (r.declaredEnd !== null && h.start < r.declaredEnd) return elementEnd <= r.declaredEnd;
  return SEGMENT_LEVEL_IDS.has(h.id) && h.size! <= MAX_HEADER_ELEMENT_BYTES;
}

/** A file cut inside its header: nothing after `at` was written, so there is no recording to read. */
function cutShort(r: Reader, at: number, where: string): never {
  r.fail('K4S_TRUNCATED', `${r.path} is cut short: it ends at byte ${r.src.size}, ${where}, so good data ends at byte ${at} and it holds no readable recording. It was cut short while being written or copied; copy it again from the recording drive.`, at);
}

function elementName(id: number): string {
  return Object.entries(ID).find(([, v]) => v === id)?.[0] ?? `0x${id.toString(16)}`;
}

/** Elements that are headers wherever they lie; the only ones taken for headers after the first cluster. */
const HEADER_IDS: ReadonlySet<number> = new Set([ID.Info, ID.Tracks, ID.Attachments, ID.Tags, ID.Chapters]);
/** The index and padding: a rewriter writes its own. */
const NOT_LAYOUT: ReadonlySet<number> = new Set([ID.SeekHead, ID.Cues, ID.Void, ID.CRC32]);

/**
 * Top-level elements a rewriter copies or rewrites. After the first cluster a killed writer can leave the tail of an
 * index it was writing over: there only elements that are headers by their ID are taken for headers.
 */
function noteLayout(r: Reader, el: Child): void {
  if (NOT_LAYOUT.has(el.id) || (r.clusters > 0 && !HEADER_IDS.has(el.id))) return;
  r.headerElements.push({ id: el.id, start: el.start, dataStart: el.dataStart, size: el.size, end: el.end });
}

function readHeaderElement(r: Reader, el: Child): void {
  const big = el.size > MAX_HEADER_ELEMENT_BYTES;
  switch (el.id) {
    case ID.Info:
      if (big) r.fail('K4S_CORRUPT', 'The Info element is implausibly large; the file is corrupt.', el.start);
      r.info ??= parseInfo(r.src, el, r);
      break;
    case ID.Tracks:
      if (big) r.fail('K4S_CORRUPT', 'The Tracks element is implausibly large; the file is corrupt.', el.start);
      r.tracks ??= parseTracks(r.src, el, r);
      break;
    case ID.Tags:
      if (big) r.warn('K4S_CORRUPT', 'A Tags element is implausibly large and was skipped.', el.start);
      else r.tags.push(...parseTags(r.src, el, r));
      break;
    case ID.Attachments:
      r.attachments.push(...parseAttachments(r.src, el, r));
      break;
    case ID.SeekHead:
      if (!big && r.clusters === 0) checkSeekHead(r, el);
      break;
  }
}

/** Where the SeekHead says the Cues are, and whether they are still there: a crashed k4arecord file has a cluster there. */
function checkSeekHead(r: Reader, el: Child): void {
  const relative = parseSeekHead(r.src, el, r).get(ID.Cues);
  if (relative === undefined || r.overwrittenCuesAt !== null || r.cuesBeyondEnd) return;
  const at = r.segmentDataStart + relative;
  const h = readHeader(r.src, at, r.src.size);
  if (h === 'eof') r.cuesBeyondEnd = true;
  else if (typeof h === 'string' || h.id !== ID.Cues) r.overwrittenCuesAt = at;
}

/**
 * Where the last index ends: the Segment size and the SeekHead's Cues entry describe the file at its last flush, and a
 * Cues element found after clusters indexes those clusters. Without any of them (never flushed), nothing is indexed.
 */
function indexEnd(r: Reader): number {
  const flushed = r.declaredEnd === null ? r.segmentDataStart : Math.min(r.declaredEnd, r.overwrittenCuesAt ?? Infinity);
  return Math.max(flushed, r.cuesAt ?? -Infinity);
}

function foundCues(r: Reader, at: number): void {
  if (r.lastClusterAt === null) {
    r.frontCues = true;
    return;
  }
  r.cuesAt = at;
  if (r.past !== null && r.past.fromByte < indexEnd(r)) r.past = null;
}

type Counts = Map<number, number>;

/** Frames (samples for the IMU) each built-in track has read so far, to count what lies past the index. */
function counts(r: Reader): Counts {
  const out: Counts = new Map();
  for (const t of r.tracks ?? []) {
    const sink = r.sinks.get(t.number);
    if (sink && t.builtin !== null) out.set(t.number, t.builtin === 'IMU' ? sink.samples : sink.times.length);
  }
  return out;
}

function scanCluster(r: Reader, el: ElementHeader, end: number): Generator<BlockRef, ClusterEnd> {
  r.scanner ??= startScanner(r, el.start);
  r.clusters++;
  r.firstClusterAt ??= el.start;
  r.lastClusterAt = el.start;
  if (r.past === null && el.start >= indexEnd(r)) r.past = { fromByte: el.start, before: counts(r) };
  return r.scanner.scan(el, end);
}

/** The first cluster is where the header must be complete: decide here whether this is a K4A file. */
function startScanner(r: Reader, at: number): ClusterScanner {
  if (!r.tracks) r.fail('K4S_CORRUPT', `${r.path} has no track list before its first cluster; it is not a readable recording.`, at);
  identifyTracks(r.tracks, r.tags);
  if (!looksLikeK4a(r.tracks, r.tags)) notK4a(r);
  for (const t of r.tracks) {
    const step = t.defaultDurationNs ? t.defaultDurationNs / 1000 : null;
    const mode = t.builtin === 'IMU' ? 'imu' : t.builtin === null && t.name === HOST_TIME_TRACK ? 'host-time' : 'frames';
    r.sinks.set(t.number, new TrackSink(mode, step, mode !== 'imu' || r.keepImu));
  }
  if (!r.info) {
    r.warn('K4S_NO_INFO', 'The file has no Info element (its writer never flushed it); the Azure Kinect timestamp scale of 1 µs was assumed.');
    r.info = defaultInfo();
  }
  return new ClusterScanner(r.src, r.info.timecodeScaleNs, r.sinks, r, r.handOut);
}

function notK4a(r: Reader): never {
  const names = (r.tracks ?? []).map((t) => `${t.name || `#${t.number}`} (${t.codecId})`).join(', ') || 'none';
  r.fail('K4S_NOT_K4A', `${r.path} is a Matroska file but not an Azure Kinect recording (tracks: ${names}; no K4A tags). Audit the MKVs written by k4arecorder, k4sync or another Azure Kinect recorder.`);
}

/** k4arecord writes Info only at flush; every Azure Kinect writer uses a 1 µs TimecodeScale, not Matroska's 1 ms default. */
function defaultInfo(): SegmentInfo {
  return { timecodeScaleNs: 1000, muxingApp: null, writingApp: null, title: null, dateUtc: null, durationUs: null };
}

/**
 * Damage in the middle of a file: say where, then look for the next cluster so that every complete
 * block after the damage is still kept. Returns where to resume, or null to stop.
 */
function damaged(r: Reader, at: number, end: number, what: string): number | null {
  if (!r.scanner) r.fail('K4S_CORRUPT', `${r.path} has ${what} in its header at byte ${at}; the file is corrupt.`, at);
  const next = findNextCluster(r.src, at + 1, Math.min(end, at + RESYNC_WINDOW_BYTES));
  r.warn('K4S_CORRUPT', next === null
    ? `The file has ${what} at byte ${at}; nothing after it could be read.`
    : `The file has ${what} at byte ${at}; bytes ${at}–${next} were skipped and reading resumed at the next cluster.`, at);
  if (next === null) r.truncatedAt ??= at;
  return next;
}

function findNextCluster(src: ByteSource, from: number, end: number): number | null {
  for (let pos = from; pos < end; pos += RESYNC_CHUNK_BYTES) {
    const chunk = src.read(pos, Math.min(RESYNC_CHUNK_BYTES + 3, end - pos)).slice();
    for (let i = 0; i + 4 <= chunk.length; i++) {
      if (chunk[i] !== CLUSTER_ID_BYTES[0] || chunk[i + 1] !== CLUSTER_ID_BYTES[1]) continue;
      if (chunk[i + 2] !== CLUSTER_ID_BYTES[2] || chunk[i + 3] !== CLUSTER_ID_BYTES[3]) continue;
      const h = readHeader(src, pos + i, end);
      if (typeof h === 'string') continue;
      const first = readHeader(src, h.dataStart, end);
      if (typeof first !== 'string' && (first.id === ID.Timestamp || first.id === ID.CRC32)) return pos + i;
    }
  }
  return null;
}

function resolveStartOffset(r: Reader): StartOffset {
  const ns = integerTag(r.tags, 'K4A_START_OFFSET_NS', r);
  if (ns !== null) return { ns, source: 'tag' };
  const first = r.scanner?.firstImu;
  if (first) {
    let ns = first.accNs - BigInt(Math.round(first.blockTimeUs * 1000));
    // Block times are only as fine as TimecodeScale (1 ms in pre-1.0 files): the offset cannot be finer.
    const scale = BigInt(r.info?.timecodeScaleNs ?? 1000);
    ns -= ns % scale;
    r.warn('K4S_NO_START_OFFSET', `K4A_START_OFFSET_NS is missing (the file was not finalized); the start offset ${ns} ns was recovered from the first IMU sample.`);
    return { ns, source: 'imu' };
  }
  r.warn('K4S_NO_START_OFFSET', 'K4A_START_OFFSET_NS is missing (the file was not finalized) and there is no IMU track to recover it from: timestamps are relative to the first block of the file, not device time.');
  return { ns: 0n, source: 'none' };
}

function readCalibration(r: Reader): Calibration | null {
  const tag = r.tags.find((t) => t.name === 'K4A_CALIBRATION_FILE');
  const byUid = tag?.target.kind === 'attachment' ? tag.target.uid : null;
  const fileName = tag?.value || 'calibration.json';
  const a = r.attachments.find((x) => byUid !== null && x.uid === byUid) ?? r.attachments.find((x) => x.fileName === fileName);
  if (!a) return null;
  if (a.size > MAX_CALIBRATION_BYTES) {
    r.warn('K4S_BAD_CALIBRATION', `The calibration attachment is ${a.size} bytes, too large to be a calibration; it was not read.`);
    return { fileName: a.fileName, json: null, bytes: a.size };
  }
  const text = new TextDecoder().decode(r.src.read(a.offset, a.size)).replace(/\0+$/, '');
  try {
    return { fileName: a.fileName, json: JSON.parse(text) as unknown, bytes: a.size };
  } catch {
    r.warn('K4S_BAD_CALIBRATION', `The calibration attachment ${a.fileName} is not valid JSON.`);
    return { fileName: a.fileName, json: null, bytes: a.size };
  }
}

function assemble(r: Reader): Recording {
  if (!r.scanner) {
    // No cluster and no track list: the file stops before its header is complete, whatever byte it stops on.
    if (!r.tracks) r.fail('K4S_TRUNCATED', `${r.path} ends before its track list: it holds no readable recording. It was cut short while being written or copied; good data ends at byte ${r.truncatedAt ?? r.src.size}.`, r.truncatedAt ?? r.src.size);
    // Cut before its first cluster: the header may be whole, but not one frame was written after it.
    if (r.truncatedAt !== null) cutShort(r, r.truncatedAt, 'before its first cluster');
    identifyTracks(r.tracks, r.tags);
    if (!looksLikeK4a(r.tracks, r.tags)) notK4a(r);
  }
  const tracks = r.tracks!;
  const info = r.info ?? defaultInfo();
  const startOffset = resolveStartOffset(r);
  const offsetUs = Number(startOffset.ns / 1000n);
  if (startOffset.source === 'tag' && offsetUs >= OFFICIAL_READER_START_OFFSET_LIMIT_US) {
    const wrapped = offsetUs % OFFICIAL_READER_START_OFFSET_LIMIT_US;
    r.warn('K4S_WIDE_START_OFFSET', `K4A_START_OFFSET_NS is ${startOffset.ns} ns: 2^32 µs or more (a clock counting from the Unix epoch, as an Orbbec Femto's can). Microsoft's playback library (k4a_playback, the Azure Kinect viewer) keeps it in 32 bits, wraps it to ${wrapped} µs and returns every image ${((offsetUs - wrapped) / 1e6).toFixed(0)} s early (its IMU samples right): other tools built on it show other times than k4sync, which reads it whole.`);
  }
  const { configuration, device, legacy } = readConfiguration(tracks, r.tags, offsetUs, r);

  const deviceTimes = (role: string): Float64Array | null => {
    const t = tracks.find((x) => x.builtin === role);
    if (!t) return null;
    const out = r.sinks.get(t.number)?.times.toArray() ?? new Float64Array(0);
    for (let i = 0; i < out.length; i++) out[i]! += offsetUs;
    return out;
  };
  const imuTrack = tracks.find((t) => t.builtin === 'IMU');
  const imuSink = imuTrack ? r.sinks.get(imuTrack.number) : undefined;
  const customTracks: CustomTrackSummary[] = tracks
    .filter((t) => t.builtin === null)
    .map((t) => {
      const s = r.sinks.get(t.number);
      const times = s?.times.toArray();
      return {
        track: t,
        blocks: s?.blocks ?? 0,
        firstUs: times?.length ? times[0]! + offsetUs : null,
        lastUs: times?.length ? times[times.length - 1]! + offsetUs : null,
      };
    });
  const hostTrack = tracks.find((t) => t.builtin === null && t.name === HOST_TIME_TRACK);
  const hostSink = hostTrack ? r.sinks.get(hostTrack.number) : undefined;
  let hostTimes: Recording['hostTimes'] = null;
  if (hostSink && hostSink.acc) {
    const deviceUs = hostSink.times.toArray();
    for (let i = 0; i < deviceUs.length; i++) deviceUs[i]! += offsetUs;
    hostTimes = { deviceUs, hostUs: hostSink.acc.toArray() };
  }
  let lastUs = 0;
  for (const s of r.sinks.values()) lastUs = Math.max(lastUs, s.lastUs);

  const pastIndex = pastIndexOf(r, tracks);
  const ending = endingOf(r, tracks);
  const finalized = ending.state === 'closed';
  warnEnding(r, ending, pastIndex);
  if (r.truncatedAt !== null) {
    const declared = r.declaredEnd !== null && r.declaredEnd > r.src.size ? ` (its Segment says ${r.declaredEnd})` : '';
    r.warn('K4S_TRUNCATED', `The file is cut short: good data ends at byte ${r.truncatedAt} of ${r.src.size}${declared}; every complete block before it was kept.`, r.truncatedAt);
  }
  if (legacy) {
    r.warn('K4S_LEGACY', `This file was written by a pre-1.0 Azure Kinect SDK (${info.writingApp ?? 'unknown writer'}); it was read with the legacy rules (DEPTH_IR track, little-endian YUY2 depth, lower-case modes).`);
  }

  return {
    path: r.path,
    fileSize: r.src.size,
    info,
    tracks,
    tags: r.tags,
    attachments: r.attachments,
    calibration: readCalibration(r),
    configuration,
    k4aTags: readK4aTags(r.tags, r),
    device,
    startOffset,
    color: deviceTimes('COLOR'),
    depth: deviceTimes('DEPTH'),
    ir: deviceTimes('IR'),
    imu: imuSink ? { accTimestampsUs: imuSink.acc!.toArray(), gyroTimestampsUs: imuSink.gyro!.toArray() } : null,
    imuCadence: imuSink ? imuSink.cadence!.finish(offsetUs) : imuTrack ? emptyCadence() : null,
    customTracks,
    hostTimes,
    recordingLengthUs: lastUs,
    finalized,
    ending,
    pastIndex,
    truncatedAt: r.truncatedAt,
    layout: {
      ebmlEnd: r.ebmlEnd,
      segment: { start: r.segment!.start, dataStart: r.segment!.dataStart, size: r.segment!.size },
      firstCluster: r.firstClusterAt,
      headerElements: r.headerElements,
    },
    legacy,
    warnings: r.warnings,
    bytesRead: r.src.bytesRead,
  };
}

function emptyCadence(): NonNullable<Recording['imuCadence']> {
  return { samples: 0, firstUs: null, lastUs: null, periodUs: null, gaps: [] };
}

function pastIndexOf(r: Reader, tracks: TrackInfo[]): PastIndex | null {
  if (r.past === null) return null;
  const now = counts(r);
  const { before } = r.past;
  const since = (t: TrackInfo) => (now.get(t.number) ?? 0) - (before.get(t.number) ?? 0);
  const video = tracks.filter((t) => t.builtin !== null && t.builtin !== 'IMU');
  const imu = tracks.find((t) => t.builtin === 'IMU');
  return { fromByte: r.past.fromByte, frames: Math.max(0, ...video.map(since)), imuSamples: imu ? since(imu) : 0 };
}

function endingOf(r: Reader, tracks: TrackInfo[]): FileEnding {
  const startOffsetTag = tagValue(r.tags, 'K4A_START_OFFSET_NS') !== null;
  const segmentSize: FileEnding['segmentSize'] =
    r.declaredEnd !== null ? (r.past !== null ? 'stale' : 'spans-data') : r.segmentUnknownSize ? 'unknown' : 'zero';
  // k4arecord cues the first block of track 1 in a cluster: a file whose track 1 has no block gets no Cues.
  const track1 = tracks.find((t) => t.number === 1);
  const cuesDue = r.lastClusterAt !== null && track1 !== undefined && (r.sinks.get(1)?.blocks ?? 0) > 0;
  const cues = !cuesDue || r.frontCues || r.cuesBeyondEnd || (r.cuesAt !== null && r.cuesAt > r.lastClusterAt!);
  const state: FileEnding['state'] =
    segmentSize === 'spans-data' && cues && startOffsetTag ? 'closed'
    : (segmentSize === 'zero' || segmentSize === 'unknown') && !startOffsetTag ? 'never-flushed'
    : 'after-flush';
  return { state, segmentSize, cues, startOffsetTag };
}

function warnEnding(r: Reader, ending: FileEnding, pastIndex: PastIndex | null): void {
  if (ending.state === 'closed') return;
  if (ending.state === 'never-flushed') {
    r.warn('K4S_UNFINALIZED', 'The recording was not finalized: its writer stopped before its first flush (no Segment size, Cues or start offset). Every complete block up to the end of the file was read.');
    return;
  }
  const missing = [
    ending.segmentSize === 'stale' ? 'its Segment size is from an earlier flush' : ending.segmentSize === 'spans-data' ? null : `its Segment size is ${ending.segmentSize}`,
    ending.cues ? null : 'no Cues follow its last cluster',
    ending.startOffsetTag ? null : 'no start offset tag',
  ].filter((x): x is string => x !== null);
  r.warn('K4S_UNFINALIZED', `The recording was not finalized: its writer stopped after a flush without closing it (${missing.join('; ')}). Every complete block up to the end of the file was read.`);
  if (pastIndex) {
    r.warn('K4S_PAST_INDEX', `${pastIndex.frames} frames and ${pastIndex.imuSamples} IMU samples lie past the last index (from byte ${pastIndex.fromByte}): written after the last flush, they were read from the clusters themselves. Microsoft's reader stops at the index or refuses the file; \`k4sync recover\` rewrites it closed.`, pastIndex.fromByte);
  }
}
