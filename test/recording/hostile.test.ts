import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource, readRecording, readRecordingFrom, RecordingError } from '../../src/recording/index.js';
import { buildK4a, buildRecording, concat, element, stringElement, uintElement } from '../helpers/mkv-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'k4sync-hostile-'));

function fileWith(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RecordingError);
    const err = e as RecordingError;
    // One sentence a user can act on, naming the file.
    expect(err.message.length).toBeGreaterThan(20);
    return err.code;
  }
  return 'no error';
}

function ebmlHeader(docType: string): Uint8Array {
  return element(0x1a45dfa3, [uintElement(0x4286, 1), stringElement(0x4282, docType), uintElement(0x4285, 2)]);
}

describe('bad input gets a stable code and a sentence, never a crash', () => {
  it('a path that does not exist or is a folder is K4S_UNREADABLE', () => {
    expect(codeOf(() => readRecording(join(dir, 'nope.mkv')))).toBe('K4S_UNREADABLE');
    expect(codeOf(() => readRecording(dir))).toBe('K4S_UNREADABLE');
  });

  it('an empty file and a text file are K4S_NOT_EBML', () => {
    expect(codeOf(() => readRecording(fileWith('empty.mkv', '')))).toBe('K4S_NOT_EBML');
    expect(codeOf(() => readRecording(fileWith('notes.mkv', 'take 42: sensor 3 looked odd\n')))).toBe('K4S_NOT_EBML');
  });

  it('EBML that is not Matroska (WebM, anything else) is K4S_NOT_MATROSKA', () => {
    expect(codeOf(() => readRecording(fileWith('a.webm', ebmlHeader('webm'))))).toBe('K4S_NOT_MATROSKA');
    expect(codeOf(() => readRecording(fileWith('a.ebml', ebmlHeader('foo'))))).toBe('K4S_NOT_MATROSKA');
  });

  it('an ordinary video MKV is K4S_NOT_K4A', () => {
    const { bytes } = buildRecording({
      tracks: [{ name: 'Video', kind: 'video', codecId: 'V_MPEG4/ISO/AVC', width: 1920, height: 1080, defaultDurationNs: 40_000_000 }],
      items: [0, 40_000, 80_000].map((t) => ({ track: 1, timeUs: t, payload: new Uint8Array(100) })),
      k4aTrackTags: false,
      startOffsetNs: null,
    });
    expect(codeOf(() => readRecording(fileWith('holiday.mkv', bytes)))).toBe('K4S_NOT_K4A');
  });

  it('a Matroska header cut short is K4S_TRUNCATED or K4S_CORRUPT', () => {
    const { bytes } = buildK4a().built;
    for (const len of [5, 30, 45, 60, 200]) {
      expect(['K4S_TRUNCATED', 'K4S_CORRUPT']).toContain(codeOf(() => readRecordingFrom(new MemorySource(bytes.subarray(0, len)), 'cut.mkv')));
    }
  });

  it('a header element whose size runs past the file is K4S_CORRUPT', () => {
    const segment = element(0x18538067, [element(0x1654ae6b, new Uint8Array(10), { size: 1_000_000 })]);
    const bytes = concat([ebmlHeader('matroska'), segment]);
    expect(codeOf(() => readRecording(fileWith('liar.mkv', bytes)))).toBe('K4S_CORRUPT');
  });

  it('a Segment with nothing in it is not an Azure Kinect recording', () => {
    const bytes = concat([ebmlHeader('matroska'), element(0x18538067, [])]);
    expect(['K4S_CORRUPT', 'K4S_TRUNCATED']).toContain(codeOf(() => readRecording(fileWith('hollow.mkv', bytes))));
  });
});
