/**
 * iXML, the XML chunk field recorders write beside `bext`: the timecode rate and flag, the time reference again,
 * project/scene/take/tape, the file set, and the track names per channel. Read with a few tolerant tag lookups
 * (no XML library): recorders write small, flat, sometimes sloppy documents.
 */

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
export function ixmlText(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return new TextDecoder('utf-8', { fatal: false }).decode(nul >= 0 ? b.subarray(0, nul) : b);
}

