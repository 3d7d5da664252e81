import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromSystemError } from '../errors.js';
import { checkOutputFile, onInterrupt, pendingFile } from '../output/index.js';
import { lastFfmpegLine, resolveFfmpeg, runFfmpeg } from '../ffmpeg/index.js';
import { locateBlocks } from './blocks.js';
import { PostError } from './errors.js';
import { labelText, VideoCommand } from './ffmpeg-video.js';
import { buildFrameIndex, rowTimecode, type SensorColumns } from './frame-index.js';
import { loadTake, type LoadedTake } from './take.js';
import { parseWindow, selectRows, type RowRange, type WindowSpec } from './window.js';

/**
 * The sync-check video: every sensor's colour stream side by side (an xstack mosaic), frame k of the video being
 * rig frame k of the window on every tile. Colour frames are the recordings' own MJPEG frames, copied out of the
 * files in frame-index order (never decoded here) and decoded by ffmpeg; a rig frame a sensor dropped is a black
 * tile marked DROPPED, so nothing after it shifts. Each tile is labelled with its serial, the rig frame number and
 * the timecode (when the take has one). H.264, yuv420p: it plays anywhere.
 */

export interface PreviewOptions {
  window?: string | WindowSpec;
  /** Tile size in the mosaic, default 640×360. */
  tileWidth?: number;
  tileHeight?: number;
  /** Phase 'extract' copies the frames out of the recordings; 'encode' is ffmpeg's work. */
  onProgress?: (phase: 'extract' | 'encode', done: number, total: number) => void;
  /** The ffmpeg to use; default: FFMPEG_PATH, ffmpeg-static, then PATH (as for audio). */
  ffmpeg?: string;
  reference?: string;
}

export interface PreviewResult {
  out: string;
  frames: number;
  fps: number;
  durationS: number;
  rigFrames: RowRange;
  /** Sensors shown, in mosaic order (left to right, top to bottom). */
  sensors: string[];
  /** Dropped frames marked, per sensor. */
  dropped: Record<string, number>;
  /** Sensors of the take not shown, and why. */
  skipped: { serial: string; reason: string }[];
  /** False when this ffmpeg has no drawtext filter: tiles then carry no text (dropped frames are still marked). */
  labelled: boolean;
}

const COPY_CHUNK = 1024 * 1024;

export async function renderPreview(take: string | LoadedTake, out: string, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const spec = parseWindow(opts.window);
  const t = typeof take === 'string' ? await loadTake(take, opts.reference ? { reference: opts.reference } : {}) : take;
  const target = checkOutputFile(out, { flag: '-o', inputs: [t.dir, join(t.dir, 'take.json'), ...t.sensors.map((s) => s.file)] });
  // A video is never replaced, not even an earlier preview: it may be the one already sent to the client.
  if (existsSync(target)) throw new PostError('K4S_OUT_EXISTS', `-o ${out} already exists; preview never replaces a file.`);
  const index = buildFrameIndex(t);
  const rows = selectRows(index, spec);
  const tileW = even(opts.tileWidth ?? 640);
  const tileH = even(opts.tileHeight ?? 360);

  const skipped: PreviewResult['skipped'] = index.excluded.map((e) => ({ serial: e.serial, reason: e.reason }));
  const shown: { col: SensorColumns; track: number; width: number; height: number; role: string }[] = [];
  for (const col of index.sensors) {
    const rec = t.sensors.find((s) => s.serial === col.serial)!.recording!;
    const color = rec.tracks.find((x) => x.builtin === 'COLOR');
    if (!color || col.track !== 'COLOR') {
      skipped.push({ serial: col.serial, reason: 'it was recorded without colour' });
    } else if (color.fourcc !== 'MJPG') {
      skipped.push({ serial: col.serial, reason: `its colour is ${color.fourcc ?? 'of an unknown format'}, not MJPEG (only MJPEG colour is previewed)` });
    } else {
      shown.push({ col, track: color.number, width: color.width ?? 1280, height: color.height ?? 720, role: col.role });
    }
  }
  if (shown.length === 0) {
    throw new PostError('K4S_NO_COLOR', `${t.name} has no sensor with MJPEG colour in its common window: there is nothing to preview${skipped.length ? ` (${skipped.map((s) => `${s.serial}: ${s.reason}`).join('; ')})` : ''}.`);
  }

  let exe: string;
  try {
    exe = opts.ffmpeg ?? (await resolveFfmpeg({ purpose: 'The sync-check preview' })).path;
  } catch (e) {
    throw new PostError('K4S_NO_FFMPEG', (e as Error).message);
  }
  const labelled = await hasFilter(exe, 'drawtext');
  const tmp = mkdtempSync(join(tmpdir(), 'k4sync-preview-'));
  const forgetTmp = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  // ffmpeg writes under a temporary name beside the destination; the video appears only when it is complete.
  const video = pendingFile(target);
  try {
    // Each sensor's frames, in rig-frame order, with the marked black tile where one is missing.
    const total = shown.length * (rows.last - rows.first + 1);
    let done = 0;
    const dropped: Record<string, number> = {};
    const streams: string[] = [];
    for (const [i, s] of shown.entries()) {
      const fit = fitInto(s.width, s.height, tileW, tileH);
      const placeholder = join(tmp, `dropped-${fit.w}x${fit.h}.jpg`);
      if (!existsSync(placeholder)) await droppedTile(exe, placeholder, fit.w, fit.h, labelled);
      const stream = join(tmp, `sensor-${i}.mjpeg`);
      dropped[s.col.serial] = writeStream(t, s.col, s.track, rows, stream, readFileSync(placeholder), () => opts.onProgress?.('extract', ++done, total));
      streams.push(stream);
    }

    const fps = index.fps;
    const frames = rows.last - rows.first + 1;
    // Every output frame's timecode as the index has it for its rig frame: right for any LTC rate against any camera
    // rate, drop-frame included, where a counter started at the first frame would drift or skip.
    const timecodes = Array.from({ length: frames }, (_, k) => rowTimecode(index, rows.first + k));
    const timecodeFiles = labelled && timecodes.some((tc) => tc !== null)
      ? shown.map((_, i) => {
          const file = join(tmp, `timecode-${i}.cmd`);
          writeFileSync(file, timecodeCommands(`tc${i}`, timecodes, fps));
          return file;
        })
      : null;
    const cmd = new VideoCommand().progressTo(join(tmp, 'progress.txt'));
    for (const stream of streams) cmd.input({ kind: 'mjpeg', path: stream, fps, reinitFilter: false });
    const graph = mosaicGraph(shown.map((s) => ({ label: `${labelText(s.col.serial)} (${s.role})`, ...fitInto(s.width, s.height, tileW, tileH) })), {
      tileW, tileH, fps, firstRigFrame: rows.first, timecodeFiles, labelled,
    });
    cmd.filterComplex(graph, 'mosaic').toH264({ path: video.temp, fps, crf: 23, preset: 'veryfast' });
    const poll = setInterval(() => {
      const n = progressFrames(join(tmp, 'progress.txt'));
      if (n !== null) opts.onProgress?.('encode', Math.min(n, frames), frames);
    }, 250);
    let run;
    try {
      run = await runFfmpeg(exe, cmd.args());
    } finally {
      clearInterval(poll);
    }
    if (run.exitCode !== 0 || !existsSync(video.temp) || statSync(video.temp).size === 0) {
      throw new PostError('K4S_PREVIEW_FAILED', `ffmpeg could not render the preview (ffmpeg: ${lastFfmpegLine(run.stderr).replaceAll(video.temp, out)}).`);
    }
    video.commit();
    opts.onProgress?.('encode', frames, frames);
    return {
      out: target, frames, fps, durationS: frames / fps, rigFrames: rows,
      sensors: shown.map((s) => s.col.serial), dropped, skipped, labelled,
    };
  } catch (e) {
    video.discard();
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    forgetTmp();
  }
}

function even(n: number): number {
  if (!(n >= 16)) throw new RangeError(`tile size must be at least 16 pixels, got ${n}`);
  return Math.round(n / 2) * 2;
}

/** The largest even size with the frame's aspect that fits the tile. */
function fitInto(w: number, h: number, tileW: number, tileH: number): { w: number; h: number } {
  const scale = Math.min(tileW / w, tileH / h);
  return { w: Math.max(2, Math.floor((w * scale) / 2) * 2), h: Math.max(2, Math.floor((h * scale) / 2) * 2) };
}

async function hasFilter(exe: string, name: string): Promise<boolean> {
  const run = await runFfmpeg(exe, ['-hide_banner', '-nostdin', '-filters'], { stdout: true });
  return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(run.stdout.toString('utf8'));
}

/** A black JPEG with a red frame and DROPPED across it, at the tile's content size. */
async function droppedTile(exe: string, path: string, w: number, h: number, labelled: boolean): Promise<void> {
  const border = Math.max(2, Math.round(Math.min(w, h) / 30));
  const marks = [`drawbox=x=0:y=0:w=iw:h=ih:color=red:t=${border}`];
  if (labelled) marks.push(`drawtext=text='DROPPED':fontcolor=red:fontsize=${Math.max(8, Math.round(h / 6))}:x=(w-text_w)/2:y=(h-text_h)/2`);
  else marks.push(`drawbox=x=0:y=ih*5/12:w=iw:h=ih/6:color=red:t=fill`);
  const args = new VideoCommand().input({ kind: 'lavfi', graph: `color=c=black:s=${w}x${h}:d=1` }).videoFilter(marks.join(',')).toJpeg(path).args();
  const run = await runFfmpeg(exe, args);
  if (run.exitCode !== 0 || !existsSync(path)) {
    throw new PostError('K4S_PREVIEW_FAILED', `ffmpeg could not draw the dropped-frame tile (ffmpeg: ${lastFfmpegLine(run.stderr)}).`);
  }
}

/** Copies a sensor's colour frames for the rows into one MJPEG stream; returns how many were missing. */
function writeStream(t: LoadedTake, col: SensorColumns, track: number, rows: RowRange, path: string, placeholder: Uint8Array, tick: () => void): number {
  const sensor = t.sensors.find((s) => s.serial === col.serial)!;
  const blocks = locateBlocks(sensor.file, sensor.recording!, track);
  const color = sensor.recording!.color!;
  if (blocks.length !== color.length) {
    throw new PostError('K4S_PREVIEW_FAILED', `${sensor.file}: found ${blocks.length} colour blocks where the reader lists ${color.length} frames; the file changed or is damaged.`);
  }
  const src = openSync(sensor.file, 'r');
  const dst = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(COPY_CHUNK);
  let missing = 0;
  try {
    for (let k = rows.first; k <= rows.last; k++) {
      const i = col.frame[k]!;
      const b = Number.isNaN(i) ? undefined : blocks[i];
      if (!b) {
        missing++;
        writeAll(dst, placeholder, path);
      } else {
        for (let at = 0; at < b.size;) {
          const n = readSync(src, buf, 0, Math.min(buf.length, b.size - at), b.offset + at);
          if (n <= 0) throw new PostError('K4S_PREVIEW_FAILED', `${sensor.file} ends inside a colour frame.`);
          writeAll(dst, buf.subarray(0, n), path);
          at += n;
        }
      }
      tick();
    }
  } finally {
    closeSync(dst);
    closeSync(src);
  }
  return missing;
}

/** Writes all of `bytes` to the file open as `fd`; a failure (a full disk) names `path`. */
function writeAll(fd: number, bytes: Uint8Array, path: string): void {
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    throw fromSystemError(e, path, 'write');
  }
}

interface Tile {
  label: string;
  /** Content size inside the tile (the frame's aspect). */
  w: number;
  h: number;
}

/**
 * The filter graph: each input scaled to its tile (an exact size: every frame of an input, the dropped tile
 * included, comes out the same, so nothing downstream is reconfigured mid-stream), padded, labelled, then stacked
 * in a grid. The rig frame number is computed from the frame's time, so it stays right whatever ffmpeg does.
 */
export function mosaicGraph(
  tiles: Tile[],
  o: { tileW: number; tileH: number; fps: number; firstRigFrame: number; timecodeFiles: string[] | null; labelled: boolean },
): string {
  const font = Math.max(10, Math.round(o.tileH / 15));
  const line = (i: number) => 6 + i * Math.round(font * 1.35);
  const style = `fontsize=${font}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=3:x=8`;
  const chains = tiles.map((tile, i) => {
    const parts = [
      `[${i}:v]scale=${tile.w}:${tile.h}`,
      `pad=${o.tileW}:${o.tileH}:(ow-iw)/2:(oh-ih)/2:color=black`,
      'setsar=1',
      'format=yuv420p',
    ];
    if (o.labelled) {
      parts.push(`drawtext=text='${tile.label}':${style}:y=${line(0)}`);
      parts.push(`drawtext=text='rig %{eif\\:round(t*${o.fps})+${o.firstRigFrame}\\:d}':${style}:y=${line(1)}`);
      // The timecode text is set frame by frame from this tile's own command file (timecodeCommands): each tile's
      // sendcmd runs on its own frames, so no tile can show another frame's timecode.
      const file = o.timecodeFiles?.[i];
      if (file) parts.push(`sendcmd=f=${filterPath(file)}`, `drawtext@tc${i}=text='TC':${style}:y=${line(2)}`);
      else parts.push(`drawtext=text='TC unknown':${style}:y=${line(2)}`);
    }
    return `${parts.join(',')}[t${i}]`;
  });
  if (tiles.length === 1) return `${chains[0]};[t0]null[mosaic]`;
  const cols = Math.ceil(Math.sqrt(tiles.length));
  const layout = tiles.map((_, i) => `${(i % cols) * o.tileW}_${Math.floor(i / cols) * o.tileH}`).join('|');
  return `${chains.join(';')};${tiles.map((_, i) => `[t${i}]`).join('')}xstack=inputs=${tiles.length}:layout=${layout}:fill=black[mosaic]`;
}

/**
 * An ffmpeg sendcmd file that sets drawtext `target`'s text to each output frame's timecode. A command fires on the
 * first frame at or after its time, so each is placed half a frame early: float rounding of frame times cannot move
 * a label onto the neighbouring frame.
 */
export function timecodeCommands(target: string, timecodes: (string | null)[], fps: number): string {
  return timecodes
    .map((tc, k) => `${(k === 0 ? 0 : (k - 0.5) / fps).toFixed(6)} drawtext@${target} reinit 'text=TC ${tc === null ? 'unknown' : tc.replaceAll(':', '\\:')}';`)
    .join('\n') + '\n';
}

/** A file path as a filter option value: forward slashes, and the colon of a Windows drive escaped for both levels. */
function filterPath(path: string): string {
  return path.replaceAll('\\', '/').replaceAll(':', '\\\\:');
}

/** The last frame count ffmpeg reported in its -progress file. */
function progressFrames(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8');
    const all = [...text.matchAll(/^frame=(\d+)$/gm)];
    const last = all[all.length - 1];
    return last ? Number(last[1]) : null;
  } catch {
    return null;
  }
}

