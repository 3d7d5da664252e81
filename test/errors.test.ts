import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, errnoOf, errorLine, fromSystemError, isErrorCode, isK4sError, K4sError, type ErrorCode } from '../src/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const CODE = /\bK4S_[A-Z0-9_]+\b/g;

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? typescriptFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('docs/errors.md and the registry are in step', () => {
  /** The rows of the code tables: code, kind, exit, in the page's order. */
  const rows = [...DOCS.matchAll(/^\| `(K4S_[A-Z0-9_]+)` \| (\w+) \| ([^|]+) \|/gm)].map((m) => ({ code: m[1]!, kind: m[2]!, exit: m[3]!.trim() }));

  it('lists every code of the registry once, grouped and ordered as the registry is', () => {
    expect(rows.map((r) => r.code)).toEqual(CODES);
  });

  it('gives each code its kind and the exit status that kind has', () => {
    const exitOf = { input: '2', failure: '1', internal: '70', warning: '—' } as const;
    for (const { code, kind, exit } of rows) {
      const entry = ERROR_CODES[code as ErrorCode];
      expect(kind, code).toBe(entry.kind);
      // An interrupted command exits 130 (the shell's convention for SIGINT), whatever its kind.
      expect(exit, code).toBe(code === 'K4S_INTERRUPTED' ? '130' : exitOf[entry.kind]);
    }
  });

  it('names no code the registry does not have', () => {
    const unknown = [...new Set(DOCS.match(CODE))].filter((c) => !isErrorCode(c));
    expect(unknown).toEqual([]);
  });

  it('every K4S_ code in src/ and bin/ is in the registry', () => {
    const used = new Map<string, string>();
    for (const file of [...typescriptFiles(join(ROOT, 'src')), ...typescriptFiles(join(ROOT, 'bin'))]) {
      for (const code of readFileSync(file, 'utf8').match(CODE) ?? []) used.set(code, file.slice(ROOT.length + 1));
    }
    // The scan itself must see the codes the commands throw, or an empty scan would pass.
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter(([code]) => !isErrorCode(code)).map(([code, file]) => `${code} in ${file}`)).toEqual([]);
  });

  it('says how K4SYNC_DEBUG=1 shows the stack of an internal error', () => {
    expect(DOCS).toMatch(/K4SYNC_DEBUG=1[^\n]*\n?[^\n]*stack/);
  });
});

describe('K4sError', () => {
  it('takes its kind and remedy from the registry; a code of kind warning, thrown, is an input error', () => {
    const e = new K4sError('K4S_DISK_FULL', 'Cannot write x: the disk is full.');
    expect(e).toBeInstanceOf(Error);
    expect(isK4sError(e)).toBe(true);
    expect(e.name).toBe('K4sError');
    expect(e.kind).toBe('failure');
    expect(e.remedy).toBe(ERROR_CODES.K4S_DISK_FULL.remedy);
    expect(new K4sError('K4S_UNFINALIZED', 'x').kind).toBe('input');
  });

  it('a remedy and a kind given override the registry; the cause is kept', () => {
    const cause = new Error('inner');
    const e = new K4sError('K4S_NOT_FOUND', 'x', 'Look elsewhere.', { cause, kind: 'failure' });
    expect(e.remedy).toBe('Look elsewhere.');
    expect(e.kind).toBe('failure');
    expect(e.cause).toBe(cause);
  });

  it('isErrorCode knows the registry and nothing else', () => {
    expect(isErrorCode('K4S_NOT_FOUND')).toBe(true);
    expect(isErrorCode('K4S_NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });
});

describe('errorLine: the one line a user reads', () => {
  it('code, the sentence with a full stop, then the remedy', () => {
    expect(errorLine(new K4sError('K4S_NOT_FOUND', 'Cannot read a.json: it does not exist'))).toBe(
      `K4S_NOT_FOUND: Cannot read a.json: it does not exist. ${ERROR_CODES.K4S_NOT_FOUND.remedy}`,
    );
  });

  it('keeps a sentence\'s own ending, and trims around it', () => {
    expect(errorLine(new K4sError('K4S_NO_TERMINAL', '  Record now?  ', 'Pass --yes.'))).toBe('K4S_NO_TERMINAL: Record now? Pass --yes.');
    expect(errorLine(new K4sError('K4S_BAD_FLAG', 'Stop!', 'Run --help.'))).toBe('K4S_BAD_FLAG: Stop! Run --help.');
  });

  it('a remedy of \'\' (the sentence already says what to do) adds nothing', () => {
    expect(errorLine(new K4sError('K4S_IO', 'Cannot read x', ''))).toBe('K4S_IO: Cannot read x.');
  });
});

describe('errnoOf', () => {
  it('is the errno of a system error, and nothing else', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoOf(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeNull();
    expect(errnoOf(new Error('x'))).toBeNull();
    expect(errnoOf(null)).toBeNull();
    expect(errnoOf('ENOENT')).toBeNull();
  });
});

describe('fromSystemError: one sentence naming the path', () => {
  const systemError = (errno: string) => Object.assign(new Error(`${errno}: something, open '/x'`), { code: errno, errno: -1, syscall: 'open', path: '/x' });

  it.each([
    ['ENOENT', 'K4S_NOT_FOUND', 'it does not exist'],
    ['EACCES', 'K4S_PERMISSION', 'permission was denied'],
    ['EPERM', 'K4S_PERMISSION', 'permission was denied'],
    ['EISDIR', 'K4S_IS_FOLDER', 'it is a folder, not a file'],
    ['ENOTDIR', 'K4S_NOT_FOLDER', 'it, or a folder on its way, is a file'],
    ['ENOSPC', 'K4S_DISK_FULL', 'the disk is full'],
    ['EDQUOT', 'K4S_DISK_FULL', 'the disk quota is used up'],
    ['EFBIG', 'K4S_DISK_FULL', 'the file reached the largest size this system allows'],
    ['EROFS', 'K4S_READ_ONLY', 'the drive is read-only'],
    ['EIO', 'K4S_IO', 'the drive reported an input/output error'],
    ['ENAMETOOLONG', 'K4S_BAD_FLAG', 'the path is too long'],
    ['ELOOP', 'K4S_BAD_FLAG', 'it loops through symbolic links'],
  ])('%s → %s', (errno, code, why) => {
    const cause = systemError(errno);
    const e = fromSystemError(cause, '/takes/audit.json', 'write');
    expect(e).toBeInstanceOf(K4sError);
    expect(e.code).toBe(code);
    expect(e.message).toBe(`Cannot write /takes/audit.json: ${why}.`);
    expect(e.kind).toBe(ERROR_CODES[code as ErrorCode].kind);
    expect(e.cause).toBe(cause);
  });

  it('an errno without a sentence is still a failure naming the path and the errno', () => {
    const e = fromSystemError(systemError('EBUSY'), '/dev/sdb1', 'read');
    expect(e.code).toBe('K4S_IO');
    expect(e.kind).toBe('failure');
    expect(e.message).toMatch(/^Cannot read \/dev\/sdb1: EBUSY \(EBUSY: something/);
  });

  it('a K4sError passes through; anything that is not a system error is not dressed as one', () => {
    const own = new K4sError('K4S_NOT_AUDIT', 'x');
    expect(fromSystemError(own, '/x', 'read')).toBe(own);
    const bug = new TypeError('undefined is not a function');
    expect(() => fromSystemError(bug, '/x', 'read')).toThrow(bug);
    const nodeError = Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => fromSystemError(nodeError, '/x', 'read')).toThrow(nodeError);
  });

  describe('on the errors the file system really raises', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'k4sync-errors-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const attempt = (path: string) => {
      try {
        readFileSync(path);
      } catch (e) {
        return fromSystemError(e, path, 'read');
      }
      throw new Error(`${path} was readable`);
    };

    it('a missing file, a folder, a path through a file', () => {
      const file = join(tmp, 'file.json');
      writeFileSync(file, '{}');
      expect(attempt(join(tmp, 'missing.json')).code).toBe('K4S_NOT_FOUND');
      expect(attempt(tmp).code).toBe('K4S_IS_FOLDER');
      expect(attempt(join(file, 'inside.json'))).toEqual(expect.objectContaining({ code: 'K4S_NOT_FOLDER', message: `Cannot read ${join(file, 'inside.json')}: it, or a folder on its way, is a file.` }));
    });
  });
});

describe('a path that runs through a file', () => {
  it('is "not a folder" whatever the system answers (Windows says ENOENT where POSIX says ENOTDIR)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-errno-'));
    try {
      const file = join(dir, 'take.mkv');
      writeFileSync(file, 'x');
      const enoent = () => Object.assign(new Error('no such file'), { code: 'ENOENT' });
      expect(fromSystemError(enoent(), join(file, 'out', 'audit.json'), 'write').code).toBe('K4S_NOT_FOLDER');
      expect(fromSystemError(enoent(), join(dir, 'missing', 'audit.json'), 'write').code).toBe('K4S_NOT_FOUND');
      expect(fromSystemError(enoent(), join(dir, 'missing.json'), 'read').code).toBe('K4S_NOT_FOUND');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
