import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { SensorInput } from './input.js';

/**
 * Reads the files of an audit in parallel: a Piscina pool, one thread per core (at most one per file), one task per
 * file. Its threads load only what reading needs (read-worker.ts), start while the main thread is still loading the
 * audit (startReaders), and are not started at all for a single small file, which the main thread reads faster itself.
 */

/** Under this size one file is read in-process; above it a thread keeps the main thread free to answer Ctrl-C. */
const SMALL_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The compiled worker. Tests run this module from its TypeScript source, where the worker must still be the built
 * JavaScript (a worker thread has no TypeScript loader): `npm test` builds first.
 */
function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'read-worker.js');
  if (existsSync(beside)) return beside;
  const built = resolve(here, '../../dist/src/audit/read-worker.js');
  if (existsSync(built)) return built;
  throw new Error('The audit worker is not built: run `npm run build`.');
}

export interface ReadProgress {
  done: number;
  total: number;
}

function isSmallFile(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && st.isFile() && st.size < SMALL_FILE_BYTES;
}

const inProcess = (files: string[]) => files.length === 0 || (files.length === 1 && isSmallFile(files[0]!));

/** A pool and the reads asked of it, each file read once however often it is asked for. */
interface Readers {
  pool: Piscina;
  reads: Map<string, Promise<SensorInput>>;
}

async function startPool(threads: number): Promise<Readers> {
  const { Piscina } = await import('piscina');
  // minThreads = maxThreads: every thread starts now, while the caller still has other work to do.
  return { pool: new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads }), reads: new Map() };
}

function read(readers: Readers, file: string): Promise<SensorInput> {
  let input = readers.reads.get(file);
  if (!input) {
    input = readers.pool.run(file) as Promise<SensorInput>;
    // Read ahead of the audit, a read may fail before anyone awaits it: that is not an unhandled rejection.
    input.catch(() => {});
    readers.reads.set(file, input);
  }
  return input;
}

/** What startReaders began, or null when it started nothing. */
let early: Promise<Readers | null> | null = null;

/**
 * Starts reading the files `paths` name before the audit asks for them: the threads read while the main thread loads
 * the audit, which resolves the paths again (a few directory listings) and takes the reads under way in readFiles.
 * Nothing starts for paths the audit will refuse (it says why itself) or for a single small file.
 */
export function startReaders(paths: string[]): void {
  early ??= import('../take/resolve.js')
    .then(async ({ resolveTakes }) => {
      const files = resolveTakes(paths).flatMap((t) => t.files);
      if (inProcess(files)) return null;
      const readers = await startPool(Math.min(files.length, availableParallelism()));
      for (const file of files) void read(readers, file);
      return readers;
    })
    .catch(() => null);
}

/** Stops what startReaders started if no readFiles took it (an audit refused before it read). */
export async function stopReaders(): Promise<void> {
  const readers = await early;
  early = null;
  await readers?.pool.destroy();
}

/**
 * Reads every file of one or many takes. A file that cannot be read comes back as a SensorInput carrying its error
 * code; it never stops the others.
 */
export async function readFiles(files: string[], onProgress?: (p: ReadProgress) => void): Promise<Map<string, SensorInput>> {
  const out = new Map<string, SensorInput>();
  let done = 0;
  const got = (file: string, input: SensorInput) => {
    out.set(file, input);
    onProgress?.({ done: ++done, total: files.length });
  };
  const started = await early;
  early = null;
  if (inProcess(files)) {
    await started?.pool.destroy();
    const { readForAudit } = await import('./read-worker.js');
    for (const file of files) got(file, readForAudit(file));
    return out;
  }
  const readers = started ?? (await startPool(Math.min(files.length, availableParallelism())));
  try {
    await Promise.all(files.map(async (file) => got(file, await read(readers, file))));
  } finally {
    await readers.pool.destroy();
  }
  return out;
}
