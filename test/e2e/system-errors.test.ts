import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, expectNoStackTrace, k4sync, k4syncWith, type CliResult } from './cli.js';
import { copyTake, DAISY_RIG, expectError, leftovers, SAMPLES, scratch, snapshot } from './files.js';
import { linuxOnly, linuxOnlySuite } from '../helpers/platform.js';

/**
 * What the operating system can refuse on an output path (issue 11): a full disk, no permission, a folder where a
 * file belongs, a file on the way, a folder that does not exist, and a reader that goes away. Each is one coded
 * sentence naming the path, the right exit status, earlier files intact and no temporary left.
 */

const dir = scratch('system-errors');
const take = copyTake('daisy-chain', join(dir, 'T'));

/** k4sync under a file-size limit of 64 × 512 bytes: writing past it fails with EFBIG, as on a full disk. */
function k4syncLimited(...args: string[]): CliResult {
  const r = spawnSync('sh', ['-c', 'ulimit -f 64; exec "$0" "$@"', process.execPath, CLI, ...args], { encoding: 'utf8' });
  expectNoStackTrace(r.stderr, `k4sync ${args.join(' ')} (ulimit -f 64)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

linuxOnlySuite('the file-size limit is set with sh and ulimit -f')('a full disk (a file-size limit): exit 1, K4S_DISK_FULL, the earlier file intact, no temporary left', () => {
  const out = join(dir, 'limited');
  mkdirSync(out);

  it.each([
    ['--out', 'audit.json'],
    ['--html', 'report.html'],
  ])('audit %s', (flag, name) => {
    const path = join(out, name);
    expect(k4sync('audit', take, flag, path).status).toBe(0);
    const before = snapshot(out);
    expectError(k4syncLimited('audit', take, flag, path), 1, 'K4S_DISK_FULL', path);
    expect(snapshot(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  });

  it.each([
    ['simulate', (path: string) => ['simulate', DAISY_RIG, '--out', path, '--frames', '30']],
    ['trim', (path: string) => ['trim', take, '--out', path]],
  ])('%s: no take folder, nothing temporary', (_, args) => {
    const path = join(out, 'take-0001');
    expectError(k4syncLimited(...args(path)), 1, 'K4S_DISK_FULL', path);
    expect(existsSync(path)).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });

  it('preview: the frames it copies out for ffmpeg do not fit; their folder is removed, no video appears', () => {
    const path = join(out, 'check.mp4');
    const r = k4syncLimited('preview', take, '-o', path);
    expectError(r, 1, 'K4S_DISK_FULL');
    const frames = /Cannot write (\S+)\/sensor-0\.mjpeg/.exec(r.stderr)?.[1];
    expect(frames).toMatch(/k4sync-preview-/);
    expect(existsSync(frames!)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });
});

/** A 1 MB tmpfs, where the machine lets the tests mount one (root, outside a restricted container): a real ENOSPC. */
function smallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const mnt = join(dir, 'tmpfs');
  mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', mnt], { encoding: 'utf8' });
  return r.status === 0 ? mnt : null;
}
const disk = smallDisk();
afterAll(() => {
  if (disk) spawnSync('umount', [disk]);
  rmSync(dir, { recursive: true, force: true });
});

// Only where a tmpfs could be mounted; the file-size limit above always runs.
if (disk) describe('a full disk (ENOSPC on a 1 MB tmpfs)', () => {
  const mnt = disk;

  it('simulate fills the disk: exit 1, K4S_DISK_FULL, nothing left on the disk', () => {
    const path = join(mnt, 'take-0001');
    expectError(k4sync('simulate', DAISY_RIG, '--out', path, '--frames', '300'), 1, 'K4S_DISK_FULL', path);
    expect(readdirSync(mnt)).toEqual([]);
  });

  it('audit --out on a full disk: exit 1, K4S_DISK_FULL, the earlier audit.json intact', () => {
    const path = join(mnt, 'audit.json');
    expect(k4sync('audit', take, '--out', path).status).toBe(0);
    const before = snapshot(mnt);
    // Fill what is left.
    const fd = openSync(join(mnt, 'filler'), 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    expectError(k4sync('audit', take, '--out', path), 1, 'K4S_DISK_FULL', path);
    expect(snapshot(mnt)).toEqual({ ...before, filler: expect.any(String) });
    expect(leftovers(mnt)).toEqual([]);
    rmSync(join(mnt, 'filler'));
  });
});

/**
 * Every output flag, as a function of the path it is given. `wrongKind`: what it says when given the wrong kind of
 * path, a folder for a file output (EISDIR) or an existing file for a folder output.
 */
const OUTPUTS: { flag: string; folder: boolean; wrongKind: string; args: (path: string) => string[] }[] = [
  { flag: 'audit --out', folder: false, wrongKind: 'K4S_IS_FOLDER', args: (p) => ['audit', take, '--out', p] },
  { flag: 'audit --html', folder: false, wrongKind: 'K4S_IS_FOLDER', args: (p) => ['audit', take, '--html', p] },
  { flag: 'preview -o', folder: false, wrongKind: 'K4S_IS_FOLDER', args: (p) => ['preview', take, '-o', p] },
  { flag: 'trim --out', folder: true, wrongKind: 'K4S_OUT_EXISTS', args: (p) => ['trim', take, '--out', p] },
  { flag: 'simulate --out', folder: true, wrongKind: 'K4S_NOT_FOLDER', args: (p) => ['simulate', DAISY_RIG, '--out', p, '--frames', '30'] },
  { flag: 'record --out', folder: true, wrongKind: 'K4S_NOT_FOLDER', args: (p) => ['record', '--simulate', DAISY_RIG, '--yes', '--frames', '30', '--out', p] },
];

describe('every output flag: exit 2 and one sentence naming the path', () => {
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'not a folder\n');
  const existing = join(dir, 'existing');
  mkdirSync(existing);
  writeFileSync(join(existing, 'keep.txt'), 'keep\n');

  const locked = join(dir, 'locked');
  mkdirSync(locked, { mode: 0o755 });
  // Root may write anywhere: run k4sync as nobody against a root-owned 0755 folder; anyone else gets a 0555 folder.
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};

  beforeAll(() => {
    if (!asRoot) chmodSync(locked, 0o555);
  });
  afterAll(() => chmodSync(locked, 0o755));

  linuxOnly('POSIX permission bits and running as another uid: Windows has neither').each(OUTPUTS)('$flag: a folder where k4sync may not write (EACCES)', ({ args }) => {
    const before = snapshot(dir);
    const path = join(locked, 'out');
    expectError(k4syncWith(user, ...args(path)), 2, 'K4S_PERMISSION', path);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(locked)).toEqual([]);
  });

  it.each(OUTPUTS)('$flag: a folder where a file belongs (EISDIR), or a file where a folder belongs', ({ args, folder, wrongKind }) => {
    const before = snapshot(dir);
    const path = folder ? file : existing;
    expectError(k4sync(...args(path)), 2, wrongKind, path);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each(OUTPUTS)('$flag: a path that runs through a file (ENOTDIR)', ({ args }) => {
    const path = join(file, 'out');
    expectError(k4sync(...args(path)), 2, 'K4S_NOT_FOLDER', path);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  it.each(OUTPUTS)('$flag: a folder that does not exist (ENOENT)', ({ args }) => {
    const path = join(dir, 'no-such-folder', 'out');
    expectError(k4sync(...args(path)), 2, 'K4S_NOT_FOUND', path);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});

describe('a reader that goes away (| head -1): k4sync ends quietly', () => {
  /** Runs `k4sync args | head -n 1` in a shell; returns what head printed, k4sync's stderr and its exit status. */
  function piped(...args: string[]): { first: string; stderr: string; status: number } {
    const statusFile = join(dir, 'status');
    const r = spawnSync('sh', ['-c', '{ "$@" 2>"$ERR"; echo $? >"$STATUS"; } | head -n 1', 'sh', process.execPath, CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ERR: join(dir, 'stderr'), STATUS: statusFile },
    });
    expect(r.status).toBe(0);
    return { first: r.stdout, stderr: readFileSync(join(dir, 'stderr'), 'utf8'), status: Number(readFileSync(statusFile, 'utf8')) };
  }

  it.each([
    // One take's JSON, and a shoot day's (far more than a pipe holds: k4sync is still writing when head leaves).
    { args: ['audit', join(SAMPLES, 'daisy-chain'), '--json'], first: '{\n', status: 0 },
    { args: ['audit', SAMPLES, '--json'], first: '{\n', status: 1 },
    { args: ['timestamps', join(SAMPLES, 'daisy-chain/000100000001.mkv')], first: 'track,index,device_timestamp_us\n', status: 0 },
  ])('k4sync $args.0 … | head -1', ({ args, first, status }) => {
    const r = piped(...args);
    expect(r.first).toBe(first);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(status);
  });

  it('k4sync index of a long take | head -1', () => {
    const long = join(dir, 'long');
    expect(k4sync('simulate', DAISY_RIG, '--out', long, '--frames', '3000').status).toBe(0);
    const r = piped('index', long);
    expect(r.first).toMatch(/^rig_frame,/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
