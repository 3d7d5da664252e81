import {
  buildFrameIndex, frameIndexCsv, frameIndexJson, loadTake, recoverTake, renderPreview, trimTake, type RecoveredFile, type WindowSpec,
} from '../post/index.js';
import { errnoOf, fromSystemError } from '../errors.js';
import { progressBar, type Progress } from './progress.js';
import { writable } from './recording-commands.js';

/**
 * `k4sync trim`, `k4sync recover`, `k4sync index` and `k4sync preview`: what bin/ calls. Each prints its result and
 * returns the exit status: 0 done, 2 bad input (not a take, no common window, a window the take cannot give, a file
 * that cannot be recovered), 1 the work failed.
 */

const EXIT_OK = 0;

export interface TrimFlags {
  out: string;
  /** common (default), tc:HH:MM:SS:FF-HH:MM:SS:FF, or frames:FIRST-LAST. */
  window?: string | WindowSpec;
  reference?: string;
  /** No progress bar (it is never drawn when stderr is not a terminal anyway). */
  quiet?: boolean;
}

export interface RecoverFlags {
  out: string;
  quiet?: boolean;
}

export interface IndexFlags {
  format: 'csv' | 'json';
  reference?: string;
}

export interface PreviewFlags {
  out: string;
  window?: string | WindowSpec;
  reference?: string;
  quiet?: boolean;
}

/** Errors go to bin/'s boundary; a system error still names its path and what was being done. */
function fail(e: unknown, what: string): never {
  const path = (e as NodeJS.ErrnoException).path;
  throw errnoOf(e) && path ? fromSystemError(e, path, what) : e;
}

function seconds(frames: number, fps: number): string {
  return `${(frames / fps).toFixed(2)} s`;
}

export async function runTrim(take: string, flags: TrimFlags): Promise<number> {
  let bar: Progress | null = null;
  try {
    const t = await loadTake(take, flags.reference ? { reference: flags.reference } : {});
    const result = await trimTake(t, flags.out, flags.window ?? 'common', {
      onProgress: (done, total) => {
        // Megabytes of the source read so far.
        bar ??= progressBar(Math.max(1, Math.ceil(total / 1e6)), 'trimming (MB)', flags.quiet === true);
        bar.update(Math.floor(done / 1e6));
      },
    });
    (bar as Progress | null)?.stop();
    const w = result.record.window;
    const lines = [
      `Trimmed ${t.name} to ${w.spec === 'common' ? 'its common window' : w.spec}: rig frames ${w.rigFrames.first}–${w.rigFrames.last} ` +
        `(${w.frames} frames, ${seconds(w.frames, w.fps)} at ${w.fps} fps, on ${w.reference}'s clock) → ${result.outDir}`,
    ];
    for (const s of result.record.sensors) {
      const color = s.frames['COLOR'] ?? s.frames['DEPTH'] ?? 0;
      lines.push(`  ${s.serial}  ${color} frames${s.missing ? `, ${s.missing} missing (dropped in the recording, left empty)` : ''}  → ${s.file}`);
    }
    lines.push(`take.json records the trim (${result.takeJson}).`);
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const n of result.notes) process.stderr.write(`k4sync: note: ${n}\n`);
    return EXIT_OK;
  } catch (e) {
    (bar as Progress | null)?.stop();
    fail(e, 'trim');
  }
}

/** One line per recording: what it holds now, and what was done to it. */
function recoveredLine(f: RecoveredFile): string {
  const frames = f.blocks['COLOR'] ?? f.blocks['DEPTH'] ?? f.blocks['IR'] ?? 0;
  const imu = f.blocks['IMU'] !== undefined ? `, ${f.blocks['IMU']} IMU samples` : '';
  const what = f.status === 'copied'
    ? 'finalized already: copied as it is'
    : `recovered${f.pastIndex.clusters > 0 ? ` (${f.pastIndex.clusters} clusters past its last index)` : ''}: ${f.problems.length} problem(s) fixed`;
  return `  ${f.serial ?? '(no serial)'}  ${frames} frames${imu}  ${what}  → ${f.file}`;
}

export async function runRecover(take: string, flags: RecoverFlags): Promise<number> {
  let bar: Progress | null = null;
  try {
    const result = await recoverTake(take, flags.out, {
      onProgress: (done, total) => {
        // Megabytes of the source handled so far.
        bar ??= progressBar(Math.max(1, Math.ceil(total / 1e6)), 'recovering (MB)', flags.quiet === true);
        bar.update(Math.floor(done / 1e6));
      },
    });
    (bar as Progress | null)?.stop();
    const r = result.record;
    const recovered = r.files.filter((f) => f.status === 'recovered').length;
    const lines = [
      `Recovered ${r.source.take}: ${recovered} of ${r.files.length} recording(s) rewritten into finalized files, ${r.files.length - recovered} copied as they were → ${result.outDir}`,
      ...r.files.map(recoveredLine),
      `take.json records what was wrong with each file (${result.takeJson})${r.stopReason !== null ? `; its stopReason stays "${r.stopReason}"` : ''}.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const n of result.notes) process.stderr.write(`k4sync: note: ${n}\n`);
    return EXIT_OK;
  } catch (e) {
    (bar as Progress | null)?.stop();
    fail(e, 'recover');
  }
}

export async function runIndex(take: string, flags: IndexFlags): Promise<number> {
  let index;
  try {
    index = buildFrameIndex(await loadTake(take, flags.reference ? { reference: flags.reference } : {}));
  } catch (e) {
    fail(e, 'index');
  }
  for (const e of index.excluded) process.stderr.write(`k4sync: note: ${e.serial} is not in the index: ${e.reason}.\n`);
  const out = process.stdout;
  // A reader that stops early (| head) is not an error: stop writing quietly.
  out.on('error', () => {});
  const chunks = flags.format === 'json' ? [`${JSON.stringify(frameIndexJson(index), null, 2)}\n`] : frameIndexCsv(index);
  for (const chunk of chunks) {
    if (out.destroyed) break;
    if (!out.write(chunk)) await writable(out);
  }
  return EXIT_OK;
}

export async function runPreview(take: string, flags: PreviewFlags): Promise<number> {
  let bar: Progress | null = null;
  let phase: 'extract' | 'encode' | null = null;
  try {
    const loaded = await loadTake(take, flags.reference ? { reference: flags.reference } : {});
    const result = await renderPreview(loaded, flags.out, {
      ...(flags.window !== undefined ? { window: flags.window } : {}),
      ...(flags.reference ? { reference: flags.reference } : {}),
      onProgress: (p, done, total) => {
        if (p !== phase) {
          bar?.stop();
          bar = progressBar(total, p === 'extract' ? 'copying frames' : 'encoding', flags.quiet === true);
          phase = p;
        }
        bar!.update(done);
      },
    });
    (bar as Progress | null)?.stop();
    const drops = Object.entries(result.dropped).filter(([, n]) => n > 0);
    process.stdout.write(
      `Wrote ${result.out}: ${result.frames} frames (${result.durationS.toFixed(2)} s at ${result.fps} fps), rig frames ${result.rigFrames.first}–${result.rigFrames.last}, ` +
        `${result.sensors.length} tile(s): ${result.sensors.join(', ')}.\n` +
        (drops.length ? `Dropped frames shown as marked black tiles: ${drops.map(([s, n]) => `${s} ${n}`).join(', ')}.\n` : ''),
    );
    for (const s of result.skipped) process.stderr.write(`k4sync: note: ${s.serial} is not in the preview: ${s.reason}.\n`);
    if (!result.labelled) process.stderr.write('k4sync: note: this ffmpeg has no drawtext filter (built without libfreetype): tiles carry no labels.\n');
    return EXIT_OK;
  } catch (e) {
    (bar as Progress | null)?.stop();
    fail(e, 'preview');
  }
}
