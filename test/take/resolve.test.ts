import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTakes } from '../../src/take/index.js';
import { cleanTemp, tempDir, thrown } from './helpers.js';

afterAll(cleanTemp);

/** A folder holding empty files of these names: the resolver looks at names only. */
function folder(root: string, name: string, files: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}

describe('resolveTakes: what a path names', () => {
  const root = tempDir('resolve');
  const take = folder(root, 'take-0042', ['b.mkv', 'a.mkv', 'take.json', 'ltc.wav', 'c.mkv.partial', '.c.k4sync-12-3.tmp.mkv', '._a.mkv']);

  it('a take folder: its recordings (not macOS ._ metadata), take.json, and what writers left half-way', () => {
    expect(resolveTakes([take])).toEqual([{
      name: 'take-0042', dir: take, files: [join(take, 'a.mkv'), join(take, 'b.mkv')], loose: false, inDay: false,
      folderRecordings: ['a.mkv', 'b.mkv'], manifestPath: join(take, 'take.json'),
      partials: [join(take, '.c.k4sync-12-3.tmp.mkv'), join(take, 'c.mkv.partial')],
    }]);
  });

  it('a shoot-day folder: one take per folder of recordings, in name order', () => {
    const day = join(root, 'day');
    folder(day, 'take-2', ['x.mkv']);
    folder(day, 'take-1', ['y.mkv']);
    folder(day, 'notes', ['readme.txt']);
    expect(resolveTakes([day]).map((t) => [t.name, t.files])).toEqual([['take-1', [join(day, 'take-1', 'y.mkv')]], ['take-2', [join(day, 'take-2', 'x.mkv')]]]);
  });

  it('MKVs named one by one: one take per folder, named after it, knowing the folder\'s other recordings', () => {
    const other = folder(root, 'take-0043', ['z.mkv']);
    const takes = resolveTakes([join(take, 'b.mkv'), join(other, 'z.mkv'), join(take, 'a.mkv'), join(take, 'b.mkv')]);
    expect(takes.map((t) => [t.name, t.files, t.loose])).toEqual([
      ['take-0042', [join(take, 'b.mkv'), join(take, 'a.mkv')], true],
      ['take-0043', [join(other, 'z.mkv')], true],
    ]);
    expect(takes[0]).toMatchObject({ folderRecordings: ['a.mkv', 'b.mkv'], manifestPath: join(take, 'take.json'), partials: expect.arrayContaining([join(take, 'c.mkv.partial')]) });
  });

  it('a folder written under a temporary name and never renamed is itself a partial', () => {
    const stray = folder(root, '.trimmed.k4sync-41-2.partial', ['a.mkv']);
    expect(resolveTakes([stray])[0]!.partials).toEqual([stray]);
  });

  it('a take folder with take.json or partial files but no finished recording is refused, saying what is there', () => {
    const gone = folder(root, 'gone', ['take.json']);
    expect(thrown(() => resolveTakes([gone]))).toMatchObject({ code: 'K4S_NO_TAKE', message: `${gone} holds take.json but no finished recording: its MKVs are missing.` });
  });

  it('in a shoot day, such a folder stays a take (the audit fails it) and does not stop the others', () => {
    const day = join(root, 'day-2');
    folder(day, 'take-1', ['a.mkv']);
    folder(day, 'take-2', ['a.mkv.partial']);
    folder(day, 'notes', ['readme.txt']);
    const takes = resolveTakes([day]);
    expect(takes.map((t) => [t.name, t.files.length, t.inDay])).toEqual([['take-1', 1, true], ['take-2', 0, true]]);
    expect(takes[1]!.partials).toEqual([join(day, 'take-2', 'a.mkv.partial')]);
  });

  it('refuses what is not a take, with the path in the sentence', () => {
    expect(thrown(() => resolveTakes([join(root, 'nowhere')]))).toMatchObject({ code: 'K4S_NOT_FOUND', message: `Cannot read ${join(root, 'nowhere')}: it does not exist.` });
    expect(thrown(() => resolveTakes([join(take, 'take.json')]))).toMatchObject({ code: 'K4S_NO_TAKE', message: `${join(take, 'take.json')} is not an .mkv file.` });
    expect(thrown(() => resolveTakes([join(take, '.c.k4sync-12-3.tmp.mkv')])).message).toMatch(/left by a writer that stopped half-way/);
    expect(thrown(() => resolveTakes([folder(root, 'empty', [])])).message).toMatch(/holds no \.mkv files, and no folders of them/);
    expect(thrown(() => resolveTakes([join(take, 'a.mkv', 'x')])).code).toBe('K4S_NOT_FOLDER');
  });
});
