import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K4sError } from '../../src/errors.js';
import { checkNewTakeFolder, checkOutputFile, fileStart, nextFreeName } from '../../src/output/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'k4sync-guard-'));

/** The K4sError `fn` throws (anything else, or nothing, fails the test). */
function errorOf(fn: () => unknown): K4sError {
  try {
    fn();
  } catch (e) {
    if (e instanceof K4sError) return e;
    throw e;
  }
  throw new Error('did not throw');
}
const codeOf = (fn: () => unknown) => errorOf(fn).code;

/** A folder that looks like a take: a recording and its manifest. */
function takeFolder(): string {
  const dir = join(tmp(), 'take-0042');
  mkdirSync(dir);
  writeFileSync(join(dir, '000100000001.mkv'), 'recording');
  writeFileSync(join(dir, 'take.json'), '{}');
  return dir;
}

describe('checkOutputFile', () => {
  const none = { flag: '--out', inputs: [] };

  it('accepts a new file in an existing folder, returning its absolute path', () => {
    const dir = tmp();
    expect(checkOutputFile(join(dir, 'audit.json'), none)).toBe(join(dir, 'audit.json'));
  });

  it('refuses a missing parent, a parent that is a file, and a folder, each with its code', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), '');
    expect(codeOf(() => checkOutputFile(join(dir, 'missing', 'a.json'), none))).toBe('K4S_NOT_FOUND');
    expect(codeOf(() => checkOutputFile(join(dir, 'file', 'a.json'), none))).toBe('K4S_NOT_FOLDER');
    expect(codeOf(() => checkOutputFile(join(dir, 'file', 'deeper', 'a.json'), none))).toBe('K4S_NOT_FOLDER');
    expect(codeOf(() => checkOutputFile(dir, none))).toBe('K4S_IS_FOLDER');
  });

  it('refuses an input, also when reached through another name (a symbolic link)', () => {
    const dir = tmp();
    const input = join(dir, 'audit.json');
    writeFileSync(input, '{}');
    symlinkSync(input, join(dir, 'link.json'));
    expect(codeOf(() => checkOutputFile(input, { flag: '-o', inputs: [input] }))).toBe('K4S_OUTPUT_IS_INPUT');
    expect(codeOf(() => checkOutputFile(join(dir, 'link.json'), { flag: '-o', inputs: [input] }))).toBe('K4S_OUTPUT_IS_INPUT');
  });

  it('refuses an existing recording or take file anywhere, and any other existing file in a take folder unless it is the command\'s own', () => {
    const take = takeFolder();
    expect(codeOf(() => checkOutputFile(join(take, '000100000001.mkv'), none))).toBe('K4S_OUTPUT_IS_RECORDING');
    expect(codeOf(() => checkOutputFile(join(take, 'take.json'), { ...none, ownOutput: () => true }))).toBe('K4S_OUTPUT_IS_RECORDING');
    const loose = join(tmp(), 'other.mkv');
    writeFileSync(loose, 'a video');
    expect(codeOf(() => checkOutputFile(loose, none))).toBe('K4S_OUTPUT_IS_RECORDING');
    writeFileSync(join(take, 'notes.txt'), 'notes');
    expect(codeOf(() => checkOutputFile(join(take, 'notes.txt'), none))).toBe('K4S_OUTPUT_IS_RECORDING');
    expect(checkOutputFile(join(take, 'notes.txt'), { ...none, ownOutput: (p) => p === join(take, 'notes.txt') })).toBe(join(take, 'notes.txt'));
    expect(checkOutputFile(join(take, 'new.json'), none)).toBe(join(take, 'new.json'));
  });

  it('names the path and the flag in its one sentence', () => {
    const path = join(tmp(), 'missing', 'r.html');
    const message = errorOf(() => checkOutputFile(path, { flag: '--html', inputs: [] })).message;
    expect(message).toMatch(new RegExp(`^--html ${path}: [^.]*\\.$`));
  });
});

describe('checkNewTakeFolder', () => {
  it('accepts a new folder and an empty one', () => {
    const dir = tmp();
    expect(checkNewTakeFolder(join(dir, 'take-0001'), '--out')).toBe(join(dir, 'take-0001'));
    mkdirSync(join(dir, 'empty'));
    expect(checkNewTakeFolder(join(dir, 'empty'), '--out')).toBe(join(dir, 'empty'));
  });

  it('refuses a folder holding a take, or anything, and suggests the next free name', () => {
    const take = takeFolder();
    const err = errorOf(() => checkNewTakeFolder(`${take}/`, '--out'));
    expect(err.code).toBe('K4S_TAKE_EXISTS');
    expect(err.message).toContain('holds a take');
    expect(err.remedy).toContain(`--out ${take.replace(/0042$/, '0043')}`);
    const busy = join(tmp(), 'scene');
    mkdirSync(busy);
    writeFileSync(join(busy, 'readme.txt'), '');
    expect(codeOf(() => checkNewTakeFolder(busy, '--out'))).toBe('K4S_TAKE_EXISTS');
  });

  it('refuses a file, a missing parent and a parent that is a file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), '');
    expect(codeOf(() => checkNewTakeFolder(join(dir, 'file'), '--out'))).toBe('K4S_NOT_FOLDER');
    expect(codeOf(() => checkNewTakeFolder(join(dir, 'file', 'take'), '--out'))).toBe('K4S_NOT_FOLDER');
    expect(codeOf(() => checkNewTakeFolder(join(dir, 'missing', 'take'), '--out'))).toBe('K4S_NOT_FOUND');
  });
});

describe('nextFreeName', () => {
  it('counts up a numbered series, keeping its padding, past names that exist', () => {
    const dir = tmp();
    expect(nextFreeName(join(dir, 'take-0042'))).toBe(join(dir, 'take-0043'));
    mkdirSync(join(dir, 'take-0043'));
    expect(nextFreeName(join(dir, 'take-0042'))).toBe(join(dir, 'take-0044'));
    expect(nextFreeName(join(dir, 'take-0999'))).toBe(join(dir, 'take-1000'));
  });

  it('numbers a name without a number from 2', () => {
    const dir = tmp();
    expect(nextFreeName(join(dir, 'scene'))).toBe(join(dir, 'scene-2'));
  });
});

describe('fileStart', () => {
  it('reads only the first bytes, and is empty for what cannot be read', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'big.json'), `{"schema": "k4sync.audit/1"${' '.repeat(10_000)}"tail": 1}`);
    expect(fileStart(join(dir, 'big.json'), 40)).toBe(`{"schema": "k4sync.audit/1"${' '.repeat(13)}`);
    expect(fileStart(join(dir, 'missing'))).toBe('');
    expect(fileStart(dir)).toBe('');
  });
});
