import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { errnoOf, fromSystemError } from '../errors.js';
import { onInterrupt } from './interrupt.js';

/**
 * Every output is written under a temporary name beside its destination and renamed into place when complete:
 * a crash, Ctrl-C or full disk leaves the previous file as it was and nothing half-written under the real name.
 * The temporary name keeps the extension (ffmpeg picks the container from it) and starts with a dot.
 */

let counter = 0;

export function temporaryPath(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `.${basename(path, ext)}.k4sync-${process.pid}-${++counter}.tmp${ext}`);
}

/** A file or folder being written under a temporary name; removed if the command is interrupted. */
export interface PendingOutput {
  /** Where to write now. */
  readonly temp: string;
  /** The destination it becomes. */
  readonly path: string;
  /** Renames the temporary into place. */
  commit(): void;
  /** Removes the temporary (on failure); the destination is untouched. */
  discard(): void;
}

function pending(path: string, temp: string): PendingOutput {
  const unregister = onInterrupt(() => rmSync(temp, { recursive: true, force: true }));
  return {
    temp,
    path,
    commit() {
      try {
        renameSync(temp, path);
      } catch (e) {
        rmSync(temp, { recursive: true, force: true });
        throw fromSystemError(e, path, 'write');
      } finally {
        unregister();
      }
    },
    discard() {
      rmSync(temp, { recursive: true, force: true });
      unregister();
    },
  };
}

/** A file to be written by someone else (ffmpeg, a stream): write `temp`, then commit. */
export function pendingFile(path: string): PendingOutput {
  return pending(path, temporaryPath(path));
}

/** A folder to be filled, then renamed into place as a whole (the destination must not exist, or be empty). */
export function pendingFolder(path: string): PendingOutput {
  const temp = join(dirname(path), `.${basename(path)}.k4sync-${process.pid}-${++counter}.partial`);
  try {
    mkdirSync(temp);
  } catch (e) {
    throw fromSystemError(e, dirname(path), 'create a folder in');
  }
  const p = pending(path, temp);
  return {
    ...p,
    commit() {
      // An empty folder at the destination (made by the crew beforehand) is replaced; anything else is refused by
      // the caller before work starts.
      try {
        rmdirSync(path);
      } catch (e) {
        if (errnoOf(e) !== 'ENOENT') {
          p.discard();
          throw fromSystemError(e, path, 'replace');
        }
      }
      p.commit();
    },
  };
}

/**
 * Where a file output really goes. A symbolic link is followed (the rename replaces the file it points to, not the
 * link); a path that is not a regular file (/dev/stdout, a named pipe) is written directly: renaming over a device
 * would replace the device itself.
 */
function destination(path: string): { target: string; direct: boolean } {
  try {
    const st = statSync(path);
    return st.isFile() ? { target: realpathSync(path), direct: false } : { target: path, direct: true };
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return { target: path, direct: false };
    throw fromSystemError(e, path, 'write');
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Writes a whole file safely: temporary name, flushed to disk, renamed into place. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const { target, direct } = destination(path);
  if (direct) {
    let fd: number | null = null;
    try {
      fd = openSync(target, 'w');
      writeAll(fd, data);
    } catch (e) {
      throw fromSystemError(e, path, 'write');
    } finally {
      if (fd !== null) closeSync(fd);
    }
    return;
  }
  const out = pendingFile(target);
  let fd: number | null = null;
  try {
    fd = openSync(out.temp, 'wx');
    writeAll(fd, data);
    // The rename must not reach the disk before the data it names.
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
  } catch (e) {
    if (fd !== null) closeSync(fd);
    out.discard();
    throw fromSystemError(e, path, 'write');
  }
  out.commit();
}
