import { copyFileSync, existsSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { errnoOf, fromSystemError, K4sError } from '../errors.js';
import { checkOutputParent, nextFreeName, pendingFolder } from '../output/index.js';
import { readRecording, type Recording } from '../recording/index.js';
import type { SourceClock } from '../take/index.js';
import { VERSION } from '../version.js';
import { PostError } from './errors.js';
import { buildFrameIndex, rigFrameUs, rowTimecode, type SensorColumns } from './frame-index.js';
import { trimFile, type KeepSpan, type TrimPlan } from './mkv-trim.js';
import { loadTake, type LoadedTake } from './take.js';
import { parseWindow, selectRows, windowText, type RowRange, type WindowSpec } from './window.js';

export const TRIM_SCHEMA = 'k4sync.trim/1';

/** What trim kept of one sensor. */
export interface TrimmedSensor {
  serial: string;
  /** The trimmed file. */
  file: string;
  sourceFile: string;
  /** Blocks kept per track name (IMU: samples). */
  frames: Record<string, number>;
  /** Rig frames of the window this sensor has no frame for (real drops; never filled in). */
  missing: number;
  /** The new K4A_START_OFFSET_NS: device time of the first kept item, ns. */
  startOffsetNs: string;
  firstDeviceUs: number | null;
  lastDeviceUs: number | null;
  bytes: number;
  /**
   * The sensor's clock as the source take measured it (the audit of the trimmed take uses it: a short window cannot
   * measure a rate, and must agree with its source); absent when the source had too few frames to measure one.
   */
  clock?: SourceClock;
}

/** The `trim` record written into the output's take.json. */
export interface TrimRecord {
  schema: typeof TRIM_SCHEMA;
  tool: { name: 'k4sync'; version: string };
  trimmedAt: string;
  source: { take: string; dir: string };
  window: {
    spec: string;
    reference: string;
    fps: number;
    /** Rig frames of the source's common window that were kept, both included. */
    rigFrames: { first: number; last: number };
    frames: number;
    /** Reference-clock device time of the first and last kept rig frame, µs. */
    startUs: number;
    endUs: number;
    timecodeIn: string | null;
    timecodeOut: string | null;
  };
  sensors: TrimmedSensor[];
  excluded: { serial: string; file: string; reason: string }[];
  /** The take.json of the source had been trimmed already: its record. */
  previous?: unknown;
}

export interface TrimResult {
  outDir: string;
  record: TrimRecord;
  takeJson: string;
  /** Things the user should know (sensors left out, a take.json that could not be carried over). */
  notes: string[];
}

export interface TrimOptions {
  /** Source bytes read so far, of all files. */
  onProgress?: (done: number, total: number) => void;
  reference?: string;
}

/**
 * Writes each sensor's MKV cut to the window (the common window by default) into `outDir`, with a take.json that
 * records the trim. Sensors outside the common window (not aligned with the reference) are not written: the notes
 * and take.json say which and why. The trimmed take is made in a temporary folder beside `outDir` and renamed into
 * place when complete: a crash, Ctrl-C or a full disk never leaves a folder that looks like a take.
 */
export async function trimTake(takeDir: string | LoadedTake, outDir: string, window: string | WindowSpec = 'common', opts: TrimOptions = {}): Promise<TrimResult> {
  const spec = parseWindow(window);
  const take = typeof takeDir === 'string' ? await loadTake(takeDir, opts.reference ? { reference: opts.reference } : {}) : takeDir;
  const index = buildFrameIndex(take);
  const rows = selectRows(index, spec);
  const out = checkOutput(take, outDir);

  const notes: string[] = [];
  const excluded = index.excluded.map((e) => ({ ...e, file: basename(e.file) }));
  for (const e of excluded) notes.push(`${e.serial} was not trimmed: ${e.reason}.`);
  const jobs = index.sensors.map((col) => {
    const sensor = take.sensors.find((s) => s.serial === col.serial)!;
    const clock = take.timeline!.sensors.find((s) => s.serial === col.serial)!.clock;
    return { col, rec: sensor.recording!, clock, plan: planFor(col, sensor.recording!, rows, 1e6 / index.fps) };
  });
  for (const j of jobs) {
    if (j.rec.startOffset.source === 'none') {
      throw new PostError('K4S_NOT_TRIMMABLE', `${j.col.file} has no start offset (K4A_START_OFFSET_NS missing and no IMU to recover it): its device times are unknown, so it cannot be cut to the rig's window.`);
    }
  }
  for (const j of jobs) if (j.rec.truncatedAt !== null) notes.push(truncationNote(j.col, j.rec, j.rec.truncatedAt, rows, spec, index.rows));
  const empty = jobs.filter((j) => j.plan === null);
  for (const j of empty) {
    excluded.push({ serial: j.col.serial, file: basename(j.col.file), reason: 'it has no frame in the window' });
    notes.push(`${j.col.serial} was not trimmed: it has no frame in the window.`);
  }

  const pending = pendingFolder(out);
  const dir = pending.temp;
  try {
    const total = jobs.reduce((n, j) => n + (j.plan ? statSync(j.col.file).size : 0), 0);
    let before = 0;
    const sensors: TrimmedSensor[] = [];
    for (const j of jobs) {
      if (!j.plan) continue;
      const target = join(dir, basename(j.col.file));
      const result = await trimFile(j.col.file, target, j.rec, j.plan, (n) => opts.onProgress?.(before + n, total));
      before += statSync(j.col.file).size;
      opts.onProgress?.(before, total);
      const frames: Record<string, number> = {};
      for (const t of j.rec.tracks) frames[t.name || `track${t.number}`] = result.kept.get(t.number) ?? 0;
      sensors.push({
        serial: j.col.serial,
        file: basename(target),
        sourceFile: j.col.file,
        frames,
        missing: countMissing(j.col, rows),
        startOffsetNs: result.startOffsetNs.toString(),
        ...deviceSpan(j.col, rows),
        bytes: result.bytes,
        ...(j.clock ? { clock: j.clock } : {}),
      });
      verify(target, j.col, rows);
    }

    const record: TrimRecord = {
      schema: TRIM_SCHEMA,
      tool: { name: 'k4sync', version: VERSION },
      trimmedAt: new Date().toISOString(),
      source: { take: take.name, dir: take.dir },
      window: {
        spec: windowText(spec),
        reference: index.reference,
        fps: index.fps,
        rigFrames: rows,
        frames: rows.last - rows.first + 1,
        startUs: rigFrameUs(index, rows.first),
        endUs: rigFrameUs(index, rows.last),
        timecodeIn: rowTimecode(index, rows.first),
        timecodeOut: rowTimecode(index, rows.last),
      },
      sensors,
      excluded,
    };
    if (take.manifestProblem) notes.push(`${take.manifestProblem}: the trimmed take gets a take.json with the trim record only.`);
    const manifest: Record<string, unknown> = take.manifest ? { ...take.manifest } : {};
    if (manifest['trim'] !== undefined) record.previous = manifest['trim'];
    manifest['trim'] = record;
    copyLtc(take, dir, manifest, notes);
    // The folder is renamed into place as a whole: take.json needs no temporary name of its own.
    writeFileSync(join(dir, 'take.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    pending.commit();
    return { outDir: out, record, takeJson: join(out, 'take.json'), notes };
  } catch (e) {
    pending.discard();
    // A write that failed (a full disk) names a file of the temporary folder, or no file at all (a write to an open
    // descriptor): to the user it is the --out folder that could not be written.
    const path = (e as NodeJS.ErrnoException).path;
    throw errnoOf(e) && (path === undefined || path.startsWith(dir)) ? fromSystemError(e, outDir, 'write') : e;
  }
}

/**
 * The trimmed take goes into a new folder (or an empty one), never into the source take or a folder that holds
 * anything. Returns the absolute output path.
 */
function checkOutput(take: LoadedTake, outDir: string): string {
  const out = resolve(outDir);
  // Compared through symbolic links too: `--out link-to-take/cut` is inside the take.
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const source = real(take.dir);
  const target = join(real(dirname(out)), basename(out));
  if (target === source || target.startsWith(source + sep)) {
    throw new K4sError('K4S_OUTPUT_IS_INPUT', `--out ${outDir} is ${target === source ? 'the take being trimmed' : 'inside the take being trimmed'}; trim never writes into its source.`, `Write the trimmed take beside it, e.g. --out ${freeName(`${take.dir}-trimmed`)}.`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new PostError('K4S_OUT_EXISTS', `--out ${outDir} is a file; trim writes a new folder.`, `Give a folder name that does not exist yet, e.g. --out ${freeName(`${outDir}-trimmed`)}.`);
    if (readdirSync(out).length > 0) {
      throw new PostError('K4S_OUT_EXISTS', `--out ${outDir} already holds files; trim writes a new folder and never writes into one that has anything in it.`, `Give a folder name that does not exist yet, e.g. --out ${freeName(`${outDir}-trimmed`)}.`);
    }
  }
  checkOutputParent(outDir, '--out');
  return out;
}

/** `path` itself when it is free, else the next free name of its series. */
function freeName(path: string): string {
  return existsSync(path) ? nextFreeName(path) : path;
}

function span(values: Float64Array, rows: RowRange): KeepSpan | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = rows.first; k <= rows.last; k++) {
    const v = values[k]!;
    if (Number.isNaN(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? { fromUs: lo, toUs: hi } : null;
}

/**
 * What to keep of a sensor: its colour images from the window's first to its last, depth and IR likewise (each
 * image track by its own times: they sit the depth delay apart), custom-track blocks from the first kept image to the
 * last, and IMU samples from the first kept image to one frame period after the last. The official writer's files end
 * on the IMU samples that follow the last capture (about half a period at 30 fps), and the official reader's seek to the
 * end relies on it: a file ending on a video frame seeks to its second-to-last capture. Null when the sensor has no
 * image in the window.
 */
export function planFor(col: SensorColumns, rec: Recording, rows: RowRange, periodUs: number): TrimPlan | null {
  const color = span(col.colorUs, rows);
  const depth = span(col.depthUs, rows);
  if (!color && !depth) return null;
  const all = [color, depth].filter((s): s is KeepSpan => s !== null);
  const others: KeepSpan = { fromUs: Math.min(...all.map((s) => s.fromUs)), toUs: Math.max(...all.map((s) => s.toUs)) };
  const tracks = new Map<number, KeepSpan | null>();
  for (const t of rec.tracks) {
    if (t.builtin === 'COLOR') tracks.set(t.number, color);
    else if (t.builtin === 'DEPTH' || t.builtin === 'IR') tracks.set(t.number, depth);
  }
  // Samples strictly before the next frame's time belong to the last kept frame's period (times are whole µs).
  const imu: KeepSpan = { fromUs: others.fromUs, toUs: others.toUs + Math.ceil(periodUs) - 1 };
  return { tracks, others, imu, firstUs: others.fromUs };
}

/**
 * One line for a sensor whose file is cut short: which file, where its good data ends, and what trim does about it.
 * The common window already ends where the shortest sensor's frames end; an explicit window past that point keeps
 * the rig frames, and this sensor has none for them.
 */
function truncationNote(col: SensorColumns, rec: Recording, truncatedAt: number, rows: RowRange, spec: WindowSpec, allRows: number): string {
  let lastRow = -1;
  for (let k = 0; k < allRows; k++) if (!Number.isNaN(col.frame[k]!)) lastRow = k;
  const what = spec.kind === 'common'
    ? `trim keeps the window every sensor covers, rig frames ${rows.first}–${rows.last} (${rows.last - rows.first + 1} frames)`
    : lastRow < rows.last
      ? `rig frames ${Math.max(rows.first, lastRow + 1)}–${rows.last} of the window have no frame of it`
      : 'the window lies before the cut, so nothing of the window is lost';
  return `${col.serial} (${basename(col.file)}) is cut short: good data ends at byte ${truncatedAt} of ${rec.fileSize}, its frames stop at rig frame ${lastRow}; ${what}.`;
}

function countMissing(col: SensorColumns, rows: RowRange): number {
  let n = 0;
  for (let k = rows.first; k <= rows.last; k++) if (Number.isNaN(col.frame[k]!)) n++;
  return n;
}

function deviceSpan(col: SensorColumns, rows: RowRange): { firstDeviceUs: number | null; lastDeviceUs: number | null } {
  const s = span(col.track === 'COLOR' ? col.colorUs : col.depthUs, rows);
  return { firstDeviceUs: s?.fromUs ?? null, lastDeviceUs: s?.toUs ?? null };
}

/** Reads the trimmed file back (headers only) and checks it holds exactly the planned frames. */
function verify(file: string, col: SensorColumns, rows: RowRange): void {
  let rec: Recording;
  try {
    rec = readRecording(file, { imuSamples: false });
  } catch (e) {
    throw new PostError('K4S_TRIM_FAILED', `The trimmed ${basename(file)} cannot be read back (${(e as Error).message}); nothing was written.`);
  }
  const want = Array.from(selectValues(col.track === 'COLOR' ? col.colorUs : col.depthUs, rows));
  const got = Array.from((col.track === 'COLOR' ? rec.color : rec.depth) ?? []);
  const same = want.length === got.length && want.every((v, i) => v === got[i]);
  // A start offset beyond Microsoft's reader is the device's clock, kept as it is: not a fault of the trimmed file.
  const faults = rec.warnings.filter((w) => w.code !== 'K4S_WIDE_START_OFFSET');
  if (!same || !rec.finalized || faults.length > 0) {
    const why = !same ? `it holds ${got.length} ${col.track.toLowerCase()} frames where ${want.length} were planned` : faults.map((w) => w.message).join(' ') || 'it is not finalized';
    throw new PostError('K4S_TRIM_FAILED', `The trimmed ${basename(file)} does not check out: ${why}. This is a bug in k4sync; nothing was written.`);
  }
}

function* selectValues(values: Float64Array, rows: RowRange): Generator<number> {
  for (let k = rows.first; k <= rows.last; k++) if (!Number.isNaN(values[k]!)) yield values[k]!;
}

/** LTC audio is timed by the host clock, which the trimmed files keep: carry the file over whole. */
function copyLtc(take: LoadedTake, out: string, manifest: Record<string, unknown>, notes: string[]): void {
  const ltc = manifest['ltc'];
  if (!ltc || typeof ltc !== 'object' || !('file' in ltc) || typeof ltc.file !== 'string') return;
  const from = join(take.dir, ltc.file);
  if (!existsSync(from)) {
    notes.push(`take.json names ${ltc.file}, which is not in ${take.dir}: it was not copied.`);
    return;
  }
  copyFileSync(from, join(out, basename(ltc.file)));
  if (basename(ltc.file) !== ltc.file) manifest['ltc'] = { ...ltc, file: basename(ltc.file) };
}
