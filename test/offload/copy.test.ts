import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBytes, hashFile, loadHashing } from '../../src/offload/index.js';
import { copyToAll } from '../../src/offload/copy.js';

const dir = mkdtempSync(join(tmpdir(), 'k4sync-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => loadHashing());

// Larger than two read blocks and not a multiple of one: the double buffer's hand-over and the short last read.
const data = Buffer.alloc((8 << 20) * 2 + 12345);
for (let i = 0; i < data.length; i += 997) data[i] = (i * 31) & 0xff;
const source = join(dir, 'source.mkv');
writeFileSync(source, data);

describe('copyToAll: one read, every destination', () => {
  it('writes every target byte for byte, reports the source\'s xxh64 and keeps its modification time', async () => {
    const targets = [join(dir, 'a', 'x', 'source.mkv'), join(dir, 'b', 'source.mkv')];
    const copied = [0, 0];
    const verified = [0, 0];
    const r = await copyToAll(source, targets.map((path, i) => ({ path, onCopied: (n: number) => (copied[i]! += n), onVerified: (n: number) => (verified[i]! += n) })));
    expect(r.errors).toEqual([null, null]);
    expect(r.xxh64).toBe(hashBytes('xxh64', data));
    expect(r.size).toBe(data.length);
    for (const t of targets) {
      expect(readFileSync(t).equals(data)).toBe(true);
      expect(await hashFile(t, 'xxh64')).toBe(r.xxh64);
      expect(Math.floor(statSync(t).mtimeMs / 1000)).toBe(Math.floor(statSync(source).mtimeMs / 1000));
    }
    expect(copied).toEqual([data.length, data.length]);
    expect(verified).toEqual([data.length, data.length]);
  });

  it('a target that cannot be written fails alone, leaving no temporary file; the other is complete', async () => {
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'blocked'), 'a file where a folder should be');
    const good = join(dir, 'd', 'source.mkv');
    const r = await copyToAll(source, [{ path: join(dir, 'c', 'blocked', 'source.mkv') }, { path: good }]);
    expect(r.errors[0]?.code).toBe('K4S_NOT_FOLDER');
    expect(r.errors[1]).toBeNull();
    expect(readFileSync(good).equals(data)).toBe(true);
    expect(readdirSync(join(dir, 'd'))).toEqual(['source.mkv']);
    expect(readdirSync(join(dir, 'c'))).toEqual(['blocked']);
  });
});
