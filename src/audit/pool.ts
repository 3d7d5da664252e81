import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SensorInput } from './input.js';

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

/**
 * Reads every file of one or many takes in worker threads, one task per file. A file that cannot be read comes back
 * as a SensorInput carrying its error code; it never stops the others.
 */
export async function readFiles(files: string[], onProgress?: (p: ReadProgress) => void): Promise<Map<string, SensorInput>> {
  const pool = new Piscina({ filename: workerFile(), maxThreads: Math.max(1, Math.min(files.length, availableParallelism())) });
  const out = new Map<string, SensorInput>();
  let done = 0;
  try {
    await Promise.all(
      files.map(async (file) => {
        out.set(file, (await pool.run(file)) as SensorInput);
        onProgress?.({ done: ++done, total: files.length });
      }),
    );
  } finally {
    await pool.destroy();
  }
  return out;
}
