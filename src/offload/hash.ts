/**
 * The hashes an ASC MHL history holds: xxh64 (ASC MHL's default, through xxhash-wasm: pure WebAssembly, streaming,
 * the same on Linux and Windows), md5 and sha1 for histories other tools wrote, and C4 (SHA-512 in base 58) for the
 * chain file. Directory hashes are computed as the reference implementation (ascmhl) computes them, which the
 * example history in ../shared/spec/ascmhl reproduces (test/offload/hash.test.ts).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import xxhash from 'xxhash-wasm';
import type { DirectoryHashes, HashFormat } from './types.js';

export interface StreamHasher {
  update(bytes: Uint8Array): void;
  /** Lower-case hex (C4: its own text form). */
  digest(): string;
}

let api: Awaited<ReturnType<typeof xxhash>> | null = null;

/** Loads the WebAssembly once; every hasher after that is synchronous. */
export async function loadHashing(): Promise<void> {
  api ??= await xxhash();
}

function xxh64(): StreamHasher {
  if (!api) throw new Error('loadHashing() must be awaited before hashing');
  const h = api.create64();
  return {
    update: (b) => void h.update(b),
    digest: () => h.digest().toString(16).padStart(16, '0'),
  };
}

const C4_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A C4 ID (SMPTE ST 2114): the SHA-512 digest as a base-58 number, padded to 88 digits, after "c4". */
function c4Text(digest: Buffer): string {
  let n = BigInt(`0x${digest.toString('hex')}`);
  let s = '';
  while (n > 0n) {
    s = C4_ALPHABET[Number(n % 58n)]! + s;
    n /= 58n;
  }
  return `c4${s.padStart(88, '1')}`;
}

function c4Bytes(text: string): Buffer {
  let n = 0n;
  for (const ch of text.slice(2)) n = n * 58n + BigInt(C4_ALPHABET.indexOf(ch));
  return Buffer.from(n.toString(16).padStart(128, '0'), 'hex');
}

function fromCrypto(algorithm: string, text: (d: Buffer) => string): StreamHasher {
  const h = createHash(algorithm);
  return { update: (b) => void h.update(b), digest: () => text(h.digest()) };
}

/** The formats k4sync can compute; a history's xxh3 or xxh128 entries are reported as not verifiable. */
export const COMPUTABLE: readonly HashFormat[] = ['xxh64', 'md5', 'sha1', 'c4'];

export function newHasher(format: HashFormat): StreamHasher {
  switch (format) {
    case 'xxh64':
      return xxh64();
    case 'md5':
    case 'sha1':
      return fromCrypto(format, (d) => d.toString('hex'));
    case 'c4':
      return fromCrypto('sha512', c4Text);
    default:
      throw new Error(`no hasher for ${format}`);
  }
}

export function hashBytes(format: HashFormat, bytes: Uint8Array): string {
  const h = newHasher(format);
  h.update(bytes);
  return h.digest();
}

const digestBytes = (format: HashFormat, text: string): Buffer => (format === 'c4' ? c4Bytes(text) : Buffer.from(text, 'hex'));

/** ascmhl's hash of a list of hashes: their bytes, in the lexicographic order of their text, hashed together. */
function hashOfHashes(format: HashFormat, hashes: string[]): string {
  const h = newHasher(format);
  for (const text of [...hashes].sort()) h.update(digestBytes(format, text));
  return h.digest();
}

/** A folder's child, for its directory hashes: a file gives its content hash, a folder both of its hashes. */
export type DirectoryChild = { name: string; content: string; structure?: string };

/**
 * A folder's content hash covers its children's contents only (renaming a file keeps it); its structure hash covers
 * names too: each child's UTF-8 name followed by its hash bytes (a folder's structure hash), hashed, then listed.
 */
export function directoryHashes(format: HashFormat, children: DirectoryChild[]): DirectoryHashes {
  const structures = children.map((c) => hashBytes(format, Buffer.concat([Buffer.from(c.name, 'utf8'), digestBytes(format, c.structure ?? c.content)])));
  return { format, content: hashOfHashes(format, children.map((c) => c.content)), structure: hashOfHashes(format, structures) };
}

/** Streams a file through a hasher in 4 MiB reads; `onBytes` sees each read's length. */
export async function hashFile(path: string, format: HashFormat, onBytes?: (n: number) => void): Promise<string> {
  const h = newHasher(format);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      onBytes?.(bytesRead);
    }
  } finally {
    await fh.close();
  }
  return h.digest();
}
