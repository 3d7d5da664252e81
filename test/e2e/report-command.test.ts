import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, expectNoStackTrace, k4sync, k4syncWith } from './cli.js';
import { linuxOnly } from '../helpers/platform.js';

const DIST = join(dirname(CLI), '..');

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-report-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GENERATOR = '<meta name="generator" content="k4sync">';
let oneTake = '';
let shootDay = '';
let n = 0;
const fresh = (name: string) => join(tmp, `${n++}-${name}`);

beforeAll(() => {
  oneTake = join(tmp, 'daisy-chain.json');
  shootDay = join(tmp, 'day.json');
  for (const [out, what] of [[oneTake, join(SAMPLES, 'daisy-chain')], [shootDay, SAMPLES]] as const) {
    const r = k4sync('audit', what, '--out', out);
    expect([0, 1], r.stderr).toContain(r.status);
  }
}, 60_000);

/** The one line a refused command prints: `k4sync: CODE: ...`, and nothing on stdout. */
function expectRefused(r: { status: number | null; stdout: string; stderr: string }, status: number, code: string): void {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(new RegExp(`^k4sync: ${code}: `));
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

describe('k4sync report', () => {
  it('turns one take\'s audit into one self-contained page and says where it wrote it', () => {
    const out = fresh('take.html');
    const r = k4sync('report', oneTake, '-o', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}\n`);
    const page = readFileSync(out, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain(GENERATOR);
    expect(page).toContain('daisy-chain');
  });

  it('turns a shoot day into an index and one page per take beside it', () => {
    const dir = fresh('day');
    mkdirSync(dir);
    const r = k4sync('report', shootDay, '-o', join(dir, 'day.html'));
    expect(r.status, r.stderr).toBe(0);
    const takes = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(readdirSync(dir).sort()).toEqual(['day.html', ...takes.map((t) => `day-${t}.html`)].sort());
    expect(r.stdout.trim().split('\n')[0]).toBe(`wrote ${join(dir, 'day.html')}`);
  });
});

describe('k4sync report refuses an audit.json it cannot draw (exit 2, nothing written)', () => {
  function refusedDoc(edit: (doc: Record<string, unknown> & { sensors: Record<string, unknown>[] }) => void) {
    const doc = JSON.parse(readFileSync(oneTake, 'utf8'));
    edit(doc);
    const file = fresh('edited.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = fresh('never.html');
    const r = k4sync('report', file, '-o', out);
    expectRefused(r, 2, 'K4S_NOT_AUDIT');
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  }

  it('a sensor without its chart series, named', () => {
    expect(refusedDoc((d) => delete d.sensors[0]!.series)).toContain(': sensors[0].series must be an object, but it is missing');
  });

  it('no checks, named', () => {
    expect(refusedDoc((d) => delete d.checks)).toContain(': checks must be an array, but it is missing');
  });

  it('a number where a string belongs, named with what arrived', () => {
    expect(refusedDoc((d) => (d.sensors[1]!.serial = 42))).toContain('sensors[1].serial must be a string, got the number 42');
  });

  it('another document: the schema id is said first, with what to do', () => {
    const r = k4sync('report', join(SAMPLES, 'daisy-chain/rig.json'), '-o', fresh('x.html'));
    expectRefused(r, 2, 'K4S_NOT_AUDIT');
    expect(r.stderr).toContain('schema must be "k4sync.audit/1", but it is missing');
    expect(r.stderr).toContain('k4sync audit <take> --out audit.json');
  });

  it('a file that is not JSON: where it breaks', () => {
    const file = fresh('cut.json');
    writeFileSync(file, readFileSync(oneTake, 'utf8').slice(0, 120));
    const r = k4sync('report', file, '-o', fresh('x.html'));
    expectRefused(r, 2, 'K4S_NOT_AUDIT');
    expect(r.stderr).toMatch(/is not valid JSON at line \d+, column \d+/);
  });

  it('a path that does not exist, or is a folder', () => {
    expectRefused(k4sync('report', join(tmp, 'missing.json'), '-o', fresh('x.html')), 2, 'K4S_NOT_FOUND');
    expectRefused(k4sync('report', tmp, '-o', fresh('x.html')), 2, 'K4S_IS_FOLDER');
  });

  it('no -o: a flag error with its code', () => {
    const r = k4sync('report', oneTake);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^k4sync: K4S_BAD_FLAG: /);
  });
});

describe('k4sync report -o never replaces what it must not', () => {
  it('its own input: exit 2, the audit unchanged', () => {
    const file = fresh('a.json');
    copyFileSync(oneTake, file);
    const before = readFileSync(file);
    expectRefused(k4sync('report', file, '-o', file), 2, 'K4S_OUTPUT_IS_INPUT');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('its input by another name (a symbolic link to it)', () => {
    const file = fresh('b.json');
    copyFileSync(oneTake, file);
    const link = fresh('link.json');
    symlinkSync(file, link);
    const before = readFileSync(file);
    expectRefused(k4sync('report', file, '-o', link), 2, 'K4S_OUTPUT_IS_INPUT');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  describe('in a take folder', () => {
    let take = '';
    beforeAll(() => {
      take = fresh('take-0001');
      mkdirSync(take);
      for (const f of readdirSync(join(SAMPLES, 'daisy-chain'))) copyFileSync(join(SAMPLES, 'daisy-chain', f), join(take, f));
    });

    it('a recording or the take\'s manifest: exit 2, the file unchanged', () => {
      for (const name of ['000100000001.mkv', 'take.json']) {
        const before = readFileSync(join(take, name));
        expectRefused(k4sync('report', oneTake, '-o', join(take, name)), 2, 'K4S_OUTPUT_IS_RECORDING');
        expect(readFileSync(join(take, name)).equals(before), name).toBe(true);
      }
    });

    it('another file that is not a k4sync page: refused; an earlier k4sync report: replaced', () => {
      const notes = join(take, 'notes.html');
      writeFileSync(notes, '<html>the DIT\'s notes</html>');
      expectRefused(k4sync('report', oneTake, '-o', notes), 2, 'K4S_OUTPUT_IS_RECORDING');
      expect(readFileSync(notes, 'utf8')).toBe('<html>the DIT\'s notes</html>');
      const report = join(take, 'report.html');
      expect(k4sync('report', oneTake, '-o', report).status).toBe(0);
      writeFileSync(report, readFileSync(report, 'utf8').replace('daisy-chain', 'the earlier take'));
      const again = k4sync('report', oneTake, '-o', report);
      expect(again.status, again.stderr).toBe(0);
      expect(readFileSync(report, 'utf8')).not.toContain('the earlier take');
    });
  });

  it('a folder, or a path in a folder that does not exist', () => {
    expectRefused(k4sync('report', oneTake, '-o', tmp), 2, 'K4S_IS_FOLDER');
    expectRefused(k4sync('report', oneTake, '-o', join(tmp, 'no-such-folder', 'r.html')), 2, 'K4S_NOT_FOUND');
  });

  linuxOnly('POSIX permission bits and running as another uid: Windows has neither')('a folder it may not write in: exit 2 naming the path, nothing left behind', () => {
    const dir = fresh('locked');
    mkdirSync(dir);
    const audit = join(dir, 'audit.json');
    copyFileSync(oneTake, audit);
    // As root every write succeeds: the refusal is met as the unprivileged user instead.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) for (const d of [tmp, dir]) chmodSync(d, 0o755);
    else chmodSync(dir, 0o555);
    try {
      const out = join(dir, 'r.html');
      const r = k4syncWith(asRoot ? { uid: 65534, gid: 65534 } : {}, 'report', audit, '-o', out);
      expectRefused(r, 2, 'K4S_PERMISSION');
      expect(r.stderr).toContain(out);
      expect(readdirSync(dir)).toEqual(['audit.json']);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(tmp, 0o700);
    }
  });

  linuxOnly('prlimit caps the file size')('a full disk: exit 1, the earlier report intact, no partial file', () => {
    const dir = fresh('full');
    mkdirSync(dir);
    const out = join(dir, 'r.html');
    writeFileSync(out, 'the earlier report');
    // Files may not grow past 20 kB: writing meets EFBIG exactly as it would meet ENOSPC.
    const run = spawnSync('prlimit', ['--fsize=20000', process.execPath, CLI, 'report', oneTake, '-o', out], { encoding: 'utf8' });
    expectNoStackTrace(run.stderr, 'k4sync report on a full disk');
    expectRefused(run, 1, 'K4S_DISK_FULL');
    expect(readFileSync(out, 'utf8')).toBe('the earlier report');
    expect(readdirSync(dir)).toEqual(['r.html']);
  });
});

describe('what bin/ loads for the report command', () => {
  /** The modules loading a built file loads: its static imports, followed through k4sync's own files. */
  function staticImports(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) staticImports(resolve(dirname(file), spec), seen);
      else seen.add(spec);
    }
    return seen;
  }

  it('neither zod nor the chart library until a report is made', () => {
    const loaded = staticImports(join(DIST, 'src/cli/report-command.js'));
    expect(loaded).not.toContain('zod');
    expect(loaded).not.toContain('vega-lite');
    // The walk does see them where they are imported.
    expect(staticImports(join(DIST, 'src/report/audit-document.js'))).toContain('zod');
    expect(staticImports(join(DIST, 'src/report/index.js'))).toContain('vega-lite');
  });
});
