import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { K4sError } from '../errors.js';
import { onInterrupt } from '../output/index.js';

/**
 * ffmpeg, for every module that needs it (timecode reads audio through it, capture records LTC with it, post
 * renders previews): finding the executable, a small typed argument builder (no shell, no fluent-ffmpeg),
 * running it, probing audio streams, and streaming one channel out as 32-bit float PCM at the source sample rate.
 * It depends on none of those modules; their errors wrap this one's where they need their own.
 */

export type FfmpegErrorCode = 'K4S_NO_FFMPEG' | 'K4S_UNREADABLE' | 'K4S_NOT_AUDIO';

export class FfmpegError extends K4sError {
  override readonly name = 'FfmpegError';

  constructor(
    override readonly code: FfmpegErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly path: string | null,
  ) {
    super(code, message, ''); // every message says what to do
  }
}

// ---------------------------------------------------------------------------------------------------------
// Finding ffmpeg

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';

export interface FfmpegExecutable {
  path: string;
  source: FfmpegSource;
}

export interface ResolveFfmpegOptions {
  /** Environment to read FFMPEG_PATH and PATH from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Loads the optional `ffmpeg-static` package; tests replace it. */
  importFfmpegStatic?: () => Promise<unknown>;
  platform?: NodeJS.Platform;
  /** What ffmpeg is needed for, starting the not-found message; "Reading audio that is not in a WAV file" by default. */
  purpose?: string;
}

const INSTALL_HINT =
  'install ffmpeg (apt-get install ffmpeg, brew install ffmpeg, winget install ffmpeg, or npm install ffmpeg-static) or set FFMPEG_PATH to the ffmpeg executable';

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function importFfmpegStaticDefault(): Promise<unknown> {
  // A variable specifier: the package is an optional dependency and may be absent at build time too.
  const specifier = 'ffmpeg-static';
  return import(specifier);
}

/** The binary path the ffmpeg-static package exports (its default export, a string; null on unsupported platforms). */
function staticPath(mod: unknown): string | null {
  if (typeof mod === 'string') return mod;
  if (mod && typeof mod === 'object' && 'default' in mod) {
    const d = (mod as { default: unknown }).default;
    if (typeof d === 'string') return d;
  }
  return null;
}

/**
 * Finds ffmpeg: the FFMPEG_PATH environment variable (which must then name an executable file: a wrong
 * FFMPEG_PATH is an error, not something to silently work around), then the optional `ffmpeg-static`
 * package, then `ffmpeg` on PATH. Throws K4S_NO_FFMPEG when none is found.
 */
export async function resolveFfmpeg(opts: ResolveFfmpegOptions = {}): Promise<FfmpegExecutable> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const fromEnv = env['FFMPEG_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutableFile(fromEnv, platform)) {
      throw new FfmpegError(
        'K4S_NO_FFMPEG',
        `FFMPEG_PATH is set to "${fromEnv}", which is not an executable file: point it at the ffmpeg executable, or unset it to use ffmpeg-static or the ffmpeg on PATH.`,
        null,
      );
    }
    return { path: fromEnv, source: 'FFMPEG_PATH' };
  }
  try {
    const p = staticPath(await (opts.importFfmpegStatic ?? importFfmpegStaticDefault)());
    if (p && isExecutableFile(p, platform)) return { path: p, source: 'ffmpeg-static' };
  } catch {
    // Not installed (it is optional): fall through to PATH.
  }
  const names = platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg.cmd', 'ffmpeg.bat', 'ffmpeg'] : ['ffmpeg'];
  const pathVar = env['PATH'] ?? env['Path'] ?? '';
  const sep = platform === 'win32' ? ';' : delimiter;
  for (const dir of pathVar.split(sep)) {
    if (dir === '') continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate, platform)) return { path: candidate, source: 'PATH' };
    }
  }
  throw new FfmpegError(
    'K4S_NO_FFMPEG',
    `${opts.purpose ?? 'Reading audio that is not in a WAV file'} needs ffmpeg, and there is none (FFMPEG_PATH is unset, the ffmpeg-static package is not installed, and there is no ffmpeg on PATH): ${INSTALL_HINT}.`,
    null,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Typed arguments

export type FfmpegLogLevel = 'quiet' | 'panic' | 'fatal' | 'error' | 'warning' | 'info';
export type FfmpegAudioCodec = 'pcm_f32le' | 'pcm_f64le' | 'pcm_s16le' | 'pcm_s24le' | 'pcm_s32le' | 'copy';
/** Inputs that are devices: audio interfaces per platform, and lavfi for tests and dry runs. */
export type CaptureFormat = 'alsa' | 'pulse' | 'dshow' | 'avfoundation' | 'lavfi';
export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['alsa', 'pulse', 'dshow', 'avfoundation', 'lavfi'];
/** Muxers k4sync uses: raw float PCM to a pipe, and the containers the tests build. */
export type FfmpegFormat = 'f32le' | 'wav' | 'mov' | 'matroska' | 'mp4' | 'null';

function assertIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** ffmpeg reads "name:rest" as a protocol; `file:` + an absolute path always means the file. */
function fileArg(path: string): string {
  return `file:${resolve(path)}`;
}

/**
 * Builds an ffmpeg argument list, one typed option at a time, in the order ffmpeg needs: global options,
 * inputs, output options, output. Arguments are passed to the child process as an array, never to a shell.
 */
export class FfmpegCommand {
  private readonly globals: string[] = ['-hide_banner', '-nostdin'];
  private readonly inputs: string[] = [];
  private readonly outputOptions: string[] = [];
  private output: string | null = null;

  logLevel(level: FfmpegLogLevel): this {
    this.globals.push('-loglevel', level);
    return this;
  }

  /** Overwrite the output file if it exists. */
  overwrite(): this {
    this.globals.push('-y');
    return this;
  }

  input(path: string): this {
    this.inputs.push('-i', fileArg(path));
    return this;
  }

  /** A capture device (or lavfi source) as input: `-f alsa -i hw:1,0`. */
  device(format: CaptureFormat, name: string): this {
    this.inputs.push('-f', format, '-i', name);
    return this;
  }

  sampleRate(hz: number): this {
    assertIndex(hz, 'sample rate');
    this.outputOptions.push('-ar', String(hz));
    return this;
  }

  /** Select audio stream `audioStream` (0-based among the audio streams) of input `input`. */
  mapAudio(input: number, audioStream: number): this {
    assertIndex(input, 'input');
    assertIndex(audioStream, 'audio stream');
    this.outputOptions.push('-map', `${input}:a:${audioStream}`);
    return this;
  }

  /** Drop video, subtitle and data streams. */
  audioOnly(): this {
    this.outputOptions.push('-vn', '-sn', '-dn');
    return this;
  }

  /** Keep only channel `channel` (0-based) of the audio, as mono. */
  pickChannel(channel: number): this {
    assertIndex(channel, 'channel');
    this.outputOptions.push('-af', `pan=mono|c0=c${channel}`);
    return this;
  }

  audioCodec(codec: FfmpegAudioCodec): this {
    this.outputOptions.push('-c:a', codec);
    return this;
  }

  format(format: FfmpegFormat): this {
    this.outputOptions.push('-f', format);
    return this;
  }

  toStdout(): this {
    this.output = 'pipe:1';
    return this;
  }

  toFile(path: string): this {
    this.output = fileArg(path);
    return this;
  }

  /** The arguments; without an output this is a probe (ffmpeg prints the input's streams and exits). */
  args(): string[] {
    if (this.inputs.length === 0) throw new Error('ffmpeg command without input');
    return [...this.globals, ...this.inputs, ...(this.output === null ? [] : [...this.outputOptions, this.output])];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Running

export interface FfmpegResult {
  exitCode: number | null;
  stdout: Buffer;
  /** The last 256 KiB of stderr. */
  stderr: string;
}

const STDERR_KEEP = 256 * 1024;

/**
 * Runs ffmpeg with `args` (no shell). Rejects with K4S_NO_FFMPEG only when the executable cannot be started. While it
 * runs, Ctrl-C kills it before the command exits: no ffmpeg is left writing a file that is being removed.
 */
export function runFfmpeg(exe: string, args: readonly string[], opts: { stdout?: boolean } = {}): Promise<FfmpegResult> {
  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = spawn(exe, args, { stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe'], shell: false, windowsHide: true });
    } catch (e) {
      reject(new FfmpegError('K4S_NO_FFMPEG', `Could not start ffmpeg at ${exe} (${String(e)}): ${INSTALL_HINT}.`, null));
      return;
    }
    const running = child;
    const unregister = onInterrupt(() => running.kill('SIGKILL'));
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      err += d;
      if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      unregister();
      reject(new FfmpegError('K4S_NO_FFMPEG', `Could not start ffmpeg at ${exe} (${e.code ?? e.message}): ${INSTALL_HINT}.`, null));
    });
    child.on('close', (code) => {
      unregister();
      resolvePromise({ exitCode: code, stdout: Buffer.concat(out), stderr: err.slice(-STDERR_KEEP) });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Probing

export interface ProbedAudioStream {
  /** ffmpeg's stream index in the file (#0:N). */
  streamIndex: number;
  /** Index among the audio streams (for -map 0:a:N). */
  audioIndex: number;
  codec: string;
  sampleRate: number;
  /** Channel count from the layout, or null when ffmpeg printed a layout k4sync cannot count. */
  channels: number | null;
  layout: string;
  /** ffmpeg's decoded sample format: s16, s32, flt, fltp, dbl, ... */
  sampleFormat: string;
  bitsPerSample: number | null;
  format: 'pcm' | 'float';
}

export interface ProbeResult {
  /** ffmpeg's demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string | null;
  streams: ProbedAudioStream[];
  /** Kinds of the other streams, for messages ("video", "subtitle"). */
  otherStreams: string[];
}

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1, stereo: 2, downmix: 2, '2.1': 3, '3.0': 3, '3.0(back)': 3, '4.0': 4, quad: 4, 'quad(side)': 4, '3.1': 4,
  '5.0': 5, '5.0(side)': 5, '4.1': 5, '5.1': 6, '5.1(side)': 6, '6.0': 6, '6.0(front)': 6, hexagonal: 6, '6.1': 7,
  '6.1(back)': 7, '6.1(front)': 7, '7.0': 7, '7.0(front)': 7, '7.1': 8, '7.1(wide)': 8, '7.1(wide-side)': 8,
  '7.1(top)': 8, octagonal: 8, cube: 8, '5.1.2': 8, '5.1.4': 10, '7.1.2': 10, '7.1.4': 12, '7.2.3': 12,
  '9.1.4': 14, hexadecagonal: 16, '22.2': 24,
};

/** Number of channels in an ffmpeg layout string: a named layout, "N channels (...)", or "FL+FR+LFE". */
export function layoutChannels(layout: string): number | null {
  const l = layout.trim();
  const named = LAYOUT_CHANNELS[l];
  if (named !== undefined) return named;
  const n = /^(\d+) channels?\b/.exec(l);
  if (n) return Number(n[1]);
  if (/^[A-Za-z0-9]+(\+[A-Za-z0-9]+)+$/.test(l)) return l.split('+').length;
  return null;
}

function sampleFormatInfo(fmt: string): { bits: number | null; format: 'pcm' | 'float' } {
  const m = /^([a-z0-9]+?)p?(?:\s*\((\d+) bit\))?$/.exec(fmt.trim());
  const base = m?.[1] ?? fmt;
  const declared = m?.[2] ? Number(m[2]) : null;
  switch (base) {
    case 'u8': return { bits: declared ?? 8, format: 'pcm' };
    case 's16': return { bits: declared ?? 16, format: 'pcm' };
    case 's32': return { bits: declared ?? 32, format: 'pcm' };
    case 's64': return { bits: declared ?? 64, format: 'pcm' };
    case 'flt': return { bits: 32, format: 'float' };
    case 'dbl': return { bits: 64, format: 'float' };
    default: return { bits: declared, format: 'float' };
  }
}

/** Reads the stream list ffmpeg prints for input #0. */
export function parseProbe(stderr: string): ProbeResult {
  const input = /^Input #0, (.*), from '/m.exec(stderr);
  const result: ProbeResult = { container: input?.[1] ?? null, streams: [], otherStreams: [] };
  // Only input #0's streams: stop at the first Output section, if any.
  const outputAt = stderr.search(/^Output #0/m);
  const text = outputAt >= 0 ? stderr.slice(0, outputAt) : stderr;
  const re = /^\s*Stream #0:(\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: (\w+): (.*)$/gm;
  for (const m of text.matchAll(re)) {
    const kind = m[2]!;
    if (kind !== 'Audio') {
      result.otherStreams.push(kind.toLowerCase());
      continue;
    }
    const parts = m[3]!.split(', ');
    const hz = parts.findIndex((p) => /^\d+ Hz$/.test(p));
    if (hz < 0) {
      result.otherStreams.push('audio without a sample rate');
      continue;
    }
    const layout = parts[hz + 1] ?? '';
    const sampleFormat = parts[hz + 2] ?? '';
    const info = sampleFormatInfo(sampleFormat);
    result.streams.push({
      streamIndex: Number(m[1]),
      audioIndex: result.streams.length,
      codec: (parts[0] ?? '').split(' ')[0] ?? '',
      sampleRate: parseInt(parts[hz]!, 10),
      channels: layoutChannels(layout),
      layout,
      sampleFormat,
      bitsPerSample: info.bits,
      format: info.format,
    });
  }
  return result;
}

/** The last line of ffmpeg's stderr that says something, for error messages. */
export function lastFfmpegLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !/^At least one output file must be specified$/.test(l));
  return lines[lines.length - 1] ?? 'no message';
}

/** Lists the audio streams of `path` (ffmpeg with an input and no output prints them and exits). */
export async function probeAudio(exe: string, path: string): Promise<ProbeResult> {
  const run = await runFfmpeg(exe, new FfmpegCommand().input(path).args());
  const probe = parseProbe(run.stderr);
  if (probe.container === null) {
    const why = lastFfmpegLine(run.stderr);
    if (/No such file|Permission denied|Is a directory/i.test(why)) {
      throw new FfmpegError('K4S_UNREADABLE', `Cannot read ${path}: ${why}.`, path);
    }
    throw new FfmpegError('K4S_NOT_AUDIO', `${path} is not an audio or video file ffmpeg can read (ffmpeg: ${why}).`, path);
  }
  return probe;
}

/**
 * Decodes channel `channel` of audio stream `audioIndex` as 32-bit float PCM, little-endian, at the stream's
 * own sample rate (no resampling), through ffmpeg's stdout, block by block as ffmpeg writes them: an hour-long
 * recording never sits in memory. Stopping early (or Ctrl-C) kills ffmpeg.
 */
export async function* streamChannel(exe: string, path: string, audioIndex: number, channel: number): AsyncGenerator<Float32Array> {
  const args = new FfmpegCommand()
    .logLevel('error')
    .input(path)
    .mapAudio(0, audioIndex)
    .audioOnly()
    .pickChannel(channel)
    .audioCodec('pcm_f32le')
    .format('f32le')
    .toStdout()
    .args();
  let child;
  try {
    child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
  } catch (e) {
    throw new FfmpegError('K4S_NO_FFMPEG', `Could not start ffmpeg at ${exe} (${String(e)}): ${INSTALL_HINT}.`, null);
  }
  const running = child;
  const unregister = onInterrupt(() => running.kill('SIGKILL'));
  let err = '';
  running.stderr.setEncoding('utf8');
  running.stderr.on('data', (d: string) => {
    err += d;
    if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
  });
  const closed = new Promise<number | null>((resolveClose, reject) => {
    running.on('error', (e: NodeJS.ErrnoException) => reject(new FfmpegError('K4S_NO_FFMPEG', `Could not start ffmpeg at ${exe} (${e.code ?? e.message}): ${INSTALL_HINT}.`, null)));
    running.on('close', (code) => resolveClose(code));
  });
  // Nobody awaits this when the reader stops early; the rejection is then of no interest.
  closed.catch(() => undefined);
  // A float may be split between two pipe reads: the odd bytes wait for the next one.
  let carry: Buffer = Buffer.alloc(0);
  let done = false;
  try {
    for await (const chunk of running.stdout as AsyncIterable<Buffer>) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const n = Math.floor(bytes.length / 4);
      const samples = new Float32Array(n);
      if (endianness() === 'LE') new Uint8Array(samples.buffer).set(bytes.subarray(0, n * 4));
      else for (let i = 0; i < n; i++) samples[i] = bytes.readFloatLE(i * 4);
      carry = bytes.subarray(n * 4);
      if (n > 0) yield samples;
    }
    const code = await closed;
    done = true;
    if (code !== 0) throw new FfmpegError('K4S_UNREADABLE', `ffmpeg could not decode the audio of ${path} (ffmpeg: ${lastFfmpegLine(err)}).`, path);
  } finally {
    if (!done) running.kill('SIGKILL');
    unregister();
  }
}
