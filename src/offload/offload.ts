/**
 * `k4sync offload`: takes (or shoot days) to one or more destinations in one pass. Every file is read once for all
 * destinations and hashed while it is copied, each destination is read back and compared, and each destination
 * folder gets its ASC MHL history and the sync report of its own copy. A destination that fails is dropped and
 * named; the others finish. Re-running resumes: what a destination's history (or the journal of a killed run)
 * records with the source's size and modification time is not copied again.
 */
import { accessSync, constants, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { errnoOf, fromSystemError, K4sError } from '../errors.js';
import { resolveTakes } from '../take/index.js';
import { VERSION } from '../version.js';
import { copyToAll } from './copy.js';
import { DELIVERABLES, writeDeliverables } from './deliverables.js';
import { hashFile, loadHashing } from './hash.js';
import { appendGeneration, latestRecords, loadHistory, readJournal, removeJournal, writeJournal, type History } from './history.js';
import { IGNORE_PATTERNS, listFiles, treeHashes, type TreeFile } from './tree.js';
import { mhlDate } from './xml.js';
import type { FileHash, Generation, OffloadProgress } from './types.js';
import type { Status } from '../audit/index.js';

export interface OffloadRequest {
  /** Take folders or shoot-day folders. */
  sources: string[];
  /** Folders (drives) to copy them into: each source becomes a folder of its own name in each. */
  destinations: string[];
  onProgress?: (p: OffloadProgress) => void;
  /** One line per event worth telling the operator (a destination done, a take that could not be audited). */
  onNote?: (line: string) => void;
  /** Audit the copies and write their report (default true). */
  report?: boolean;
}

/** One source in one destination. */
export interface OffloadOutcome {
  source: string;
  destination: string;
  /** The folder in the destination that holds the copy and its ascmhl/ history. */
  folder: string;
  copied: number;
  skipped: number;
  bytes: number;
  /** The generation written, null when nothing was new (or the destination failed). */
  generation: string | null;
  verdict: Status | null;
  error: K4sError | null;
}

interface Unit {
  name: string;
  root: string;
  /** Take folders, relative to the root ('' for the root itself). */
  takes: string[];
  files: TreeFile[];
}

/** One unit in one destination, planned before anything is copied. */
interface Job {
  unit: Unit;
  dest: Destination;
  folder: string;
  history: History | null;
  /** Verified in this offload (or by the killed run it resumes), to be recorded in the new generation. */
  done: FileHash[];
  todo: Set<string>;
  outcome: OffloadOutcome;
}

interface Destination {
  given: string;
  real: string;
  error: K4sError | null;
  copied: number;
  verified: number;
  total: number;
}

const TEMP = /^\..*\.k4sync-(\d+)-\d+\.tmp(\.[^.]*)?$/;

/** A process of this machine that is still running (another offload into the same drive owns its temporaries). */
function running(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}
const isInside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

function real(path: string, flag: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw fromSystemError(e, path, flag === '--to' ? 'write to' : 'read');
  }
  if (!st.isDirectory()) throw new K4sError('K4S_NOT_FOLDER', `${flag === '--to' ? '--to ' : ''}${path} is a file; ${flag === '--to' ? 'a destination is a folder (a drive or a folder on it)' : 'offload copies take folders and shoot-day folders'}.`, 'Give a folder path.');
  return realpathSync(path);
}

function planUnit(source: string): Unit {
  const root = real(source, 'source');
  const takes = resolveTakes([root]);
  const single = takes.length === 1 && takes[0]!.dir === root;
  // An earlier offload's report in a source (a copy offloaded again) is made anew for each destination.
  const files = listFiles(root).filter((f) => !DELIVERABLES.includes(basename(f.path)));
  return { name: basename(root), root, takes: single ? [''] : takes.map((t) => relative(root, t.dir)), files };
}

const sameSecond = (a: number, b: number) => Math.floor(a / 1000) === Math.floor(b / 1000);

/** A destination file the history records with the source's size and time, and that still has them. */
function upToDate(f: TreeFile, record: FileHash | undefined, destPath: string): boolean {
  if (!record?.hashes.xxh64 || record.size !== f.size || !record.modified || !sameSecond(Date.parse(record.modified), f.mtimeMs)) return false;
  try {
    const st = statSync(destPath);
    return st.isFile() && st.size === f.size && sameSecond(st.mtimeMs, f.mtimeMs);
  } catch {
    return false;
  }
}

/** What a killed offload left: k4sync's temporary files, which never hold a finished copy (unless their writer still runs). */
function removeTemporaries(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return;
    throw fromSystemError(e, dir, 'read');
  }
  for (const e of entries) {
    if (e.isDirectory()) removeTemporaries(join(dir, e.name));
    else {
      const m = TEMP.exec(e.name);
      if (m && !running(Number(m[1]))) rmSync(join(dir, e.name), { force: true });
    }
  }
}

function planJob(unit: Unit, dest: Destination): Job {
  const folder = join(dest.real, unit.name);
  let st;
  try {
    st = statSync(folder);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw fromSystemError(e, folder, 'write to');
  }
  if (st && !st.isDirectory()) throw new K4sError('K4S_NOT_FOLDER', `${folder} is a file; the copy of ${unit.root} goes there.`, 'Move that file away, or offload to another destination.');
  const history = st ? loadHistory(folder) : null;
  const journal = st ? readJournal(folder) : null;
  if (st && !history && !journal && listFiles(folder).length > 0) {
    throw new K4sError('K4S_OUT_EXISTS', `${folder} already holds files that no k4sync offload recorded (no ASC MHL history there); k4sync will not copy over them.`, 'Offload to another destination, or move that folder away first.');
  }
  const records = latestRecords(history, journal);
  const fromJournal = new Set(journal?.files.map((f) => f.path) ?? []);
  const done: FileHash[] = [];
  const todo = new Set<string>();
  for (const f of unit.files) {
    const record = records.get(f.path);
    if (!upToDate(f, record, join(folder, f.path))) todo.add(f.path);
    // Files the killed run verified belong to the generation this run completes.
    else if (fromJournal.has(f.path)) done.push(record!);
  }
  return {
    unit, dest, folder, history, done, todo,
    outcome: { source: unit.root, destination: dest.given, folder, copied: 0, skipped: unit.files.length - todo.size - done.length, bytes: 0, generation: null, verdict: null, error: null },
  };
}

/** Checks every source and destination, and plans every copy, before a byte is written. */
function plan(req: OffloadRequest): Job[] {
  if (req.sources.length === 0) throw new K4sError('K4S_BAD_FLAG', 'offload needs at least one take or shoot-day folder.', 'Run k4sync offload <take-dir>... --to <drive>.');
  if (req.destinations.length === 0) throw new K4sError('K4S_BAD_FLAG', 'offload needs at least one --to destination.', 'Give each drive with --to, e.g. --to /media/shuttle --to /media/raid.');
  const units = req.sources.map(planUnit);
  const dests: Destination[] = [];
  for (const given of req.destinations) {
    const r = real(given, '--to');
    // Checked before any copying: a read-only or forbidden drive must not be found out after the first drive is done.
    try {
      accessSync(r, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw fromSystemError(e, given, 'write to');
    }
    if (dests.some((d) => d.real === r)) throw new K4sError('K4S_BAD_FLAG', `--to ${given} is given twice (or names the same folder as another --to).`, 'Give each destination once.');
    for (const u of units) {
      if (isInside(r, u.root) || isInside(u.root, r)) {
        throw new K4sError('K4S_DEST_IN_SOURCE', `--to ${given} ${isInside(r, u.root) ? 'is inside' : 'holds'} the source ${u.root}; a copy must go to another folder, ideally another drive.`);
      }
    }
    dests.push({ given, real: r, error: null, copied: 0, verified: 0, total: 0 });
  }
  const names = new Map<string, string>();
  for (const u of units) {
    const other = names.get(u.name);
    if (other !== undefined) throw new K4sError('K4S_BAD_FLAG', `${other} and ${u.root} have the same name (${u.name}); their copies would land in one folder.`, 'Offload them in separate runs to different destinations, or rename one.');
    names.set(u.name, u.root);
  }
  const jobs = units.flatMap((u) => dests.map((d) => planJob(u, d)));
  for (const j of jobs) for (const f of j.unit.files) if (j.todo.has(f.path)) j.dest.total += f.size;
  return jobs;
}

const TOOL = { name: 'k4sync', version: VERSION };

function transferGeneration(job: Job, created: Date, files: FileHash[]): Generation {
  // The folder hashes cover every file the destination holds on record: earlier generations', then this one's.
  const present = new Set(listFiles(job.folder).map((f) => f.path));
  const hashes = new Map<string, string>();
  for (const [path, rec] of latestRecords(job.history)) if (present.has(path) && rec.hashes.xxh64) hashes.set(path, rec.hashes.xxh64.value);
  for (const f of files) hashes.set(f.path, f.hashes.xxh64!.value);
  const { root, directories } = treeHashes(hashes);
  return {
    created: mhlDate(created),
    hostname: hostname(),
    tool: TOOL,
    comment: `k4sync offload of ${job.unit.root}: every file was hashed (xxh64) while it was read once from the source, then read back from this drive and compared; "verified" means the two hashes matched.`,
    process: 'transfer',
    root,
    ignore: IGNORE_PATTERNS,
    files,
    directories,
  };
}

function journalOf(job: Job): Generation {
  return { created: mhlDate(new Date()), hostname: hostname(), tool: TOOL, comment: 'in progress: files verified so far', process: 'transfer', ignore: IGNORE_PATTERNS, files: job.done, directories: [] };
}

function failJob(job: Job, e: unknown): void {
  const err = e instanceof K4sError ? e : fromSystemError(e, job.folder, 'write to');
  job.dest.error ??= err;
  job.outcome.error ??= err;
}

async function copyUnit(jobs: Job[], req: OffloadRequest): Promise<void> {
  for (const job of jobs) {
    if (job.dest.error) continue;
    try {
      removeTemporaries(job.folder);
    } catch (e) {
      failJob(job, e);
    }
  }
  const unit = jobs[0]!.unit;
  for (const f of unit.files) {
    const targets = jobs.filter((j) => !j.dest.error && j.todo.has(f.path));
    if (targets.length === 0) continue;
    const progress = (j: Job, phase: 'copy' | 'verify') => (n: number) => {
      const d = j.dest;
      if (phase === 'copy') d.copied += n;
      else d.verified += n;
      req.onProgress?.({ destination: d.given, phase, done: phase === 'copy' ? d.copied : d.verified, total: d.total });
    };
    const result = await copyToAll(f.abs, targets.map((j) => ({ path: join(j.folder, f.path), onCopied: progress(j, 'copy'), onVerified: progress(j, 'verify') })));
    const hashDate = mhlDate(new Date());
    targets.forEach((j, i) => {
      const err = result.errors[i];
      if (err) return failJob(j, err);
      j.done.push({ path: f.path, size: result.size, modified: mhlDate(new Date(result.mtimeMs)), hashes: { xxh64: { value: result.xxh64, action: 'verified', hashDate } } });
      j.outcome.copied++;
      j.outcome.bytes += result.size;
      try {
        writeJournal(j.folder, journalOf(j));
      } catch (e) {
        failJob(j, e);
      }
    });
  }
}

async function finishJob(job: Job, req: OffloadRequest): Promise<void> {
  if (job.dest.error) {
    job.outcome.error ??= job.dest.error;
    return;
  }
  // Nothing new: the destination already holds this source, verified; its history and report stand.
  if (job.done.length === 0) return;
  const files = [...job.done];
  try {
    if (req.report !== false && job.unit.takes.length > 0) {
      const byAbs = new Map<string, string>();
      for (const [path, rec] of latestRecords(job.history, { ...journalOf(job), files })) if (rec.hashes.xxh64) byAbs.set(join(job.folder, path), rec.hashes.xxh64.value);
      const made = await writeDeliverables(job.unit.takes.map((t) => join(job.folder, t)), byAbs);
      job.outcome.verdict = made.verdict;
      for (const p of made.problems) req.onNote?.(`no report for ${p}`);
      for (const abs of made.written) {
        const st = statSync(abs);
        files.push({ path: relative(job.folder, abs).split(sep).join('/'), size: st.size, modified: mhlDate(st.mtime), hashes: { xxh64: { value: await hashFile(abs, 'xxh64'), action: 'original', hashDate: mhlDate(new Date()) } } });
      }
    }
    const created = new Date();
    job.outcome.generation = appendGeneration(job.folder, job.history, transferGeneration(job, created, files), created);
    removeJournal(job.folder);
  } catch (e) {
    failJob(job, e);
  }
}

/** Runs the offload; every destination's outcome is returned, failed ones with their error. */
export async function offload(req: OffloadRequest): Promise<OffloadOutcome[]> {
  await loadHashing();
  const jobs = plan(req);
  const units = [...new Set(jobs.map((j) => j.unit))];
  for (const unit of units) {
    const unitJobs = jobs.filter((j) => j.unit === unit);
    await copyUnit(unitJobs, req);
    for (const job of unitJobs) await finishJob(job, req);
  }
  return jobs.map((j) => j.outcome);
}
