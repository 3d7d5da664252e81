import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K4sError } from '../../src/errors.js';
import { pendingFile, pendingFolder, temporaryPath, writeFileAtomic } from '../../src/output/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'k4sync-atomic-'));

describe('temporaryPath', () => {
  it('is hidden, beside the destination, unique, and keeps the extension (ffmpeg picks the format by it)', () => {
    const dest = join(tmp(), 'check.mp4');
    const a = temporaryPath(dest);
    const b = temporaryPath(dest);
    expect(dirname(a)).toBe(dirname(dest));
    expect(basename(a)).toMatch(new RegExp(`^\\.check\\.k4sync-${process.pid}-\\d+\\.tmp\\.mp4$`));
    expect(a).not.toBe(b);
  });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an old one, leaving nothing else in the folder', () => {
    const dir = tmp();
    const path = join(dir, 'audit.json');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, new Uint8Array([0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64]));
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['audit.json']);
  });

  it('follows a symbolic link: the file it points to is replaced, the link stays a link', () => {
    const dir = tmp();
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  it('writes a device or a pipe directly: /dev/null stays the device it is', () => {
    writeFileAtomic('/dev/null', 'discarded');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a failure is a K4sError naming the path; the earlier file is untouched and no temporary is left', () => {
    const dir = tmp();
    const path = join(dir, 'audit.json');
    writeFileSync(path, 'earlier');
    // The rename cannot put a file where a folder is: the write succeeds, the commit fails.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(blocked, 'new')).toThrow(expect.objectContaining({ code: 'K4S_IS_FOLDER' }));
    expect(() => writeFileAtomic(join(dir, 'missing', 'a.json'), 'x')).toThrow(expect.objectContaining({ code: 'K4S_NOT_FOUND', message: expect.stringContaining(join(dir, 'missing', 'a.json')) }));
    expect(readFileSync(path, 'utf8')).toBe('earlier');
    expect(readdirSync(dir).sort()).toEqual(['audit.json', 'blocked']);
  });
});

describe('pendingFile', () => {
  it('commit renames the temporary into place; discard removes it and leaves the destination as it was', () => {
    const dir = tmp();
    const path = join(dir, 'check.mp4');
    writeFileSync(path, 'old video');
    const discarded = pendingFile(path);
    writeFileSync(discarded.temp, 'half a video');
    discarded.discard();
    expect(readFileSync(path, 'utf8')).toBe('old video');
    expect(readdirSync(dir)).toEqual(['check.mp4']);
    const kept = pendingFile(path);
    writeFileSync(kept.temp, 'new video');
    kept.commit();
    expect(readFileSync(path, 'utf8')).toBe('new video');
    expect(readdirSync(dir)).toEqual(['check.mp4']);
  });
});

describe('pendingFolder', () => {
  it('fills a hidden folder beside the destination and renames it into place, also over an empty folder', () => {
    const dir = tmp();
    for (const name of ['new', 'made-beforehand']) {
      const path = join(dir, name);
      if (name === 'made-beforehand') mkdirSync(path);
      const p = pendingFolder(path);
      expect(dirname(p.temp)).toBe(dir);
      expect(basename(p.temp)).toMatch(/^\./);
      writeFileSync(join(p.temp, 'take.json'), '{}');
      p.commit();
      expect(readdirSync(path)).toEqual(['take.json']);
    }
    expect(readdirSync(dir).sort()).toEqual(['made-beforehand', 'new']);
  });

  it('never replaces a folder that holds something: the commit fails, the folder and its files stay, the temporary goes', () => {
    const dir = tmp();
    const path = join(dir, 'take-0042');
    mkdirSync(path);
    writeFileSync(join(path, '000100000001.mkv'), 'recording');
    const p = pendingFolder(path);
    writeFileSync(join(p.temp, 'take.json'), '{}');
    expect(() => p.commit()).toThrow(K4sError);
    expect(readFileSync(join(path, '000100000001.mkv'), 'utf8')).toBe('recording');
    expect(readdirSync(dir)).toEqual(['take-0042']);
  });

  it('discard removes the temporary folder and everything in it', () => {
    const dir = tmp();
    const p = pendingFolder(join(dir, 'cut'));
    writeFileSync(join(p.temp, '000100000001.mkv.partial'), 'half');
    p.discard();
    expect(existsSync(p.temp)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a parent folder that does not exist is a K4sError naming it', () => {
    const missing = join(tmp(), 'missing');
    expect(() => pendingFolder(join(missing, 'take'))).toThrow(expect.objectContaining({ code: 'K4S_NOT_FOUND', message: expect.stringContaining(missing) }));
  });
});
