import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readManifest, refusal, START_UP_SLACK_MS, takeState,
  type RecordingFacts, type TakeFiles, type TakeJson, type TakeManifest, type TrimNote,
} from '../../src/take/index.js';
import { SAMPLES } from './helpers.js';

/** Property runs are seeded from K4S_SEED when set; fast-check prints the seed of any failure to rerun it with. */
const SEEDED = process.env.K4S_SEED ? { seed: Number(process.env.K4S_SEED) } : {};

const DIR = '/shoot/take-0042';
const T0 = Date.UTC(2026, 10, 24, 8, 46, 38);
const SERIALS = ['000100000001', '000100000002', '000100000003'];
const daisy: TakeManifest = readManifest(join(SAMPLES, 'daisy-chain', 'take.json'));

const rec = (serial: string, over: Partial<RecordingFacts> = {}): RecordingFacts => ({
  file: join(DIR, `${serial}.mkv`), kind: 'k4a', serial, recordedAtMs: T0, spanUs: 6_600_000, ...over,
});

function folder(files: RecordingFacts[], over: Partial<TakeFiles> = {}): TakeFiles {
  return {
    name: 'take-0042', dir: DIR, files: files.map((f) => f.file), loose: false,
    folderRecordings: files.map((f) => f.file.slice(DIR.length + 1)), manifestPath: join(DIR, 'take.json'), partials: [], ...over,
  };
}

const withManifest = (edit: Partial<TakeManifest> = {}): { json: TakeJson; problem: null } => {
  const manifest = { ...daisy, ...edit };
  return { json: { manifest, trim: manifest.trim ?? null }, problem: null };
};
const NO_JSON = { json: null, problem: null };

const trimNote = (excluded: TrimNote['excluded'], previous?: unknown): TrimNote =>
  ({ source: { take: 'take-0042', dir: '/shoot/take-0042' }, excluded, ...(previous ? { previous } : {}) });

describe('takeState: what state a take is in', () => {
  const three = SERIALS.map((s) => rec(s));

  it('complete: take.json finished, every listed sensor here, no partial file', () => {
    const s = takeState(folder(three), withManifest(), three);
    expect(s.states).toEqual(['complete']);
    expect(s.problems).toEqual([]);
    expect(s.sensors).toEqual(three.map((f) => f.file));
  });

  it('a take without take.json is complete when nothing else is wrong', () => {
    expect(takeState(folder(three, { manifestPath: null }), NO_JSON, three).states).toEqual(['complete']);
  });

  it('recording: stopReason still "recording" is called a crash (or a recorder still running)', () => {
    const s = takeState(folder(three), withManifest({ stopReason: 'recording' }), three);
    expect(s.states).toEqual(['recording']);
    expect(s.problems[0]).toMatchObject({ kind: 'recording', refuse: false, files: [join(DIR, 'take.json')] });
    expect(s.problems[0]!.message).toMatch(/crashed or was killed/);
  });

  it('a finished take\'s other stop reasons are not "recording"', () => {
    expect(takeState(folder(three), withManifest({ stopReason: 'fault: 000100000002: unplugged' }), three).states).toEqual(['complete']);
  });

  it('interrupted: .partial and temporary files left in the folder are named', () => {
    const partials = [join(DIR, '000100000002.mkv.partial'), join(DIR, '.000100000003.k4sync-77-1.tmp.mkv')];
    const s = takeState(folder([three[0]!], { partials }), NO_JSON, [three[0]!]);
    expect(s.states).toEqual(['interrupted']);
    expect(s.problems[0]!.files).toEqual(partials);
    expect(s.problems[0]!.message).toMatch(/^000100000002\.mkv\.partial and \.000100000003\.k4sync-77-1\.tmp\.mkv were left by a writer that stopped half-way/);
  });

  it('incomplete: each sensor take.json lists whose recording is not in the folder', () => {
    const s = takeState(folder(three.slice(0, 1)), withManifest(), three.slice(0, 1));
    expect(s.states).toEqual(['incomplete']);
    expect(s.problems.map((p) => p.serial)).toEqual(['000100000002', '000100000003']);
    expect(s.problems[1]!.message).toBe(`take.json lists sensor 000100000003 (000100000003.mkv), which is not in ${DIR}.`);
  });

  it('not incomplete when the recording is in the folder but was not given, or is there under another name', () => {
    const loose = takeState(folder(three.slice(0, 1), { loose: true, folderRecordings: SERIALS.map((s) => `${s}.mkv`) }), withManifest(), three.slice(0, 1));
    expect(loose.states).toEqual(['complete']);
    const renamed = [...three.slice(0, 2), rec('000100000003', { file: join(DIR, 'camera-3.mkv') })];
    expect(takeState(folder(renamed), withManifest(), renamed).states).toEqual(['complete']);
  });

  it('trimmed: each excluded sensor with the reason and the source, and not also called incomplete', () => {
    const two = three.slice(0, 2);
    const trim = trimNote([{ serial: '000100000003', file: '000100000003.mkv', reason: 'it is not aligned with the reference' }]);
    const s = takeState(folder(two), withManifest({ trim }), two);
    expect(s.states).toEqual(['trimmed']);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toMatchObject({ kind: 'trimmed', serial: '000100000003' });
    expect(s.problems[0]!.message).toBe('000100000003 (000100000003.mkv) was left out when this take was trimmed from /shoot/take-0042: it is not aligned with the reference.');
  });

  it('trimmed twice: the sensors an earlier trim left out count too', () => {
    const one = three.slice(0, 1);
    const earlier = trimNote([{ serial: '000100000003', file: '000100000003.mkv', reason: 'it has no frame in the window' }]);
    const trim = trimNote([{ serial: '000100000002', file: '000100000002.mkv', reason: 'it is not aligned with the reference' }], earlier);
    const s = takeState(folder(one), withManifest({ trim }), one);
    expect(s.states).toEqual(['trimmed']);
    expect(s.problems.map((p) => p.serial)).toEqual(['000100000002', '000100000003']);
  });

  it('a sensor a trim left out but whose recording is back in the folder is not reported', () => {
    const trim = trimNote([{ serial: '000100000003', file: '000100000003.mkv', reason: 'x' }]);
    expect(takeState(folder(three), withManifest({ trim }), three).states).toEqual(['complete']);
  });

  it('a trimmed take of another tool (take.json holds only the trim record) is trimmed, not incomplete', () => {
    const two = three.slice(0, 2);
    const trim = trimNote([{ serial: '000100000003', file: '000100000003.mkv', reason: 'x' }]);
    expect(takeState(folder(two), { json: { manifest: null, trim }, problem: null }, two).states).toEqual(['trimmed']);
  });

  it('mixed: two recordings of one sensor are refused, naming both files', () => {
    const files = [...three, rec('000100000001', { file: join(DIR, 'copy.mkv') })];
    const s = takeState(folder(files), NO_JSON, files);
    expect(s.states).toEqual(['mixed']);
    expect(s.problems[0]).toMatchObject({ kind: 'duplicate-serial', refuse: true, serial: '000100000001' });
    const e = refusal(folder(files), s)!;
    expect(e.code).toBe('K4S_MIXED_TAKE');
    expect(e.message).toBe(`${DIR}: 000100000001.mkv and copy.mkv are both recordings of sensor 000100000001: a take holds one recording per sensor.`);
    expect(e.remedy).toMatch(/one recording per sensor/);
  });

  it('mixed: in a take folder, the recording made at another time is named and not refused', () => {
    const files = [...three, rec('000400000001', { recordedAtMs: T0 + 3_600_000 })];
    const s = takeState(folder(files), NO_JSON, files);
    expect(s.states).toEqual(['mixed']);
    expect(s.problems[0]).toMatchObject({ kind: 'dates', refuse: false, files: [join(DIR, '000400000001.mkv')] });
    expect(s.problems[0]!.message).toMatch(/000400000001\.mkv at 2026-11-24 09:46:38 UTC for 6\.6 s\. 000400000001\.mkv does not overlap the others in time/);
    expect(refusal(folder(files), s)).toBeNull();
  });

  it('mixed: recordings named one by one that were made at different times are refused', () => {
    const files = [rec('000100000001'), rec('000100000002', { recordedAtMs: T0 + 86_400_000 })];
    const take = folder(files, { loose: true });
    const e = refusal(take, takeState(take, NO_JSON, files))!;
    expect(e.code).toBe('K4S_MIXED_TAKE');
    expect(e.message).toMatch(/000100000002\.mkv does not overlap 000100000001\.mkv in time/);
  });

  it('allows the start-up slack after a recording\'s end, and no more', () => {
    const end = T0 + 6_600;
    const within = [rec('000100000001'), rec('000100000002', { recordedAtMs: end + START_UP_SLACK_MS - 1 })];
    expect(takeState(folder(within), NO_JSON, within).states).toEqual(['complete']);
    const beyond = [rec('000100000001'), rec('000100000002', { recordedAtMs: end + START_UP_SLACK_MS + 1 })];
    expect(takeState(folder(beyond), NO_JSON, beyond).states).toEqual(['mixed']);
  });

  it('files without a writer date, unreadable files and videos take no part in the date and serial checks', () => {
    const files = [
      rec('000100000001'),
      rec('000100000002', { recordedAtMs: null }),
      rec('000100000001', { file: join(DIR, 'broken.mkv'), kind: 'unreadable', serial: null, recordedAtMs: T0 + 1e9 }),
      rec('x', { file: join(DIR, 'phone.mkv'), kind: 'not-k4a', serial: null, recordedAtMs: T0 + 1e9 }),
    ];
    const s = takeState(folder(files), NO_JSON, files);
    expect(s.states).toEqual(['complete']);
    expect(s.problems.map((p) => p.kind)).toEqual(['not-k4a']);
    expect(s.problems[0]!.message).toBe('phone.mkv is a Matroska video, not an Azure Kinect recording; it was not audited.');
    expect(s.sensors).toEqual([files[0]!.file, files[1]!.file, files[2]!.file]);
  });

  it('a take of nothing but videos is refused as no take', () => {
    const files = [rec('x', { file: join(DIR, 'phone.mkv'), kind: 'not-k4a', serial: null })];
    const e = refusal(folder(files), takeState(folder(files), NO_JSON, files))!;
    expect(e.code).toBe('K4S_NO_TAKE');
    expect(e.message).toBe(`${DIR} holds no Azure Kinect recording: phone.mkv is a Matroska video, not a recording of a sensor.`);
  });

  it('an unreadable take.json leaves the state untold, with the reason', () => {
    const s = takeState(folder(three), { json: null, problem: `${DIR}/take.json is not valid JSON at line 3, column 1 (character 20): Unexpected end` }, three);
    expect(s.states).toEqual([]);
    expect(s.problems[0]).toMatchObject({ kind: 'manifest', state: null });
    expect(s.problems[0]!.message).toMatch(/Unexpected end\. Whether the take was finished, and which sensors it should hold, cannot be told\.$/);
  });

  it('returns every problem a take has, not only the first', () => {
    const one = [three[0]!];
    const s = takeState(folder(one, { partials: [join(DIR, '000100000002.mkv.partial')] }), withManifest({ stopReason: 'recording' }), one);
    expect(s.states).toEqual(['recording', 'incomplete', 'interrupted']);
  });
});

describe('takeState: properties', () => {
  // Recordings of up to 6 sensors, at dates within two minutes, each 1 to 60 s long.
  const recordings = fc.uniqueArray(
    fc.record({ serial: fc.integer({ min: 1, max: 9 }), offsetMs: fc.integer({ min: 0, max: 120_000 }), spanUs: fc.integer({ min: 1e6, max: 60e6 }) }),
    { minLength: 1, maxLength: 6, selector: (r) => r.serial },
  ).map((rs) => rs.map((r) => rec(`00010000000${r.serial}`, { recordedAtMs: T0 + r.offsetMs, spanUs: r.spanUs })));

  const overlap = (a: RecordingFacts, b: RecordingFacts) =>
    a.recordedAtMs! <= b.recordedAtMs! + b.spanUs! / 1000 + START_UP_SLACK_MS && b.recordedAtMs! <= a.recordedAtMs! + a.spanUs! / 1000 + START_UP_SLACK_MS;

  it('mixed exactly when two recordings do not overlap; the recordings kept together all overlap each other', () => {
    fc.assert(fc.property(recordings, (files) => {
      const s = takeState(folder(files), NO_JSON, files);
      const apart = files.some((a) => files.some((b) => !overlap(a, b)));
      expect(s.states.includes('mixed')).toBe(apart);
      const strays = files.filter((f) => s.problems.some((p) => p.files.includes(f.file)));
      const kept = files.filter((f) => !strays.includes(f));
      expect(kept.length).toBeGreaterThan(0);
      for (const a of kept) for (const b of kept) expect(overlap(a, b)).toBe(true);
      // The group kept is the largest there is: a stray that overlapped every kept recording would belong to it.
      for (const stray of strays) expect(kept.some((k) => !overlap(stray, k))).toBe(true);
    }), { numRuns: 300, ...SEEDED });
  });

  it('the order in which the files are given does not change the state', () => {
    fc.assert(fc.property(recordings, fc.integer(), (files, k) => {
      const turned = [...files.slice(k % files.length), ...files.slice(0, k % files.length)];
      const a = takeState(folder(files), NO_JSON, files);
      const b = takeState(folder(turned), NO_JSON, turned);
      expect(b.states).toEqual(a.states);
      expect(new Set(b.problems.flatMap((p) => p.files))).toEqual(new Set(a.problems.flatMap((p) => p.files)));
    }), { numRuns: 300, ...SEEDED });
  });

  it('a duplicate serial is always refused, in a folder or not', () => {
    fc.assert(fc.property(recordings, fc.boolean(), (files, loose) => {
      const all = [...files, { ...files[0]!, file: join(DIR, 'copy.mkv') }];
      const take = folder(all, { loose });
      expect(refusal(take, takeState(take, NO_JSON, all))?.code).toBe('K4S_MIXED_TAKE');
    }), { numRuns: 100, ...SEEDED });
  });
});
