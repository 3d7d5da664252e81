import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { K4sError } from '../src/errors.js';
import { describeValue, fieldName, JsonFileError, parseJson, readJsonFile, validate, type JsonFileOptions } from '../src/json-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-json-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OPTS: JsonFileOptions = { code: 'K4S_BAD_RIG', subject: 'the rig', docs: 'docs/rig-json.md' };

/** The error validate throws for a value, as the user reads it (without the leading file name). */
function problem(schema: z.ZodType, value: unknown, opts: JsonFileOptions = OPTS): JsonFileError {
  try {
    validate(schema, value, 'rig.json', opts);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonFileError);
    expect((e as JsonFileError).code).toBe(opts.code);
    expect((e as JsonFileError).message.startsWith('rig.json: ')).toBe(true);
    return e as JsonFileError;
  }
  throw new Error('validate accepted the value');
}
const said = (schema: z.ZodType, value: unknown, opts?: JsonFileOptions) => problem(schema, value, opts).message.slice('rig.json: '.length);

describe('fieldName: a zod path as a reader writes it', () => {
  it.each([
    [['sensors', 2, 'syncIn'], 'sensors[2].syncIn'],
    [['a', 0, 1, 'b'], 'a[0][1].b'],
    [[0, 'x'], '[0].x'],
    [['thresholds', '30'], 'thresholds.30'],
    [[], ''],
  ] as [PropertyKey[], string][])('%j → %s', (path, name) => {
    expect(fieldName(path)).toBe(name);
  });
});

describe('describeValue: what arrived, in words', () => {
  it.each([
    [null, 'null'],
    ['x', 'the string "x"'],
    ['a'.repeat(50), `the string "${'a'.repeat(40)}…"`],
    [3, 'the number 3'],
    [-0.5, 'the number -0.5'],
    [[], 'an empty list'],
    [[1, 2], 'a list of 2'],
    [{ a: 1 }, 'an object'],
    [true, 'true'],
  ] as [unknown, string][])('%j → %s', (value, words) => {
    expect(describeValue(value)).toBe(words);
  });
});

describe('validate: the field, what was expected, what arrived', () => {
  const rig = z.object({ serial: z.string(), fps: z.number() });

  it('a missing field, and a field of the wrong type', () => {
    expect(said(rig, { fps: 30 })).toBe('serial must be a string, but it is missing');
    expect(said(rig, { serial: 'A', fps: '30' })).toBe('fps must be a number, got the string "30"');
  });

  it('names the first faulty field in `field` and every faulty field in the sentence', () => {
    const e = problem(z.object({ sensors: z.array(rig) }), { sensors: [{ serial: 'A', fps: 30 }, { serial: 2 }] });
    expect(e.field).toBe('sensors[1].serial');
    expect(e.message).toBe('rig.json: sensors[1].serial must be a string, got the number 2; sensors[1].fps must be a number, but it is missing');
  });

  it('the whole document by its subject', () => {
    const e = problem(rig, [1]);
    expect(e.field).toBe('');
    expect(e.message).toBe('rig.json: the rig must be an object, got a list of 1');
  });

  it('values, literals, discriminators and unions of types', () => {
    expect(said(z.object({ role: z.enum(['master', 'subordinate']) }), { role: 'boss' })).toBe('role must be one of "master", "subordinate", got the string "boss"');
    expect(said(z.object({ schema: z.literal('k4sync.take/1') }), { schema: 'x' })).toBe('schema must be "k4sync.take/1", got the string "x"');
    const sync = z.object({ sync: z.discriminatedUnion('source', [z.object({ source: z.literal('master') }), z.object({ source: z.literal('generator'), rateHz: z.number() })]) });
    const e = problem(sync, { sync: { source: 'gps' } });
    expect(e.field).toBe('sync.source');
    expect(e.message).toContain('sync.source must be one of "master", "generator", got the string "gps"');
    expect(said(z.object({ value: z.union([z.number(), z.string()]).nullable() }), { value: true })).toBe('value must be a number or a string, got true');
    expect(said(z.object({ v: z.union([z.object({ a: z.number() }), z.number()]) }), { v: { a: 'x' } })).toBe('v must be of one of the accepted forms, got an object');
  });

  it('bounds, as a person says them', () => {
    expect(said(z.object({ n: z.number().min(1) }), { n: 0 })).toBe('n must be at least 1, got the number 0');
    expect(said(z.object({ n: z.number().positive() }), { n: 0 })).toBe('n must be more than 0, got the number 0');
    expect(said(z.object({ n: z.number().max(10) }), { n: 11 })).toBe('n must be at most 10, got the number 11');
    expect(said(z.object({ n: z.number().lt(10) }), { n: 10 })).toBe('n must be less than 10, got the number 10');
    expect(said(z.object({ l: z.array(z.number()).min(1) }), { l: [] })).toBe('l must be a list of at least 1, got an empty list');
    expect(said(z.object({ l: z.array(z.number()).max(1) }), { l: [1, 2] })).toBe('l must be a list of at most 1, got a list of 2');
    expect(said(z.object({ s: z.string().min(2) }), { s: 'x' })).toBe('s must be at least 2 characters, got the string "x"');
    expect(said(z.object({ n: z.number().multipleOf(5) }), { n: 7 })).toBe('n must be a multiple of 5, got the number 7');
    expect(said(z.object({ s: z.string().regex(/^\d+$/) }), { s: 'x' })).toBe('s must be a string matching /^\\d+$/, got the string "x"');
  });

  it('one sentence per field even when zod reports it twice (an integer beyond the safe range)', () => {
    const text = said(z.object({ n: z.number().int() }), { n: 2 ** 60 });
    expect(text.match(/\bn must be/g)).toHaveLength(1);
  });

  it('unknown fields, with where the shape is documented', () => {
    const e = problem(z.strictObject({ a: z.number() }), { a: 1, b: 2, c: 3 });
    expect(e.field).toBe('b');
    expect(e.message).toBe('rig.json: b is not a known field (see docs/rig-json.md); c is not a known field (see docs/rig-json.md)');
  });

  it('a refinement says its own phrase after the field', () => {
    expect(said(z.object({ n: z.number().refine((x) => x % 2 === 0, 'must be even') }), { n: 3 })).toBe('n must be even');
  });

  it('phrases: the schema\'s own words follow "must be"', () => {
    expect(said(z.object({ syncIn: z.string({ error: 'a serial or null' }) }), { syncIn: 3 }, { ...OPTS, phrases: true })).toBe('syncIn must be a serial or null, got the number 3');
  });

  it('returns the parsed value when it fits', () => {
    expect(validate(rig.extend({ note: z.string().default('') }), { serial: 'A', fps: 30 }, 'rig.json', OPTS)).toEqual({ serial: 'A', fps: 30, note: '' });
  });
});

describe('parseJson: where the text breaks', () => {
  function broken(text: string): JsonFileError {
    try {
      parseJson(text, 'plan.json', 'K4S_BAD_JSON');
    } catch (e) {
      expect(e).toBeInstanceOf(JsonFileError);
      expect((e as JsonFileError).code).toBe('K4S_BAD_JSON');
      expect((e as JsonFileError).field).toBe('');
      return e as JsonFileError;
    }
    throw new Error('the text parsed');
  }

  it.each([
    ['{\n  "a": 1,\n  "b": }', 3, 8, 19],
    ['{"a": 1,}', 1, 9, 8],
    ['{"a": 1} x', 1, 10, 9],
    ['[1, 2', 1, 6, 5],
    ['', 1, 1, 0],
    ['{"a": "x\ny"}', 1, 9, 8],
  ] as [string, number, number, number][])('%j breaks at line %i, column %i', (text, line, column, character) => {
    expect(broken(text).message).toMatch(new RegExp(`^plan\\.json is not valid JSON at line ${line}, column ${column} \\(character ${character}\\): \\S`));
  });

  it('says the reason without V8\'s copy of the text or its position', () => {
    const message = broken('{"a": 1,}').message;
    expect(message).not.toMatch(/at position|is not valid JSON$/);
    expect(message).not.toContain('{"a"');
  });

  it('allows a byte order mark (Windows editors write one)', () => {
    expect(parseJson('\uFEFF{"a": 1}', 'plan.json', 'K4S_BAD_JSON')).toEqual({ a: 1 });
  });
});

describe('readJsonFile', () => {
  const schema = z.object({ a: z.number() });

  it('reads, parses and validates, a byte order mark allowed', () => {
    const file = join(tmp, 'bom.json');
    writeFileSync(file, '\uFEFF{"a": 2}');
    expect(readJsonFile(file, schema, OPTS)).toEqual({ a: 2 });
  });

  it('a missing file is K4S_NOT_FOUND naming it; a folder K4S_IS_FOLDER', () => {
    const missing = join(tmp, 'missing.json');
    expect(() => readJsonFile(missing, schema, OPTS)).toThrow(expect.objectContaining({ code: 'K4S_NOT_FOUND', message: `Cannot read ${missing}: it does not exist.` }));
    expect(() => readJsonFile(tmp, schema, OPTS)).toThrow(expect.objectContaining({ code: 'K4S_IS_FOLDER', message: `Cannot read ${tmp}: it is a folder, not a file.` }));
    expect(() => readJsonFile(join(tmp, 'bom.json', 'x.json'), schema, OPTS)).toThrow(expect.objectContaining({ code: 'K4S_NOT_FOLDER' }));
  });

  it('bad JSON and a wrong shape are the caller\'s code, naming the file', () => {
    const file = join(tmp, 'shape.json');
    writeFileSync(file, '{"a": "1"}');
    expect(() => readJsonFile(file, schema, OPTS)).toThrow(expect.objectContaining({ code: 'K4S_BAD_RIG', field: 'a', message: `${file}: a must be a number, got the string "1"` }));
    writeFileSync(file, '{"a": 1');
    const e = (() => {
      try {
        return readJsonFile(file, schema, { ...OPTS, code: 'K4S_BAD_CONFIG' });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(K4sError);
    expect(e).toEqual(expect.objectContaining({ code: 'K4S_BAD_CONFIG', kind: 'input' }));
    expect((e as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON at line 1, column 8`));
  });
});
