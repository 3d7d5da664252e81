/**
 * `k4sync offload --verify`: every file a history records is hashed again and compared with its last good hash;
 * files that changed, went missing or appeared are reported, and the result is appended to the history as an
 * in-place generation (verified / failed), as the reference implementation's verification does. Files that
 * appeared are reported but not adopted into the history: only an offload records new files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fromSystemError, K4sError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMPUTABLE, hashFile, loadHashing } from './hash.js';
import { appendGeneration, HISTORY_FOLDER, JOURNAL, latestRecords, loadHistory, type History } from './history.js';
import { IGNORE_PATTERNS, listFiles, treeHashes } from './tree.js';
import { mhlDate } from './xml.js';
import type { FileHash, HashFormat, VerifyFinding, VerifyResult } from './types.js';

/** The folders under `path` that hold a history: the path itself, else its sub-folders that do. */
export function historyRoots(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw fromSystemError(e, path, 'read');
  }
  if (!st.isDirectory()) throw new K4sError('K4S_NOT_FOLDER', `--verify ${path} is a file; it takes a folder an offload wrote (or a drive holding such folders).`, 'Give a folder path.');
  if (existsSync(join(path, HISTORY_FOLDER))) return [path];
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (e) {
    throw fromSystemError(e, path, 'read');
  }
  const roots = names.map((n) => join(path, n)).filter((p) => existsSync(join(p, HISTORY_FOLDER)));
  if (roots.length === 0) throw new K4sError('K4S_NO_MHL', `${path} holds no ASC MHL history (no ascmhl folder in it or in the folders inside it).`);
  return roots;
}

export interface VerifyOptions {
  onBytes?: (root: string, done: number, total: number) => void;
  now?: () => Date;
}

/** Verifies one history root and appends the verification generation; a failure to write it is returned, not thrown. */
export async function verifyRoot(root: string, opts: VerifyOptions = {}): Promise<VerifyResult & { writeError: K4sError | null }> {
  await loadHashing();
  const history = loadHistory(root) as History;
  const findings: VerifyFinding[] = [...history.problems];
  if (existsSync(join(root, HISTORY_FOLDER, JOURNAL))) findings.push({ path: `${HISTORY_FOLDER}/${JOURNAL}`, kind: 'history', detail: 'an offload into this folder was interrupted; run it again to finish the copy' });
  if (history.generations.length === 0) findings.push({ path: HISTORY_FOLDER, kind: 'history', detail: 'holds no generation' });
  const patterns = [...new Set([...IGNORE_PATTERNS, ...history.generations.flatMap((g) => g.generation.ignore)])];
  const present = new Map(listFiles(root, patterns).map((f) => [f.path, f]));
  const records = latestRecords(history);
  const total = [...records.keys()].reduce((n, p) => n + (present.get(p)?.size ?? 0), 0);
  let done = 0;
  const files: FileHash[] = [];
  const xxh = new Map<string, string>();
  let verified = 0;
  for (const [path, record] of [...records].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = present.get(path);
    if (!file) {
      findings.push({ path, kind: 'missing', detail: 'is in the history but not on the drive' });
      continue;
    }
    const format = (['xxh64', ...COMPUTABLE] as HashFormat[]).find((f) => record.hashes[f]);
    if (!format) {
      findings.push({ path, kind: 'unverifiable', detail: `is recorded only as ${Object.keys(record.hashes).join(', ')}, which k4sync cannot compute` });
      continue;
    }
    let now: string;
    try {
      now = await hashFile(file.abs, format, (n) => opts.onBytes?.(root, (done += n), total));
    } catch (e) {
      throw fromSystemError(e, file.abs, 'read');
    }
    const expected = record.hashes[format]!.value;
    const same = now === expected;
    if (same) verified++;
    else findings.push({ path, kind: 'changed', detail: `${format} is ${now}, the history records ${expected}${record.size !== undefined && record.size !== file.size ? ` (size ${file.size} bytes, recorded ${record.size})` : ''}` });
    if (format === 'xxh64') xxh.set(path, now);
    files.push({ path, size: file.size, modified: mhlDate(new Date(file.mtimeMs)), hashes: { [format]: { value: now, action: same ? 'verified' : 'failed', hashDate: mhlDate(new Date()) } } });
  }
  for (const path of present.keys()) if (!records.has(path)) findings.push({ path, kind: 'added', detail: 'is on the drive but in no generation of the history' });
  let generationFile: string | null = null;
  let writeError: K4sError | null = null;
  if (files.length > 0) {
    const created = opts.now?.() ?? new Date();
    const tree = xxh.size > 0 ? treeHashes(xxh) : null;
    try {
      generationFile = appendGeneration(root, history, {
        created: mhlDate(created), hostname: hostname(), tool: { name: 'k4sync', version: VERSION },
        comment: `k4sync offload --verify: ${verified} file(s) verified, ${findings.length} finding(s)`,
        process: 'in-place', ...(tree ? { root: tree.root } : {}), ignore: patterns, files, directories: tree?.directories ?? [],
      }, created);
    } catch (e) {
      writeError = e instanceof K4sError ? e : fromSystemError(e, root, 'write to');
    }
  }
  return { root, verified, findings, generationFile, writeError };
}
