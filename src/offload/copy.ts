/**
 * One source file to every destination from one read: each block is read once, hashed (xxh64) and written to every
 * destination's temporary file, while the next block is read. Then each destination is flushed, read back and
 * hashed again, and renamed into place only when both hashes agree. A destination that fails (full disk, I/O
 * error, a read-back that differs) is dropped with its temporary file; the others go on.
 */
import { mkdirSync } from 'node:fs';
import { open, stat, utimes, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { errnoOf, fromSystemError, K4sError } from '../errors.js';
import { pendingFile, type PendingOutput } from '../output/index.js';
import { hashFile, newHasher } from './hash.js';

/** Large enough that a read costs little per byte, small enough for two in flight per copy. */
const BLOCK = 8 << 20;

export interface CopyTarget {
  /** Where the file goes. */
  path: string;
  /** Bytes written to this target (copy), then read back (verify). */
  onCopied?: (n: number) => void;
  onVerified?: (n: number) => void;
}

export interface CopyResult {
  xxh64: string;
  size: number;
  mtimeMs: number;
  /** Per target (same order): null when the file is in place and verified, else why not. */
  errors: (K4sError | null)[];
}

export interface Live {
  target: CopyTarget;
  out: PendingOutput;
  fh: FileHandle | null;
  error: K4sError | null;
  unflushed: number;
  flushing: Promise<void> | null;
}

async function fail(l: Live, e: unknown, doing: string, where: string): Promise<void> {
  if (l.error) return;
  l.error = e instanceof K4sError ? e : fromSystemError(e, where, doing);
  const fh = l.fh;
  l.fh = null;
  await l.flushing;
  await fh?.close().catch(() => undefined);
  l.out.discard();
}

/**
 * How much a target may hold unflushed: a flush is started in the background after every this many bytes, so the
 * drive writes while the copy goes on (the final flush then waits for little), and a slow drive never has gigabytes
 * of dirty cache to drain at the end.
 */
const FLUSH_EVERY = 64 << 20;

async function writeAll(l: Live, bytes: Buffer): Promise<void> {
  const fh = l.fh;
  if (l.error || !fh) return;
  try {
    for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
    l.target.onCopied?.(bytes.length);
    l.unflushed += bytes.length;
    if (l.unflushed >= FLUSH_EVERY && !l.flushing) {
      l.unflushed = 0;
      // Never rejects: a failed flush fails this target like a failed write (and it is no longer awaited by then).
      l.flushing = fh.datasync().then(
        () => void (l.flushing = null),
        (e: unknown) => {
          l.flushing = null;
          return fail(l, e, 'write', l.target.path);
        },
      );
    }
  } catch (e) {
    await fail(l, e, 'write', l.target.path);
  }
}

/** The target's folder; a file in the way (mkdir's EEXIST) is named as what it is. */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') throw new K4sError('K4S_NOT_FOLDER', `Cannot write into ${folder}: it, or a folder on its way, is a file.`, 'Move that file away, or offload to another destination.');
    throw e;
  }
}

/** Every target's copy written and flushed under its temporary name, not yet read back. */
export interface Written {
  source: string;
  xxh64: string;
  size: number;
  /** The source's state after the copy; atime and mtime are given to the copies. */
  after: Stats;
  /** The source's size or time moved while it was read: no copy of it can be trusted. */
  changed: boolean;
  live: Live[];
}

/** Reads the source once, hashing it, into every target's temporary file; flushes them to their drives. */
export async function writeCopies(source: string, targets: CopyTarget[]): Promise<Written> {
  let src: FileHandle;
  try {
    src = await open(source, 'r');
  } catch (e) {
    throw fromSystemError(e, source, 'read');
  }
  const live: Live[] = [];
  try {
    const before = await src.stat();
    for (const target of targets) {
      let out: PendingOutput | null = null;
      try {
        makeFolder(dirname(target.path));
        out = pendingFile(target.path);
        live.push({ target, out, fh: await open(out.temp, 'wx'), error: null, unflushed: 0, flushing: null });
      } catch (e) {
        out?.discard();
        live.push({ target, out: out ?? { temp: '', path: target.path, commit() {}, discard() {} }, fh: null, error: fromSystemError(e, target.path, 'write'), unflushed: 0, flushing: null });
      }
    }
    const hasher = newHasher('xxh64');
    const buffers = [Buffer.allocUnsafe(BLOCK), Buffer.allocUnsafe(BLOCK)];
    const readInto = (buf: Buffer) =>
      src.read(buf, 0, BLOCK, null).then(
        (r) => r.bytesRead,
        (e: unknown) => Promise.reject(fromSystemError(e, source, 'read')),
      );
    let writing: Promise<unknown> = Promise.resolve();
    let reading = readInto(buffers[0]!);
    let size = 0;
    // Three things at once: block i is written to every target and hashed while block i + 1 is read into the other
    // buffer (the writes of block i - 1, which used it, are awaited first).
    for (let i = 0; ; i++) {
      const n = await reading;
      if (n === 0) break;
      const block = buffers[i % 2]!.subarray(0, n);
      size += n;
      await writing;
      writing = Promise.all(live.map((l) => writeAll(l, block)));
      if (!live.some((l) => !l.error)) break;
      reading = readInto(buffers[(i + 1) % 2]!);
      hasher.update(block);
    }
    await writing;
    const after = await stat(source);
    await Promise.all(
      live.map(async (l) => {
        if (l.error || !l.fh) return;
        try {
          await l.flushing;
          // The read-back must see what reached the drive, and the rename must not reach it before the data.
          await l.fh.sync();
          await l.fh.close();
          l.fh = null;
        } catch (e) {
          await fail(l, e, 'write', l.target.path);
        }
      }),
    );
    const changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs || size !== before.size;
    return { source, xxh64: hasher.digest(), size, after, changed, live };
  } catch (e) {
    for (const l of live) await fail(l, new K4sError('K4S_OFFLOAD_FAILED', `copying to ${l.target.path} stopped.`), 'copy', l.target.path);
    throw e;
  } finally {
    await src.close();
  }
}

/** Reads every written copy back and hashes it; a copy that matches the source is renamed into place. */
export async function verifyCopies(w: Written): Promise<CopyResult> {
  const { source, xxh64, after } = w;
  await Promise.all(
    w.live.map(async (l) => {
      if (l.error) return;
      if (w.changed) return fail(l, new K4sError('K4S_OFFLOAD_FAILED', `${source} changed while it was being copied (a recorder or another tool is still writing it).`, 'Wait until the take is closed, then run the offload again.'), 'copy', source);
      let back: string;
      try {
        back = await hashFile(l.out.temp, 'xxh64', l.target.onVerified);
      } catch (e) {
        return fail(l, e, 'read back', l.target.path);
      }
      if (back !== xxh64) {
        return fail(l, new K4sError('K4S_OFFLOAD_FAILED', `${l.target.path} did not read back as it was written (xxh64 ${back}, the source's is ${xxh64}).`, 'Check the destination drive and its cable, then run the offload again.'), 'verify', l.target.path);
      }
      try {
        // The copy keeps the source's modification time: a re-run recognises it by size and time.
        await utimes(l.out.temp, after.atime, after.mtime);
        l.out.commit();
      } catch (e) {
        return fail(l, e, 'write', l.target.path);
      }
    }),
  );
  return { xxh64, size: w.size, mtimeMs: after.mtimeMs, errors: w.live.map((l) => l.error) };
}

export async function copyToAll(source: string, targets: CopyTarget[]): Promise<CopyResult> {
  return verifyCopies(await writeCopies(source, targets));
}
