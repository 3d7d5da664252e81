import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K4sError } from '../../src/errors.js';
import { fieldName, JsonFileError } from '../../src/json-file.js';
import { readAuditDocument } from '../../src/report/audit-document.js';
import { writeReports } from '../../src/report/index.js';
import { k4sync } from '../e2e/cli.js';

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');
const SAMPLE_NAMES = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-audit-doc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every audit document k4sync writes for the samples, by name, as the CLI wrote it. */
const written = new Map<string, string>();

function audit(name: string, ...args: string[]): void {
  const out = join(tmp, `${name}.json`);
  const r = k4sync('audit', ...args, '--out', out);
  // 0 PASS/WARN, 1 FAIL: the samples include failing takes on purpose.
  expect([0, 1], r.stderr).toContain(r.status);
  written.set(name, out);
}

beforeAll(() => {
  for (const name of SAMPLE_NAMES) audit(name, join(SAMPLES, name));
  audit('shoot-day', SAMPLES);
  audit('with-audio', join(SAMPLES, 'generator-clean'), '--audio', join(SAMPLES, 'generator-clean/ltc.wav'));
  // A take with a damaged file: that sensor's entry carries an error and empty measurements.
  const damaged = join(tmp, 'damaged-take');
  mkdirSync(damaged);
  for (const f of readdirSync(join(SAMPLES, 'daisy-chain')).filter((x) => x.endsWith('.mkv'))) copyFileSync(join(SAMPLES, 'daisy-chain', f), join(damaged, f));
  writeFileSync(join(damaged, '000100000002.mkv'), readFileSync(join(damaged, '000100000002.mkv')).subarray(0, 300));
  audit('damaged', damaged);
}, 120_000);

const load = (name: string): Record<string, Json> => JSON.parse(readFileSync(written.get(name)!, 'utf8'));

let files = 0;
function save(doc: unknown): string {
  const path = join(tmp, `doc-${files++}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** What readAuditDocument throws for a document, as a JsonFileError with code and field. */
function refusal(doc: unknown): JsonFileError {
  try {
    readAuditDocument(save(doc));
  } catch (e) {
    expect(e).toBeInstanceOf(JsonFileError);
    expect((e as JsonFileError).code).toBe('K4S_NOT_AUDIT');
    return e as JsonFileError;
  }
  throw new Error('the document was accepted');
}

describe('readAuditDocument: every audit k4sync writes', () => {
  it('accepts each sample take, the shoot day, a take with audio placed and a take with a damaged file', () => {
    expect([...written.keys()].sort()).toEqual([...SAMPLE_NAMES, 'damaged', 'shoot-day', 'with-audio'].sort());
    for (const [name, path] of written) {
      const doc = readAuditDocument(path);
      expect(doc.schema, name).toBe('k4sync.audit/1');
      // Validation keeps every field k4sync wrote: the document read is the document written.
      expect(doc, name).toEqual(load(name));
    }
  });

  it('tells a take from a shoot day by `takes`', () => {
    const day = readAuditDocument(written.get('shoot-day')!);
    expect('takes' in day && day.takes.map((t) => t.take).sort()).toEqual(SAMPLE_NAMES);
    expect('takes' in readAuditDocument(written.get('daisy-chain')!)).toBe(false);
  });

  it('covers the shapes that matter: audio placed, a sensor that could not be read, timecode', () => {
    expect(load('with-audio').audio).toEqual([expect.objectContaining({ source: 'ltc', startTimecode: expect.any(String) })]);
    const damaged = load('damaged').sensors as { error: unknown }[];
    expect(damaged.filter((s) => s.error !== null)).toHaveLength(1);
    expect(load('generator-clean').timecode).toEqual(expect.objectContaining({ in: expect.any(String) }));
  });

  it('allows fields it does not know (schema /1 grows by adding them) and drops them', () => {
    const doc = load('daisy-chain') as Record<string, Json> & { sensors: Record<string, Json>[]; checks: Record<string, Json>[] };
    doc.state = { kind: 'complete' };
    doc.sensors[0]!.usbPort = 3;
    doc.checks.push({ id: 'take-state', status: 'PASS', sensor: null, value: 'complete', threshold: null, message: 'The take is complete.', remedy: null, extra: true });
    const read = readAuditDocument(save(doc));
    const fields = read as unknown as Record<string, unknown> & { sensors: Record<string, unknown>[]; checks: Record<string, unknown>[] };
    expect(fields.state).toBeUndefined();
    expect(fields.sensors[0]!.usbPort).toBeUndefined();
    expect(fields.checks.at(-1)).toEqual({ id: 'take-state', status: 'PASS', sensor: null, value: 'complete', threshold: null, message: 'The take is complete.', remedy: null });
    expect(() => writeReports(read, join(tmp, 'unknown-fields.html'))).not.toThrow();
  });

  it('reads a document without the timecode fields as a take without timecode', () => {
    const doc = load('generator-clean') as Record<string, Json> & { sensors: Record<string, Json>[] };
    delete doc.timecode;
    delete doc.audio;
    for (const s of doc.sensors) {
      delete s.timecodeIn;
      delete s.timecodeOut;
      delete s.driftVsTimecodePpm;
    }
    const read = readAuditDocument(save(doc));
    expect('takes' in read).toBe(false);
    if ('takes' in read) return;
    expect(read.timecode).toBeNull();
    expect(read.audio).toEqual([]);
    expect(read.sensors.every((s) => s.timecodeIn === null && s.driftVsTimecodePpm === null)).toBe(true);
  });
});

describe('readAuditDocument: refuses what the report cannot draw, naming the field', () => {
  it('a sensor without its chart series', () => {
    const doc = load('daisy-chain') as { sensors: Record<string, Json>[] };
    delete doc.sensors[0]!.series;
    const e = refusal(doc);
    expect(e.field).toBe('sensors[0].series');
    expect(e.message).toContain('sensors[0].series must be an object, but it is missing');
    expect(e.message, 'the sentence names the file').toMatch(/doc-\d+\.json: sensors\[0\]\.series/);
  });

  it('a take without checks', () => {
    const doc = load('star-wrong-order');
    delete doc.checks;
    const e = refusal(doc);
    expect(e.field).toBe('checks');
    expect(e.message).toContain('checks must be an array, but it is missing');
  });

  it('a number where a string belongs, and every other faulty field in the same sentence', () => {
    const doc = load('standalone-pair') as Record<string, Json> & { checks: Record<string, Json>[] };
    doc.take = 5;
    doc.checks[0]!.id = 7;
    const e = refusal(doc);
    expect(e.field).toBe('take');
    expect(e.message).toContain('take must be a string, got the number 5');
    expect(e.message).toContain('checks[0].id must be a string, got the number 7');
  });

  it('a field of one take of a shoot day, named with its place in `takes`', () => {
    const doc = load('shoot-day') as { takes: { sensors: { rateSegments: Record<string, Json>[] }[] }[] };
    doc.takes[1]!.sensors[0]!.rateSegments[0]!.ratePpm = 'fast';
    const e = refusal(doc);
    expect(e.field).toBe('takes[1].sensors[0].rateSegments[0].ratePpm');
    expect(e.message).toContain('must be a number, got the string "fast"');
  });

  it('a verdict that is not one', () => {
    const doc = load('daisy-chain');
    doc.verdict = 'OK';
    expect(refusal(doc).message).toContain('verdict must be one of "PASS", "WARN", "FAIL", got the string "OK"');
  });

  it('a shoot day of no take', () => {
    const e = refusal({ schema: 'k4sync.audit/1', verdict: 'PASS', takes: [] });
    expect(e.field).toBe('takes');
    expect(e.message).toContain('takes must be a list of at least 1, got an empty list');
  });

  it('another k4sync document, by its schema alone', () => {
    const e = refusal(JSON.parse(readFileSync(join(SAMPLES, 'daisy-chain/take.json'), 'utf8')));
    expect(e.field).toBe('schema');
    expect(e.message).toMatch(/: schema must be "k4sync\.audit\/1", got the string "k4sync\.take\/1"\.?$/);
  });

  it('JSON that is not an object at all', () => {
    expect(refusal([1, 2]).message).toContain('the audit result must be an object, got a list of 2');
  });
});

/** Every place a field can be removed or retyped, with its value: each object key, the first and last element of each list. */
function fields(value: Json, path: Path = [], out: { path: Path; value: Json }[] = []): { path: Path; value: Json }[] {
  if (Array.isArray(value)) {
    for (const i of new Set([0, value.length - 1].filter((i) => i >= 0))) {
      out.push({ path: [...path, i], value: value[i]! });
      fields(value[i]!, [...path, i], out);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ path: [...path, k], value: v });
      fields(v, [...path, k], out);
    }
  }
  return out;
}

type Mutation = { path: Path; to: { value: Json } | 'delete' };

/** Applies a mutation to a copy; a path that an earlier mutation removed is left alone. */
function mutate(doc: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(doc);
  for (const { path, to } of mutations) {
    let parent: Json = copy;
    for (const key of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? ((parent as Record<string, Json>)[key] ?? null) : null;
    const key = path.at(-1)!;
    if (Array.isArray(parent) && typeof key === 'number' && key < parent.length) {
      if (to === 'delete') parent.splice(key, 1);
      else parent[key] = to.value;
    } else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && typeof key === 'string' && key in parent) {
      if (to === 'delete') delete parent[key];
      else parent[key] = to.value;
    }
  }
  return copy;
}

/** A value of every JSON type. */
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, 0, -1, 0.5, '', 'PASS', 'x', true, false, [], [0], ['x'], [null], {}, { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** A value of the field's own type that k4sync would not write (negative, huge, empty, hostile text): it must render. */
function sameType(value: Json): fc.Arbitrary<Json> {
  if (typeof value === 'number') return fc.oneof(fc.constantFrom(0, -1, -0.5, 1e300, -1e300, 2 ** 53), fc.double({ noNaN: true, noDefaultInfinity: true }));
  if (typeof value === 'string') return fc.oneof(fc.constantFrom('', ' ', '<script>alert(1)</script>', '../../etc', 'PASS', '0'), fc.string());
  if (typeof value === 'boolean') return fc.boolean();
  if (Array.isArray(value)) return fc.constant([]);
  return anyValue;
}

function mutation(doc: Json): fc.Arbitrary<Mutation> {
  return fc.oneof(
    ...fields(doc).map(({ path, value }) =>
      fc.record({
        path: fc.constant(path),
        to: fc.oneof(fc.constant<'delete'>('delete'), anyValue.map((v) => ({ value: v })), sameType(value).map((v) => ({ value: v }))),
      }),
    ),
  );
}

/** Either the document renders, or it is refused with K4S_NOT_AUDIT; returns the refusal. */
function readAndRender(doc: Json, out: string): JsonFileError | null {
  let read;
  try {
    read = readAuditDocument(save(doc));
  } catch (e) {
    if (!(e instanceof K4sError) || e.code !== 'K4S_NOT_AUDIT') throw e;
    expect(e).toBeInstanceOf(JsonFileError);
    return e as JsonFileError;
  }
  writeReports(read, out);
  return null;
}

describe('readAuditDocument and the renderer, on damaged real audits (property)', () => {
  it('one field deleted or retyped: the report renders, or the refusal names that field', () => {
    const docs = new Map(SAMPLE_NAMES.concat('damaged', 'with-audio').map((name) => [name, load(name)]));
    const out = join(tmp, 'property-one.html');
    fc.assert(
      // The document's name, not the document, is drawn: a counterexample reads as a name and one change.
      fc.property(
        fc.oneof(...[...docs].map(([name, doc]) => fc.tuple(fc.constant(name), mutation(doc)))),
        ([name, m]) => {
          const refused = readAndRender(mutate(docs.get(name)!, [m]), out);
          if (!refused) return;
          const changed = fieldName(m.path);
          const where = refused.field === changed || refused.field.startsWith(`${changed}.`) || refused.field.startsWith(`${changed}[`);
          expect(where, `${changed} changed, ${refused.field} named: ${refused.message}`).toBe(true);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('several fields at once, in takes and shoot days: the report renders or is refused, never any other error', () => {
    const docs = new Map([...written.keys()].map((name) => [name, load(name)]));
    const out = join(tmp, 'property-many.html');
    fc.assert(
      fc.property(
        fc.oneof(...[...docs].map(([name, doc]) => fc.tuple(fc.constant(name), fc.array(mutation(doc), { minLength: 1, maxLength: 4 })))),
        ([name, ms]) => {
          readAndRender(mutate(docs.get(name)!, ms), out);
        },
      ),
      { numRuns: 60 },
    );
  });
});
