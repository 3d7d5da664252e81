import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { excludedByTrim, loadTakeJson, ltcPath, readManifest, TrimNoteSchema } from '../../src/take/index.js';
import { cleanTemp, SAMPLES, tempDir, thrown } from './helpers.js';

afterAll(cleanTemp);

const dir = tempDir('manifest');
const sample = JSON.parse(readFileSync(join(SAMPLES, 'daisy-chain', 'take.json'), 'utf8')) as Record<string, unknown>;

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('take.json', () => {
  it('readManifest reads a k4sync take.json', () => {
    const m = readManifest(join(SAMPLES, 'daisy-chain', 'take.json'));
    expect(m.sensors.map((s) => s.serial)).toEqual(['000100000001', '000100000002', '000100000003']);
    expect(m.stopReason).toBe('200 frames recorded');
  });

  it('readManifest names the faulty field, what was expected and what arrived (K4S_BAD_MANIFEST)', () => {
    const path = write('bad.json', { ...sample, stopReason: 3 });
    expect(thrown(() => readManifest(path))).toMatchObject({ code: 'K4S_BAD_MANIFEST', message: `${path}: stopReason must be a string, got the number 3` });
  });

  it('loadTakeJson: a k4sync manifest, with its trim record when trimmed', () => {
    const trim = { schema: 'k4sync.trim/1', source: { take: 't', dir: '/t' }, excluded: [{ serial: 's3', file: 's3.mkv', reason: 'r' }], sensors: [] };
    const r = loadTakeJson(write('trimmed.json', { ...sample, trim }));
    expect(r.problem).toBeNull();
    expect(r.json!.manifest!.stopReason).toBe('200 frames recorded');
    expect(r.json!.trim!.excluded).toEqual(trim.excluded);
    expect(r.raw).toMatchObject({ trim });
  });

  it('loadTakeJson: the trim record alone, as trim writes it for a take of another tool', () => {
    const r = loadTakeJson(write('trim-only.json', { trim: { excluded: [] } }));
    expect(r).toMatchObject({ json: { manifest: null, trim: { excluded: [] } }, problem: null });
  });

  it('loadTakeJson never throws for what the file holds: the problem is returned, the object kept for trim', () => {
    const wrong = loadTakeJson(write('wrong.json', { ...sample, sensors: 'all' }));
    expect(wrong.json).toBeNull();
    expect(wrong.problem).toMatch(/sensors must be an array, got the string "all"/);
    expect(wrong.raw).toMatchObject({ sensors: 'all' });
    const broken = loadTakeJson(write('broken.json', '{ "schema": '));
    expect(broken).toMatchObject({ json: null, raw: null });
    expect(broken.problem).toMatch(/is not valid JSON at line 1/);
    expect(loadTakeJson(join(dir, 'missing.json')).problem).toMatch(/does not exist/);
    expect(loadTakeJson(null)).toEqual({ json: null, raw: null, problem: null });
  });

  it('excludedByTrim follows earlier trims, each with the take it was trimmed from', () => {
    const first = TrimNoteSchema.parse({ source: { take: 'a', dir: '/a' }, excluded: [{ serial: 's1', file: 's1.mkv', reason: 'r1' }] });
    const second = TrimNoteSchema.parse({ source: { take: 'b', dir: '/b' }, excluded: [{ serial: 's2', file: 's2.mkv', reason: 'r2' }], previous: first });
    expect(excludedByTrim(second)).toEqual([
      { serial: 's2', file: 's2.mkv', reason: 'r2', source: '/b' },
      { serial: 's1', file: 's1.mkv', reason: 'r1', source: '/a' },
    ]);
    expect(excludedByTrim(null)).toEqual([]);
  });

  it('ltc.wav is where take.json says, in the take folder; none without LTC', () => {
    const take = join(SAMPLES, 'generator-clean');
    expect(ltcPath(take, readManifest(join(take, 'take.json')))).toBe(join(take, 'ltc.wav'));
    expect(ltcPath(join(SAMPLES, 'daisy-chain'), readManifest(join(SAMPLES, 'daisy-chain', 'take.json')))).toBeNull();
    expect(ltcPath(take, null)).toBeNull();
  });
});
