import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { directoryHashes, hashBytes, loadHashing, readChain, readGeneration, treeHashes } from '../../src/offload/index.js';

const EXAMPLE = join(import.meta.dirname, '../../../shared/spec/ascmhl/examples/scenario_02_file_server');
const read = (name: string) => readFileSync(join(EXAMPLE, name));

beforeAll(() => loadHashing());

describe('hashes as ASC MHL computes them', () => {
  it('xxh64 of known inputs (the reference vectors of xxHash)', () => {
    expect(hashBytes('xxh64', Buffer.alloc(0))).toBe('ef46db3751d8e999');
    expect(hashBytes('xxh64', Buffer.from('a'))).toBe('d24ec4f1a98c6e5b');
  });

  it('C4 IDs of the example generations are the ones its chain file records', () => {
    const chain = readChain(read('ascmhl_chain.xml').toString('utf8'), 'chain');
    expect(chain).toHaveLength(2);
    for (const entry of chain) expect(hashBytes('c4', read(entry.path))).toBe(entry.c4);
  });

  it('folder and root hashes reproduce the example\'s from its file hashes', () => {
    const gen = readGeneration(read('0001_A002R2EC_2020-01-16_091500Z.mhl').toString('utf8'), 'example');
    const files = new Map(gen.files.map((f) => [f.path, f.hashes.xxh64!.value]));
    const { root, directories } = treeHashes(files);
    expect(root).toEqual(gen.root);
    expect(directories).toEqual(gen.directories.map(({ modified: _m, ...d }) => d));
  });

  it('a folder\'s content hash ignores names, its structure hash does not', () => {
    const a = directoryHashes('xxh64', [{ name: 'a.mkv', content: '0ea03b369a463d9d' }]);
    const b = directoryHashes('xxh64', [{ name: 'b.mkv', content: '0ea03b369a463d9d' }]);
    expect(a.content).toBe(b.content);
    expect(a.structure).not.toBe(b.structure);
  });
});
