import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { errnoOf, fromSystemError, K4sError } from '../errors.js';
import { checkOutputParent, nextFreeName, pendingFolder } from '../output/index.js';
import { isRecordingError, readRecording, type Recording } from '../recording/index.js';
import { isPartialName, isRecordingName, loadTakeJson, resolveTakes, TAKE_MANIFEST, type TakeFiles } from '../take/index.js';
import { VERSION } from '../version.js';
import { inspectFile, type FileCondition } from './crashed-file.js';
import { isPostError, PostError } from './errors.js';
import { trimFile, type TrimPlan } from './mkv-trim.js';

export const RECOVER_SCHEMA = 'k4sync.recover/1';

/** What recover did with one recording. */
export interface RecoveredFile {
  file: string;
  serial: string | null;
  /** recovered: rewritten into a finalized recording; copied: it was finalized and whole already, copied as it is. */
  status: 'recovered' | 'copied';
  /** What was wrong with the source, one sentence each (empty when copied). */
  problems: string[];
  /** Blocks of the written file per track, as k4sync's reader reads them (IMU: samples). */
  blocks: Record<string, number>;
  /** Clusters of the source its index did not cover (written after its last flush), and their frames per track. */
  pastIndex: { clusters: number; frames: Record<string, number> };
  /** K4A_START_OFFSET_NS of the written file. */
  startOffsetNs: string;
  sourceBytes: number;
  bytes: number;
}

/** The `recover` record written into the recovered take's take.json. */
export interface RecoverRecord {
  schema: typeof RECOVER_SCHEMA;
  tool: { name: 'k4sync'; version: string };
  recoveredAt: string;
  source: { take: string; dir: string };
  /** take.json's stopReason as found (kept as it is in the recovered take.json); null without one. */
  stopReason: string | null;
  files: RecoveredFile[];
  /** Other files of the take folder, copied as they are. */
  copied: string[];
  /** The source had been recovered already: its record. */
  previous?: unknown;
}

export interface RecoverResult {
  outDir: string;
  record: RecoverRecord;
  takeJson: string;
  /** Things the user should know (files not copied, a take.json that could not be carried over). */
  notes: string[];
}

export interface RecoverOptions {
  /** Source bytes of the recordings handled so far, of all. */
  onProgress?: (done: number, total: number) => void;
}

interface Job {
  file: string;
  rec: Recording;
  condition: FileCondition;
}

/**
 * Rewrites every recording of a take whose recorder was killed into a finalized recording (trim's rewriter with a
 * window of everything readable, walked to the end of the file), copies recordings that are whole as they are and
 * the take's other files along, and carries take.json over with a `recover` record; its stopReason is kept, so the
 * audit still says how the take ended. Each written file is read back and must hold exactly the timestamps the
 * reader finds in its source. Made in a temporary folder beside `outDir`, renamed into place when complete.
 */
export async function recoverTake(takeDir: string, outDir: string, opts: RecoverOptions = {}): Promise<RecoverResult> {
  const take = oneTake(takeDir);
  const out = checkOutput(take, outDir);
  const notes: string[] = [];
  const jobs: Job[] = [];
  const strays: string[] = [];
  for (const file of take.files) {
    const job = readSource(file);
    if (job) jobs.push(job);
    else strays.push(file);
  }
  for (const f of strays) notes.push(`${basename(f)} is not an Azure Kinect recording: it was copied as it is.`);
  const others = [...strays, ...otherFiles(take, notes)];

  const pending = pendingFolder(out);
  const dir = pending.temp;
  try {
    const total = jobs.reduce((n, j) => n + j.rec.fileSize, 0);
    let before = 0;
    const files: RecoveredFile[] = [];
    for (const j of jobs) {
      const target = join(dir, basename(j.file));
      const source = readBack(j.file);
      let startOffsetNs: bigint;
      if (j.condition.whole) {
        copyFileSync(j.file, target);
        startOffsetNs = j.rec.startOffset.ns;
      } else {
        startOffsetNs = (await rewrite(j, target, (n) => opts.onProgress?.(before + n, total))).startOffsetNs;
        check(target, source);
      }
      before += j.rec.fileSize;
      opts.onProgress?.(before, total);
      files.push({
        file: basename(j.file),
        serial: j.rec.device.serial,
        status: j.condition.whole ? 'copied' : 'recovered',
        problems: j.condition.problems,
        blocks: source.blocks,
        pastIndex: j.condition.pastIndex,
        startOffsetNs: startOffsetNs.toString(),
        sourceBytes: j.rec.fileSize,
        bytes: statSync(target).size,
      });
    }
    for (const f of others) copyFileSync(f, join(dir, basename(f)));

    const found = loadTakeJson(take.manifestPath);
    const manifest: Record<string, unknown> = found.raw ? { ...found.raw } : {};
    const stopReason = typeof manifest['stopReason'] === 'string' ? manifest['stopReason'] : null;
    const record: RecoverRecord = {
      schema: RECOVER_SCHEMA,
      tool: { name: 'k4sync', version: VERSION },
      recoveredAt: new Date().toISOString(),
      source: { take: take.name, dir: take.dir },
      stopReason,
      files,
      copied: others.map((f) => basename(f)),
    };
    if (found.problem) {
      notes.push(`${found.problem.replace(/[.\s]*$/, '')}: ${found.raw ? 'it was carried over as it was, with the recover record added' : 'the recovered take gets a take.json with the recover record only'}.`);
    }
    if (manifest['recover'] !== undefined) record.previous = manifest['recover'];
    manifest['recover'] = record;
    // The folder is renamed into place as a whole: take.json needs no temporary name of its own.
    writeFileSync(join(dir, TAKE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    pending.commit();
    return { outDir: out, record, takeJson: join(out, TAKE_MANIFEST), notes };
  } catch (e) {
    pending.discard();
    // A write that failed (a full disk) names a file of the temporary folder, or no file at all (a write to an open
    // descriptor): to the user it is the --out folder that could not be written.
    const path = (e as NodeJS.ErrnoException).path;
    throw errnoOf(e) && (path === undefined || path.startsWith(dir)) ? fromSystemError(e, outDir, 'write') : e;
  }
}

/** The one take folder `takeDir` is; MKVs named one by one or a shoot-day folder are refused. */
function oneTake(takeDir: string): TakeFiles {
  const takes = resolveTakes([takeDir]);
  const take = takes[0]!;
  if (takes.length !== 1 || take.inDay) {
    throw new PostError('K4S_NO_TAKE', `${takeDir} holds ${takes.length} takes (${takes.map((t) => t.name).join(', ')}); recover one take folder at a time.`);
  }
  if (take.loose) throw new PostError('K4S_NO_TAKE', `${takeDir} is a file; recover rewrites a whole take.`, `Give the take's folder: k4sync recover ${dirname(takeDir)} --out <dir>.`);
  return take;
}

/**
 * The recovered take goes into a new folder (or an empty one), never into the source take or a folder that holds
 * anything. Returns the absolute output path.
 */
function checkOutput(take: TakeFiles, outDir: string): string {
  const out = resolve(outDir);
  // Compared through symbolic links too: `--out link-to-take/fixed` is inside the take.
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const source = real(take.dir);
  const target = join(real(dirname(out)), basename(out));
  const suggestion = `--out ${freeName(`${take.dir}-recovered`)}`;
  if (target === source || target.startsWith(source + sep)) {
    throw new K4sError('K4S_OUTPUT_IS_INPUT', `--out ${outDir} is ${target === source ? 'the take being recovered' : 'inside the take being recovered'}; recover never writes into its source.`, `Write the recovered take beside it, e.g. ${suggestion}.`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new PostError('K4S_OUT_EXISTS', `--out ${outDir} is a file; recover writes a new folder.`, `Give a folder name that does not exist yet, e.g. ${suggestion}.`);
    if (readdirSync(out).length > 0) {
      throw new PostError('K4S_OUT_EXISTS', `--out ${outDir} already holds files; recover writes a new folder and never writes into one that has anything in it.`, `Give a folder name that does not exist yet, e.g. ${suggestion}.`);
    }
  }
  checkOutputParent(outDir, '--out');
  return out;
}

function freeName(path: string): string {
  return existsSync(path) ? nextFreeName(path) : path;
}

/** A recording of the take with what is wrong with it; null for an MKV that is not an Azure Kinect recording. */
function readSource(file: string): Job | null {
  let rec: Recording;
  try {
    rec = readRecording(file, { imuSamples: false });
  } catch (e) {
    if (!isRecordingError(e)) throw e;
    if (e.code === 'K4S_NOT_K4A') return null;
    throw new PostError('K4S_NOT_RECOVERABLE', `${file} cannot be recovered: ${e.message.replace(/[.\s]*$/, '')}.`, 'Move it out of the take folder (keep it: it is the evidence) and run recover again for the other sensors.');
  }
  const condition = inspectFile(file, rec);
  if (!condition.whole && rec.startOffset.source === 'none') {
    throw new PostError('K4S_NOT_RECOVERABLE', `${file} cannot be recovered: it has no K4A_START_OFFSET_NS and no IMU samples to recover it from, so its device times are unknown and a finalized file would have to state them.`, 'Move it out of the take folder (its frames can still be read with relative times) and run recover again for the other sensors.');
  }
  return { file, rec, condition };
}

/** Everything else the take folder holds, to copy along; folders and half-written files are named in the notes. */
function otherFiles(take: TakeFiles, notes: string[]): string[] {
  const out: string[] = [];
  for (const e of readdirSync(take.dir, { withFileTypes: true })) {
    const path = join(take.dir, e.name);
    if (e.name === TAKE_MANIFEST || (isRecordingName(e.name) && !e.isDirectory())) continue;
    if (isPartialName(e.name)) notes.push(`${e.name} was left by a writer that stopped half-way: it was not copied.`);
    else if (!e.isFile()) notes.push(`${e.name} is not a file: it was not copied.`);
    else out.push(path);
  }
  return out;
}

/** Everything readable, at the device times the source has: block times and the start offset stay as they are. */
function wholePlan(rec: Recording): TrimPlan {
  const all = { fromUs: -Infinity, toUs: Infinity };
  return { tracks: new Map(rec.tracks.map((t) => [t.number, all])), others: all, firstUs: Number(rec.startOffset.ns / 1000n) };
}

async function rewrite(j: Job, target: string, onProgress: (n: number) => void) {
  try {
    return await trimFile(j.file, target, j.rec, wholePlan(j.rec), onProgress, { tool: 'recover' });
  } catch (e) {
    if (!isPostError(e)) throw e;
    // The rewriter is trim's: its refusals are recover's here.
    throw new PostError(e.code === 'K4S_NOT_TRIMMABLE' ? 'K4S_NOT_RECOVERABLE' : 'K4S_RECOVER_FAILED', e.message, e.remedy || undefined);
  }
}

/** A recording as the reader reads it: blocks per track, and a digest of every timestamp. */
interface ReadBack {
  blocks: Record<string, number>;
  digest: string;
  finalized: boolean;
  truncatedAt: number | null;
}

function readBack(file: string): ReadBack {
  const rec = readRecording(file);
  const hash = createHash('sha256');
  const blocks: Record<string, number> = {};
  const add = (name: string, count: number, ...values: (Float64Array | null | undefined)[]) => {
    blocks[name] = count;
    hash.update(`${name}:${count};`);
    for (const v of values) if (v) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  };
  for (const t of rec.tracks) {
    const name = t.name || `track${t.number}`;
    if (t.builtin === 'COLOR') add(name, rec.color?.length ?? 0, rec.color);
    else if (t.builtin === 'DEPTH') add(name, rec.depth?.length ?? 0, rec.depth);
    else if (t.builtin === 'IR') add(name, rec.ir?.length ?? 0, rec.ir);
    else if (t.builtin === 'IMU') add(name, rec.imu?.accTimestampsUs.length ?? 0, rec.imu?.accTimestampsUs, rec.imu?.gyroTimestampsUs);
    else {
      const c = rec.customTracks.find((x) => x.track.number === t.number);
      add(name, c?.blocks ?? 0);
      hash.update(`${c?.firstUs}-${c?.lastUs};`);
    }
  }
  // Host arrival times are payloads of a custom track (counted above): their values are checked, not counted again.
  for (const v of rec.hostTimes ? [rec.hostTimes.deviceUs, rec.hostTimes.hostUs] : []) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return { blocks, digest: hash.digest('hex'), finalized: rec.finalized, truncatedAt: rec.truncatedAt };
}

/** The written file must be finalized and hold exactly the timestamps the reader finds in the source. */
function check(target: string, source: ReadBack): void {
  let got: ReadBack;
  try {
    got = readBack(target);
  } catch (e) {
    throw new PostError('K4S_RECOVER_FAILED', `The recovered ${basename(target)} cannot be read back (${(e as Error).message}); nothing was written.`);
  }
  if (got.digest === source.digest && got.finalized && got.truncatedAt === null) return;
  const differ = Object.keys({ ...source.blocks, ...got.blocks })
    .filter((t) => source.blocks[t] !== got.blocks[t])
    .map((t) => `${got.blocks[t] ?? 0} ${t} where the source has ${source.blocks[t] ?? 0}`);
  const why = !got.finalized ? 'it is not finalized' : got.truncatedAt !== null ? `it is cut short at byte ${got.truncatedAt}` : differ.length > 0 ? `it holds ${differ.join(', ')}` : 'its timestamps differ from the source\'s';
  throw new PostError('K4S_RECOVER_FAILED', `The recovered ${basename(target)} does not check out: ${why}. This is a bug in k4sync; nothing was written.`);
}
