/**
 * A folder's ASC MHL history (`<root>/ascmhl/`): its generations in chain order, what each file's last good hash
 * is, and appending a generation (the .mhl file first, then the chain that names it, each renamed into place).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errnoOf, fromSystemError } from '../errors.js';
import { writeFileAtomic } from '../output/index.js';
import { CHAIN_FILE, readChain, writeChain, type ChainEntry } from './chain.js';
import { hashBytes } from './hash.js';
import { readGeneration } from './mhl-reader.js';
import { writeGeneration } from './mhl-writer.js';
import type { FileHash, Generation, StoredGeneration, VerifyFinding } from './types.js';

export const HISTORY_FOLDER = 'ascmhl';
const GENERATION_NAME = /^(\d{4,})_.+_\d{4}-\d{2}-\d{2}_\d{6}Z\.mhl$/;
/**
 * What an offload has verified so far, rewritten after every file: an ASC MHL document outside the chain, so a
 * killed offload resumes from it and nothing that is not finished is in the history.
 */
export const JOURNAL = '.k4sync-offload-in-progress.mhl';

export interface History {
  root: string;
  generations: StoredGeneration[];
  /** The chain and the generation files disagree (a file changed, missing, or not in the chain). */
  problems: VerifyFinding[];
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw fromSystemError(e, path, 'read');
  }
}

/** The history of `root`, or null when it has none (no ascmhl folder). Unreadable files are K4S_BAD_MHL. */
export function loadHistory(root: string): History | null {
  const dir = join(root, HISTORY_FOLDER);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw fromSystemError(e, dir, 'read');
  }
  const problems: VerifyFinding[] = [];
  const chain = names.includes(CHAIN_FILE) ? readChain(read(join(dir, CHAIN_FILE)), join(dir, CHAIN_FILE)) : [];
  const generations: StoredGeneration[] = [];
  for (const entry of [...chain].sort((a, b) => a.sequence - b.sequence)) {
    const where = join(dir, entry.path);
    if (!existsSync(where)) {
      problems.push({ path: `${HISTORY_FOLDER}/${entry.path}`, kind: 'history', detail: 'is in the chain but missing' });
      continue;
    }
    const bytes = read(where);
    if (hashBytes('c4', Buffer.from(bytes, 'utf8')) !== entry.c4) {
      problems.push({ path: `${HISTORY_FOLDER}/${entry.path}`, kind: 'history', detail: 'changed after it was written (its C4 ID is not the one the chain records)' });
    }
    generations.push({ sequence: entry.sequence, file: entry.path, generation: readGeneration(bytes, where) });
  }
  const chained = new Set(chain.map((c) => c.path));
  for (const name of names.filter((n) => GENERATION_NAME.test(n) && !chained.has(n)).sort()) {
    problems.push({ path: `${HISTORY_FOLDER}/${name}`, kind: 'history', detail: 'is not in the chain file' });
  }
  return { root, generations, problems };
}

/** The next sequence number of a history (1 for none). */
export function nextSequence(history: History | null): number {
  const seqs = (history?.generations ?? []).map((g) => g.sequence);
  for (const p of history?.problems ?? []) {
    const m = GENERATION_NAME.exec(basename(p.path));
    if (m) seqs.push(Number(m[1]));
  }
  return Math.max(0, ...seqs) + 1;
}

/**
 * The record each path last had: the newest entry whose hash was not a failure (a failed verification records what
 * was found, not what the file should be). Newest generation first, so a file copied again supersedes its old hash.
 */
export function latestRecords(history: History | null, journal: Generation | null = null): Map<string, FileHash> {
  const out = new Map<string, FileHash>();
  const gens = [...(journal ? [journal] : []), ...(history?.generations ?? []).map((g) => g.generation).reverse()];
  for (const g of gens) {
    for (const f of g.files) {
      if (out.has(f.path)) continue;
      if (Object.values(f.hashes).some((h) => h.action === 'failed')) continue;
      out.set(f.path, f);
    }
  }
  return out;
}

const stamp = (created: Date) => created.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '');

/** Writes the generation under the next number and appends it to the chain; returns its file name. */
export function appendGeneration(root: string, history: History | null, generation: Generation, created: Date): string {
  const dir = join(root, HISTORY_FOLDER);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fromSystemError(e, dir, 'create');
  }
  const sequence = nextSequence(history);
  const file = `${String(sequence).padStart(4, '0')}_${basename(root)}_${stamp(created)}Z.mhl`;
  const xml = writeGeneration(generation);
  writeFileAtomic(join(dir, file), xml);
  const chain: ChainEntry[] = existsSync(join(dir, CHAIN_FILE)) ? readChain(read(join(dir, CHAIN_FILE)), join(dir, CHAIN_FILE)) : [];
  chain.push({ sequence, path: file, c4: hashBytes('c4', Buffer.from(xml, 'utf8')) });
  try {
    writeFileAtomic(join(dir, CHAIN_FILE), writeChain(chain));
  } catch (e) {
    // A generation the chain does not name would be reported as foreign by every later verification.
    rmSync(join(dir, file), { force: true });
    throw e;
  }
  return file;
}

export function readJournal(root: string): Generation | null {
  const path = join(root, HISTORY_FOLDER, JOURNAL);
  if (!existsSync(path)) return null;
  return readGeneration(read(path), path);
}

export function writeJournal(root: string, generation: Generation): void {
  const dir = join(root, HISTORY_FOLDER);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fromSystemError(e, dir, 'create');
  }
  writeFileAtomic(join(dir, JOURNAL), writeGeneration(generation));
}

export function removeJournal(root: string): void {
  rmSync(join(root, HISTORY_FOLDER, JOURNAL), { force: true });
}
