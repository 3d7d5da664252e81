import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isK4sError } from '../../src/errors.js';
import { readChain, readGeneration, writeChain, writeGeneration, type Generation } from '../../src/offload/index.js';
import { HASH_FORMATS } from '../../src/offload/types.js';

const SPEC = join(import.meta.dirname, '../../../shared/spec/ascmhl');
const EXAMPLE = join(SPEC, 'examples/scenario_02_file_server');
const dir = mkdtempSync(join(tmpdir(), 'k4sync-mhl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmllint(xml: string, schema: string): { status: number | null; stderr: string } {
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', join(SPEC, schema), file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

// Text XML 1.0 can carry: what a file or host name can be, minus the control characters XML cannot hold.
const xmlChar = fc.oneof(
  fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", ']]>', 'é', 'ß', '日', '😀', '-', '_', '.', '\t'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }).filter((s) => !/[\u0000-\u001F\uFFFE\uFFFF]/.test(s)),
);
const name = fc.array(xmlChar, { minLength: 1, maxLength: 8 }).map((a) => a.join('')).filter((s) => !/[\\/]/.test(s) && s !== '.' && s !== '..');
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => `${d.toISOString().slice(0, 19)}+00:00`);
const action = fc.constantFrom('original' as const, 'verified' as const, 'failed' as const);
const hashValue = (n: number) => fc.record({ value: hex(n), action, hashDate: date });

const generation: fc.Arbitrary<Generation> = fc.record({
  created: date,
  hostname: fc.array(xmlChar, { minLength: 1, maxLength: 6 }).map((a) => a.join('').trim() || 'host'),
  tool: fc.record({ name: fc.constantFrom('k4sync', 'ascmhl.py', 'Silverstack'), version: fc.constantFrom('0.1.0', '8.4 & co') }),
  comment: fc.array(xmlChar, { maxLength: 10 }).map((a) => a.join('').trim()),
  process: fc.constantFrom('in-place' as const, 'transfer' as const, 'flatten' as const),
  root: fc.record({ format: fc.constant('xxh64' as const), content: hex(16), structure: hex(16) }),
  ignore: fc.array(fc.constantFrom('.DS_Store', 'ascmhl', 'ascmhl/', '*.tmp'), { maxLength: 3 }),
  files: fc.array(
    fc.record({
      path: fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
      size: fc.maxSafeNat(),
      modified: date,
      hashes: fc.record({ xxh64: hashValue(16), md5: hashValue(32), sha1: hashValue(40) }, { requiredKeys: ['xxh64'] }),
    }),
    { maxLength: 6 },
  ),
  directories: fc.array(fc.record({ path: name, format: fc.constant('xxh64' as const), content: hex(16), structure: hex(16) }), { maxLength: 3 }),
});

describe('the MHL reader reads what the writer writes', () => {
  it('round trip: any generation reads back equal (names with &, <, quotes, non-Latin, sizes up to 2^53)', () => {
    fc.assert(
      fc.property(generation, (g) => {
        expect(readGeneration(writeGeneration(g), 'generated')).toEqual(g);
      }),
      { numRuns: 200 },
    );
  });

  it('what it writes validates against ASCMHL.xsd, and its chain against ASCMHLDirectory.xsd', () => {
    fc.assert(
      fc.property(generation, (g) => {
        const r = xmllint(writeGeneration(g), 'ASCMHL.xsd');
        expect(r.status, r.stderr).toBe(0);
      }),
      { numRuns: 15 },
    );
    const chain = writeChain([{ sequence: 1, path: '0001_a & b_2026-01-01_000000Z.mhl', c4: `c4${'1'.repeat(88)}` }]);
    expect(readChain(chain, 'chain')).toEqual([{ sequence: 1, path: '0001_a & b_2026-01-01_000000Z.mhl', c4: `c4${'1'.repeat(88)}` }]);
    expect(xmllint(chain, 'ASCMHLDirectory.xsd').status).toBe(0);
  });
});

describe('histories other tools wrote, and broken ones', () => {
  it('reads the ASC example: a copy then a verification, every file with its xxh64', () => {
    const first = readGeneration(readFileSync(join(EXAMPLE, '0001_A002R2EC_2020-01-16_091500Z.mhl'), 'utf8'), 'example');
    expect(first.tool).toEqual({ name: 'ascmhl.py', version: '0.3 alpha' });
    expect(first.process).toBe('in-place');
    expect(first.files.map((f) => [f.path, f.size, f.hashes.xxh64])).toEqual([
      ['Clips/A002C006_141024_R2EC.mov', 5, { value: '0ea03b369a463d9d', action: 'original', hashDate: '2020-01-16T09:15:00+00:00' }],
      ['Clips/A002C007_141024_R2EC.mov', 4, { value: '7680e5f98f4a80fd', action: 'original', hashDate: '2020-01-16T09:15:00+00:00' }],
      ['Sidecar.txt', 58, { value: '3ab5a4166b9bde44', action: 'original', hashDate: '2020-01-16T09:15:00+00:00' }],
    ]);
    expect(first.directories).toHaveLength(1);
    expect(first.ignore).toEqual(['.DS_Store', 'ascmhl', 'ascmhl/']);
  });

  const example = readFileSync(join(EXAMPLE, '0001_A002R2EC_2020-01-16_091500Z.mhl'), 'utf8');
  const broken: [string, string, RegExp][] = [
    ['cut short', example.slice(0, 600), /not a readable ASC MHL v2 file/],
    ['a path leaving the folder', example.replace('Sidecar.txt', '../../etc/passwd'), /is not a path inside the folder/],
    ['an absolute path', example.replace('Sidecar.txt', '/etc/passwd'), /is not a path inside the folder/],
    ['version 1', example.replace('version="2.0"', 'version="1.1"'), /version is "1.1"/],
    ['a hash that is not one', example.replace('3ab5a4166b9bde44', 'zzz'), /not a xxh64 hash/],
    ['entity expansion', `<!DOCTYPE x [<!ENTITY a "aaaa">]>${example.slice(example.indexOf('<hashlist'))}`, /DOCTYPE/],
    ['another root', '<?xml version="1.0"?><ascmhldirectory/>', /root element is not <hashlist>/],
    ['an unknown process', example.replace('<process>in-place</process>', '<process>copy</process>'), /<process> "copy"/],
  ];
  for (const [what, xml, message] of broken) {
    it(`${what}: K4S_BAD_MHL naming the file`, () => {
      expect(() => readGeneration(xml, 'X.mhl')).toThrow(expect.objectContaining({ code: 'K4S_BAD_MHL', message: expect.stringMatching(message) }));
    });
  }

  it('any bytes at all: a Generation or K4S_BAD_MHL, never another error', () => {
    const mutated = fc.tuple(fc.nat(example.length), fc.nat(200), fc.string({ maxLength: 20 })).map(([at, cut, insert]) => example.slice(0, at) + insert + example.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string()), (xml) => {
        try {
          const g = readGeneration(xml, 'fuzz.mhl');
          for (const f of g.files) expect(f.path.split('/')).not.toContain('..');
          for (const f of g.files) for (const k of Object.keys(f.hashes)) expect(HASH_FORMATS).toContain(k);
        } catch (e) {
          expect(isK4sError(e) && e.code === 'K4S_BAD_MHL', String(e)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
