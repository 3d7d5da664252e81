import { FileSource, MemorySource, type ByteSource } from '../recording/source.js';
import { AudioError } from './audio-error.js';
import { bwfFromLayout, type BwfFps, type BwfInfo } from './bwf.js';
import { sniff, walkWav, type WavFormat, type WavLayout } from './riff.js';
import { FfmpegError, probeAudio, resolveFfmpeg, streamChannel, type ProbedAudioStream } from '../ffmpeg/index.js';

export { AudioError, isAudioError, type AudioErrorCode } from './audio-error.js';
export type { BwfInfo, BwfFps } from './bwf.js';

/**
 * Audio input for timecode work: one channel of a recording as float samples, with the file's BWF timecode.
 *
 * WAV and Broadcast WAV (RIFF, RIFX, RF64, BW64) are read here: a bounds-checked chunk walk finds fmt, bext,
 * iXML and data in any order, past PAD/JUNK/FLLR/anything; the chosen channel's integer samples (8-bit
 * unsigned, 16/24/32-bit) and 32/64-bit IEEE floats are decoded from the bytes a block at a time, and handed on
 * block by block (openAudio) or joined (readAudio). Every other container (MOV, MP4, MKV, MXF, AIFF, FLAC, ...), and WAVs in another
 * encoding (ADPCM, µ-law, ...), go through ffmpeg (see src/ffmpeg).
 */

export interface AudioClip {
  path: string;
  sampleRate: number;
  /** Channels in the file (for a container with several audio streams: all their channels, stream after stream). */
  channels: number;
  /** The channel these samples are from, 0-based. */
  channel: number;
  /** That channel's samples, full scale ±1 (float files may exceed 1). */
  samples: Float32Array;
  bitsPerSample: number;
  format: 'pcm' | 'float';
  /** bext/iXML timecode; null for files without it (and for everything read through ffmpeg but WAVs). */
  bwf: BwfInfo | null;
  /** 'RIFF', 'RIFX', 'RF64', 'BW64', or ffmpeg's demuxer name (e.g. "mov,mp4,m4a,3gp,3g2,mj2"). */
  container: string;
  /** 'wav': decoded here (integer PCM and IEEE float); 'ffmpeg': decoded by ffmpeg. */
  decoder: 'wav' | 'ffmpeg';
  /** Things that were wrong with the file but did not stop it from being read (cut short, odd chunk padding, ...). */
  warnings: string[];
}

/** An audio channel being read: what the file is, and its samples block by block. */
export interface AudioStream {
  /** The clip without its samples. `warnings` gains what reading the samples finds. */
  info: Omit<AudioClip, 'samples'>;
  /** Samples in the channel when the container says so (WAV), else null (ffmpeg decodes as it goes). */
  length: number | null;
  /**
   * The samples, a block at a time; read once. A block is valid until the next is asked for: a WAV's blocks share one
   * buffer, so that a long file's samples are not a new array each (garbage freed later than it is made).
   */
  blocks: AsyncIterable<Float32Array>;
}

export interface ReadAudioOptions {
  /** 0-based channel to read; 0 by default. */
  channel?: number;
  /** Timecode rate for the BWF start when the file declares none (bext without iXML); 'auto' = none. */
  fps?: BwfFps | 'auto';
}

/**
 * Bytes of the data chunk read at a time: no more than FileSource reads into its own reused buffer, so that reading
 * a long recording allocates no megabyte buffer per block (issue 14's memory).
 */
const BLOCK_BYTES = 1 << 16;
const TEXT_SNIFF_BYTES = 4096;

function checkChannelOption(channel: number, path: string): number {
  if (!Number.isSafeInteger(channel) || channel < 0) {
    throw new AudioError('K4S_BAD_CHANNEL', `Channel ${channel} is not a channel number: channels are counted from 0.`, path);
  }
  return channel;
}

function badChannel(path: string, channel: number, channels: number): AudioError {
  return new AudioError(
    'K4S_BAD_CHANNEL',
    `${path} has ${channels} channel${channels === 1 ? '' : 's'} (${channels === 1 ? 'channel 0' : `channels 0–${channels - 1}`}), so channel ${channel} does not exist.`,
    path,
    channels,
  );
}

/** Text (a log, a CSV, JSON) rather than media: no NUL byte and almost only printable characters. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const c of head) {
    if (c === 0) return false;
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c !== 0x7f)) printable++;
  }
  return printable / head.length > 0.95;
}

/** Encodings decoded here; anything else goes to ffmpeg. */
function decodedHere(f: WavFormat): boolean {
  if (f.encoding === 1) return f.bytesPerSample >= 1 && f.bytesPerSample <= 4;
  if (f.encoding === 3) return f.bytesPerSample === 4 || f.bytesPerSample === 8;
  return false;
}

function encodingName(tag: number): string {
  const names: Record<number, string> = { 2: 'MS ADPCM', 6: 'A-law', 7: 'µ-law', 0x11: 'IMA ADPCM', 0x50: 'MPEG', 0x55: 'MP3', 0: 'unknown' };
  return `${names[tag] ?? 'format'} 0x${tag.toString(16).padStart(4, '0')}`;
}

/** Sample frames in the data chunk (a trailing partial frame is left out, with a warning). */
function channelLength(layout: WavLayout, f: WavFormat, warnings: string[]): number {
  const data = layout.dataChunk!;
  if (data.available % f.blockAlign !== 0) {
    warnings.push(`The data chunk ends with ${data.available % f.blockAlign} bytes of an incomplete sample frame, which were ignored.`);
  }
  return Math.floor(data.available / f.blockAlign);
}

/** Decodes one channel of the data chunk, a block at a time, from its bytes (integer PCM and IEEE float). */
function* channelBlocks(src: ByteSource, layout: WavLayout, f: WavFormat, channel: number, frames: number, warnings: string[]): Generator<Float32Array> {
  const data = layout.dataChunk!;
  const bps = f.bytesPerSample;
  const framesPerBlock = Math.max(1, Math.floor(BLOCK_BYTES / f.blockAlign));
  const isFloat = f.encoding === 3;
  const unsigned8 = !isFloat && bps === 1;
  const scale = isFloat ? 1 : unsigned8 ? 1 / 128 : 1 / 2 ** (8 * bps - 1);
  let nonFinite = 0;
  const buffer = new Float32Array(framesPerBlock);
  for (let start = 0; start < frames; start += framesPerBlock) {
    const want = Math.min(framesPerBlock, frames - start);
    const raw = src.read(data.bodyOffset + start * f.blockAlign, want * f.blockAlign);
    const n = Math.floor(raw.length / f.blockAlign);
    const out = buffer.subarray(0, n);
    if (isFloat) {
      // IEEE float needs no conversion: read the floats straight from the bytes.
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const le = layout.littleEndian;
      for (let i = 0, p = channel * bps; i < n; i++, p += f.blockAlign) {
        let v = bps === 4 ? dv.getFloat32(p, le) : dv.getFloat64(p, le);
        if (!Number.isFinite(v)) {
          v = 0;
          nonFinite++;
        }
        out[i] = v;
      }
      yield out;
      if (n < want) break;
      continue;
    }
    // Integer PCM: 8-bit unsigned, 16/24/32-bit signed, in the file's byte order, from the bytes (through wavefile,
    // each block cost a WAV copy, a WaveFile and a Float64Array: garbage that a long file piles up faster than it
    // is collected).
    const le = layout.littleEndian;
    for (let i = 0, p = channel * bps; i < n; i++, p += f.blockAlign) {
      let v: number;
      if (bps === 1) v = raw[p]! - 128;
      else if (bps === 2) v = le ? ((raw[p + 1]! << 24) >> 16) | raw[p]! : ((raw[p]! << 24) >> 16) | raw[p + 1]!;
      else if (bps === 3) v = le ? ((raw[p + 2]! << 24) >> 8) | (raw[p + 1]! << 8) | raw[p]! : ((raw[p]! << 24) >> 8) | (raw[p + 1]! << 8) | raw[p + 2]!;
      else v = le ? (raw[p + 3]! << 24) | (raw[p + 2]! << 16) | (raw[p + 1]! << 8) | raw[p]! : (raw[p]! << 24) | (raw[p + 1]! << 16) | (raw[p + 2]! << 8) | raw[p + 3]!;
      out[i] = v * scale;
    }
    yield out;
    if (n < want) break;
  }
  if (nonFinite > 0) warnings.push(`${nonFinite} samples were NaN or infinite and were read as 0.`);
}

/** Blocks joined into one array (for callers that want the whole channel at once): copies, each its own. */
function join(blocks: Float32Array[]): Float32Array {
  if (blocks.length === 1) return blocks[0]!;
  const out = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

interface WavOutcome {
  stream: { info: Omit<AudioClip, 'samples'>; length: number; blocks: () => Generator<Float32Array> } | null;
  /** Set when the audio needs ffmpeg (an encoding not decoded here). */
  needsFfmpeg: { layout: WavLayout; bwf: BwfInfo | null; warnings: string[] } | null;
}

function readWavSource(src: ByteSource, path: string, channel: number, opts: ReadAudioOptions): WavOutcome {
  const layout = walkWav(src);
  if (!layout) throw new AudioError('K4S_NOT_AUDIO', `${path} is not a WAV file.`, path);
  const bwf = bwfFromLayout(src, layout, opts);
  const warnings = [...layout.warnings, ...(bwf?.warnings ?? [])];
  if (layout.problem || !layout.format) {
    throw new AudioError('K4S_UNREADABLE', `${path} is a WAV file but ${layout.problem ?? 'its fmt chunk is unusable'}; it cannot be read (record or export it again).`, path);
  }
  const f = layout.format;
  if (channel >= f.channels) throw badChannel(path, channel, f.channels);
  if (!decodedHere(f)) return { stream: null, needsFfmpeg: { layout, bwf, warnings } };
  if (f.bitsPerSample > f.bytesPerSample * 8) {
    warnings.push(`The fmt chunk says ${f.bitsPerSample} bits per sample in ${f.bytesPerSample}-byte samples; the samples were read as ${f.bytesPerSample * 8}-bit.`);
  }
  const length = channelLength(layout, f, warnings);
  return {
    stream: {
      length,
      blocks: () => channelBlocks(src, layout, f, channel, length, warnings),
      info: {
      path,
      sampleRate: f.sampleRate,
      channels: f.channels,
      channel,
      bitsPerSample: Math.min(f.bitsPerSample || f.bytesPerSample * 8, f.bytesPerSample * 8),
      format: f.encoding === 3 ? 'float' : 'pcm',
      bwf,
      container: layout.container,
      decoder: 'wav',
      warnings,
      },
    },
    needsFfmpeg: null,
  };
}

/**
 * One channel of a WAV file held in memory (tests, or audio that arrived over a pipe). Encodings other than
 * integer PCM and float throw K4S_NOT_AUDIO here; readAudio hands those to ffmpeg.
 */
export function readWavBytes(bytes: Uint8Array, opts: ReadAudioOptions & { path?: string } = {}): AudioClip {
  const path = opts.path ?? '(in-memory WAV)';
  const channel = checkChannelOption(opts.channel ?? 0, path);
  const outcome = readWavSource(new MemorySource(bytes), path, channel, opts);
  if (outcome.stream) {
    // Blocks share one buffer: each is copied as it comes.
    return { ...outcome.stream.info, samples: join(Array.from(outcome.stream.blocks(), (b) => b.slice())) };
  }
  const f = outcome.needsFfmpeg!.layout.format!;
  throw new AudioError('K4S_NOT_AUDIO', `${path} holds ${encodingName(f.encoding)} audio, which k4sync decodes only through ffmpeg (readAudio on the file).`, path);
}

/** ffmpeg's errors as the audio layer's, about the file being read. */
function asAudioError(e: unknown, path: string): unknown {
  return e instanceof FfmpegError ? new AudioError(e.code, e.message, path) : e;
}

async function* audioErrors(blocks: AsyncIterable<Float32Array>, path: string): AsyncGenerator<Float32Array> {
  try {
    yield* blocks;
  } catch (e) {
    throw asAudioError(e, path);
  }
}

async function openThroughFfmpeg(
  path: string,
  channel: number,
  wav: { layout: WavLayout; bwf: BwfInfo | null; warnings: string[] } | null,
): Promise<AudioStream> {
  const f = wav?.layout.format;
  const exe = await resolveFfmpeg({
    purpose: f ? `Reading ${path} (${encodingName(f.encoding)} audio in a WAV)` : `Reading ${path} (not a WAV file)`,
  }).catch((e: unknown) => {
    throw asAudioError(e, path);
  });
  const probe = await probeAudio(exe.path, path).catch((e: unknown) => {
    throw asAudioError(e, path);
  });
  if (probe.streams.length === 0) {
    const others = probe.otherStreams.length ? `only ${[...new Set(probe.otherStreams)].join(', ')} streams` : 'no streams';
    throw new AudioError('K4S_NOT_AUDIO', `${path} has no audio stream (ffmpeg finds ${others}); point k4sync at a file with recorded audio.`, path);
  }
  const warnings = [...(wav?.warnings ?? [])];
  let base = 0;
  let picked: ProbedAudioStream | null = null;
  let inStream = 0;
  for (const s of probe.streams) {
    const n = s.channels ?? 1;
    if (s.channels === null) warnings.push(`ffmpeg's channel layout "${s.layout}" of audio stream ${s.audioIndex} was counted as one channel.`);
    if (!picked && channel < base + n) {
      picked = s;
      inStream = channel - base;
    }
    base += n;
  }
  if (!picked) throw badChannel(path, channel, base);
  return {
    info: {
      path,
      sampleRate: picked.sampleRate,
      channels: base,
      channel,
      bitsPerSample: picked.bitsPerSample ?? 32,
      format: picked.format,
      bwf: wav?.bwf ?? null,
      container: wav ? wav.layout.container : (probe.container ?? 'unknown'),
      decoder: 'ffmpeg',
      warnings,
    },
    length: null,
    blocks: audioErrors(streamChannel(exe.path, path, picked.audioIndex, inStream), path),
  };
}

/**
 * Reads one channel of an audio file. WAV/BWF is read directly; any other container goes through ffmpeg
 * (FFMPEG_PATH, then the ffmpeg-static package, then ffmpeg on PATH). Headerless .raw files are not supported.
 *
 * Errors are AudioErrors with a stable code: K4S_UNREADABLE (cannot be opened, or a damaged WAV header),
 * K4S_NOT_AUDIO (text, headerless raw, no audio stream, not a media file), K4S_BAD_CHANNEL (with `channels`),
 * K4S_NO_FFMPEG. A WAV cut short inside its audio is read up to where it ends, with a warning.
 */
export async function readAudio(path: string, opts: ReadAudioOptions = {}): Promise<AudioClip> {
  const stream = await openAudio(path, opts);
  const blocks: Float32Array[] = [];
  for await (const b of stream.blocks) blocks.push(b.slice());
  return { ...stream.info, samples: join(blocks) };
}

/**
 * Opens one channel of an audio file for reading block by block (see readAudio for the formats and errors): memory
 * stays a block's worth whatever the length of the recording. The header, BWF metadata and channel are checked
 * here; errors met while reading the samples surface from `blocks`.
 */
export async function openAudio(path: string, opts: ReadAudioOptions = {}): Promise<AudioStream> {
  const channel = checkChannelOption(opts.channel ?? 0, path);
  let src: FileSource;
  try {
    src = new FileSource(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    throw new AudioError('K4S_UNREADABLE', `Cannot read ${path}: ${why}; check the path.`, path);
  }
  let viaFfmpeg: { layout: WavLayout; bwf: BwfInfo | null; warnings: string[] } | null = null;
  let keepOpen = false;
  try {
    if (src.size === 0) throw new AudioError('K4S_NOT_AUDIO', `${path} is empty; it holds no audio.`, path);
    const head = src.read(0, TEXT_SNIFF_BYTES).slice();
    const kind = sniff(head);
    if (kind.kind === 'wav') {
      const outcome = readWavSource(src, path, channel, opts);
      if (outcome.stream) {
        const { info, length, blocks } = outcome.stream;
        keepOpen = true;
        const file = src;
        // The file stays open while its blocks are read, and closes when they are done (or reading stops).
        async function* read(): AsyncGenerator<Float32Array> {
          try {
            yield* blocks();
          } finally {
            file.close();
          }
        }
        return { info, length, blocks: read() };
      }
      viaFfmpeg = outcome.needsFfmpeg;
    } else if (kind.kind === 'truncated-riff') {
      throw new AudioError('K4S_UNREADABLE', `${path} is cut short inside its RIFF header (${src.size} bytes); it cannot be read.`, path);
    } else if (/\.(raw|pcm)$/i.test(path)) {
      throw new AudioError('K4S_NOT_AUDIO', `${path} looks like headerless raw samples, which k4sync does not read: give it a WAV header (sample rate, bit depth, channels), e.g. with sox or ffmpeg.`, path);
    } else if (looksLikeText(head)) {
      throw new AudioError('K4S_NOT_AUDIO', `${path} is a text file, not audio.`, path);
    }
  } finally {
    if (!keepOpen) src.close();
  }
  return openThroughFfmpeg(path, channel, viaFfmpeg);
}
