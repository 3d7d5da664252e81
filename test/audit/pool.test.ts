import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readFiles, startReaders, stopReaders } from '../../src/audit/pool.js';
import { readForAudit } from '../../src/audit/read-worker.js';

/**
 * The read pool (issue 15): reader threads for several files, started early or not, hand back what the main thread
 * reads itself, buffers and all; a file that is not a recording comes back with its code and stops nothing.
 */

const DAISY = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples/daisy-chain');
const FILES = ['000100000001.mkv', '000100000002.mkv', '000100000003.mkv'].map((f) => join(DAISY, f));
const dir = mkdtempSync(join(tmpdir(), 'k4sync-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a reader thread hands back, with the volatile file facts left out. */
function comparable(file: string, input: ReturnType<typeof readForAudit>) {
  expect(input.file).toBe(file);
  return { ...input, facts: input.facts?.fingerprint };
}

describe('readFiles', () => {
  const inProcess = new Map(FILES.map((f) => [f, comparable(f, readForAudit(f))]));

  it('reads several files in threads: the same inputs, timestamps intact, progress for each file', async () => {
    const progress: number[] = [];
    const inputs = await readFiles(FILES, ({ done, total }) => {
      expect(total).toBe(FILES.length);
      progress.push(done);
    });
    expect(progress).toEqual([1, 2, 3]);
    for (const f of FILES) {
      const input = inputs.get(f)!;
      expect(input.color).toBeInstanceOf(Float64Array);
      expect(input.color!.length).toBeGreaterThan(0);
      expect(comparable(f, input)).toEqual(inProcess.get(f));
    }
  });

  it('takes the reads startReaders began before the paths were resolved', async () => {
    startReaders([DAISY]);
    const inputs = await readFiles(FILES);
    for (const f of FILES) expect(comparable(f, inputs.get(f)!)).toEqual(inProcess.get(f));
  });

  it('stops early readers nobody took, and reads again afterwards', async () => {
    startReaders([DAISY]);
    await stopReaders();
    const inputs = await readFiles(FILES.slice(0, 2));
    expect([...inputs.keys()].sort()).toEqual(FILES.slice(0, 2));
  });

  it('reads one small file on the main thread, and starts nothing for a path the audit will refuse', async () => {
    startReaders([join(dir, 'missing')]);
    const inputs = await readFiles([FILES[0]!]);
    expect(comparable(FILES[0]!, inputs.get(FILES[0]!)!)).toEqual(inProcess.get(FILES[0]!));
  });

  it('a file that is not a recording comes back with its code; the others are read', async () => {
    const bad = join(dir, '000100000009.mkv');
    writeFileSync(bad, 'not a recording at all');
    const good = join(dir, '000100000001.mkv');
    copyFileSync(FILES[0]!, good);
    const inputs = await readFiles([bad, good]);
    expect(inputs.get(bad)!.error?.code).toBe('K4S_NOT_EBML');
    expect(inputs.get(good)!.error).toBeNull();
    expect(inputs.get(good)!.color!.length).toBe(inProcess.get(FILES[0]!)!.color!.length);
  });
});
