import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AudioError, readAudio } from '../../src/timecode/audio.js';
import { FfmpegCommand, FfmpegError, layoutChannels, parseProbe, resolveFfmpeg, runFfmpeg } from '../../src/ffmpeg/index.js';
import { REAL } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4s-audio-ffmpeg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const savedFfmpegPath = process.env['FFMPEG_PATH'];
afterEach(() => {
  if (savedFfmpegPath === undefined) delete process.env['FFMPEG_PATH'];
  else process.env['FFMPEG_PATH'] = savedFfmpegPath;
});

/** These tests need an ffmpeg (CI installs Debian's): without one they fail with resolveFfmpeg's message. */
const ffmpeg = await resolveFfmpeg();

const POLY = join(REAL, 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav');
const FLOAT_TAKE = join(REAL, 'ltc-bwf-zoomF6-2-f32-vxlr-mic.wav');

async function make(out: string, input: string, codec: 'pcm_s16le' | 'pcm_f32le' | 'pcm_s24le', format: 'mov' | 'matroska'): Promise<string> {
  const path = join(tmp, out);
  const run = await runFfmpeg(ffmpeg.path, new FfmpegCommand().overwrite().logLevel('error').input(input).audioCodec(codec).format(format).toFile(path).args());
  expect(run.exitCode, run.stderr).toBe(0);
  return path;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('containers other than WAV, through ffmpeg', () => {
  it('a MOV made from the poly WAV (ffmpeg -i in.wav -c:a pcm_s16le out.mov) reads back with the same samples, each channel', async () => {
    const mov = await make('poly.mov', POLY, 'pcm_s16le', 'mov');
    for (const channel of [0, 1]) {
      const wav = await readAudio(POLY, { channel });
      const clip = await readAudio(mov, { channel });
      expect(clip).toMatchObject({ sampleRate: 48000, channels: 2, channel, bitsPerSample: 16, format: 'pcm', decoder: 'ffmpeg', bwf: null });
      expect(clip.container).toMatch(/mov/);
      // 24-bit → 16-bit: within one 16-bit step.
      expect(maxDiff(clip.samples, wav.samples)).toBeLessThanOrEqual(1 / 32768);
    }
  });

  it('an MKV with 24-bit PCM reads back exactly', async () => {
    const mkv = await make('poly.mkv', POLY, 'pcm_s24le', 'matroska');
    const clip = await readAudio(mkv, { channel: 1 });
    expect(clip.container).toMatch(/matroska/);
    expect(clip.bitsPerSample).toBe(24);
    expect(maxDiff(clip.samples, (await readAudio(POLY, { channel: 1 })).samples)).toBe(0);
  });

  it('float audio above full scale survives (Zoom F6 take 2 in an MKV as float)', async () => {
    const mkv = await make('float.mkv', FLOAT_TAKE, 'pcm_f32le', 'matroska');
    const clip = await readAudio(mkv);
    expect(clip.format).toBe('float');
    expect(maxDiff(clip.samples, (await readAudio(FLOAT_TAKE)).samples)).toBe(0);
  });

  it('a channel that does not exist: K4S_BAD_CHANNEL with the count', async () => {
    const mov = await make('poly2.mov', POLY, 'pcm_s16le', 'mov');
    const e = await readAudio(mov, { channel: 2 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AudioError);
    expect((e as AudioError).code).toBe('K4S_BAD_CHANNEL');
    expect((e as AudioError).channels).toBe(2);
  });

  it('the Azure Kinect MKV has no audio: K4S_NOT_AUDIO', async () => {
    const e = await readAudio(join(REAL, 'pyk4a-recording.mkv')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AudioError);
    expect((e as AudioError).code).toBe('K4S_NOT_AUDIO');
    expect((e as AudioError).message).toMatch(/no audio stream/);
  });

  it('binary garbage ffmpeg cannot open: K4S_NOT_AUDIO', async () => {
    const path = join(tmp, 'garbage.bin');
    writeFileSync(path, Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    const e = await readAudio(path).catch((x: unknown) => x);
    expect((e as AudioError).code).toBe('K4S_NOT_AUDIO');
  });

  it('a WAV in an encoding wavefile does not decode (µ-law) goes through ffmpeg and keeps its BWF', async () => {
    // bext (TimeReference 48000 = 1 s) + fmt tag 7 (µ-law, 8 kHz mono) + data: 0xFF = 0, 0x80 = +32124, 0x00 = -32124.
    const bext = new Uint8Array(602);
    new DataView(bext.buffer).setUint32(338, 8000, true);
    const fmt = new Uint8Array(16);
    const dv = new DataView(fmt.buffer);
    dv.setUint16(0, 7, true);
    dv.setUint16(2, 1, true);
    dv.setUint32(4, 8000, true);
    dv.setUint32(8, 8000, true);
    dv.setUint16(12, 1, true);
    dv.setUint16(14, 8, true);
    const data = Uint8Array.from({ length: 800 }, (_, i) => [0xff, 0x80, 0x00, 0xff][i % 4]!);
    const parts: [string, Uint8Array][] = [['bext', bext], ['fmt ', fmt], ['data', data]];
    const body = parts.flatMap(([id, b]) => {
      const h = new Uint8Array(8);
      h.set(Buffer.from(id, 'latin1'));
      new DataView(h.buffer).setUint32(4, b.length, true);
      return [h, b];
    });
    const size = body.reduce((n, b) => n + b.length, 4);
    const head = new Uint8Array(12);
    head.set(Buffer.from('RIFF'));
    new DataView(head.buffer).setUint32(4, size, true);
    head.set(Buffer.from('WAVE'), 8);
    const path = join(tmp, 'ulaw.wav');
    writeFileSync(path, Buffer.concat([head, ...body]));
    const clip = await readAudio(path);
    expect(clip).toMatchObject({ decoder: 'ffmpeg', sampleRate: 8000, channels: 1, container: 'RIFF' });
    expect(clip.samples.length).toBe(800);
    expect(Array.from(clip.samples.subarray(0, 4))).toEqual([0, 32124 / 32768, -32124 / 32768, 0]);
    expect(clip.bwf?.timeReferenceSamples).toBe(8000n);
    expect(clip.bwf?.startSeconds).toBe(1);
  });
});

describe('finding ffmpeg', () => {
  const noStatic = (): Promise<unknown> => Promise.reject(new Error('Cannot find package'));

  it('FFMPEG_PATH pointing at a file that does not exist: a clear K4S_NO_FFMPEG, no fallback', async () => {
    const missing = join(tmp, 'no-such-ffmpeg');
    const e = await resolveFfmpeg({ env: { FFMPEG_PATH: missing, PATH: '/usr/bin:/bin' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FfmpegError);
    expect((e as FfmpegError).code).toBe('K4S_NO_FFMPEG');
    expect((e as FfmpegError).message).toContain(`FFMPEG_PATH is set to "${missing}", which is not an executable file`);
    // And through readAudio, for a container that needs ffmpeg: the audio layer's error, about that file.
    process.env['FFMPEG_PATH'] = missing;
    const r = await readAudio(join(REAL, 'pyk4a-recording.mkv')).catch((x: unknown) => x);
    expect(r).toBeInstanceOf(AudioError);
    expect((r as AudioError).code).toBe('K4S_NO_FFMPEG');
    expect((r as AudioError).path).toBe(join(REAL, 'pyk4a-recording.mkv'));
    expect((r as AudioError).message).toMatch(/FFMPEG_PATH/);
    // WAVs never need it.
    expect((await readAudio(POLY)).decoder).toBe('wav');
  });

  it('FFMPEG_PATH first, then ffmpeg-static, then PATH', async () => {
    const fake = join(tmp, 'fake-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\nexit 0\n');
    chmodSync(fake, 0o755);
    const binDir = mkdtempSync(join(tmp, 'bin-'));
    const onPath = join(binDir, 'ffmpeg');
    writeFileSync(onPath, '#!/bin/sh\nexit 0\n');
    chmodSync(onPath, 0o755);
    const staticMod = (): Promise<unknown> => Promise.resolve({ default: fake });
    expect(await resolveFfmpeg({ env: { FFMPEG_PATH: onPath, PATH: binDir }, importFfmpegStatic: staticMod, platform: 'linux' })).toEqual({ path: onPath, source: 'FFMPEG_PATH' });
    expect(await resolveFfmpeg({ env: { PATH: binDir }, importFfmpegStatic: staticMod, platform: 'linux' })).toEqual({ path: fake, source: 'ffmpeg-static' });
    // ffmpeg-static installed but its binary missing (unsupported platform: it exports null) → PATH.
    expect(await resolveFfmpeg({ env: { PATH: binDir }, importFfmpegStatic: () => Promise.resolve({ default: null }), platform: 'linux' })).toEqual({ path: onPath, source: 'PATH' });
    expect(await resolveFfmpeg({ env: { PATH: `/nonexistent:${binDir}` }, importFfmpegStatic: noStatic, platform: 'linux' })).toEqual({ path: onPath, source: 'PATH' });
  });

  it('none at all: K4S_NO_FFMPEG saying how to install it or set FFMPEG_PATH', async () => {
    const e = await resolveFfmpeg({ env: { PATH: join(tmp, 'empty-dir') }, importFfmpegStatic: noStatic, platform: 'linux' }).catch((x: unknown) => x);
    expect((e as FfmpegError).code).toBe('K4S_NO_FFMPEG');
    expect((e as FfmpegError).message).toMatch(/install ffmpeg .* or set FFMPEG_PATH/);
  });
});

describe('ffmpeg arguments and output parsing', () => {
  it('the builder produces a typed, shell-free argument list', () => {
    const args = new FfmpegCommand().logLevel('error').input('/a b/c;rm -rf.mov').mapAudio(0, 1).audioOnly().pickChannel(3).audioCodec('pcm_f32le').format('f32le').toStdout().args();
    expect(args).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', 'file:/a b/c;rm -rf.mov', '-map', '0:a:1', '-vn', '-sn', '-dn', '-af', 'pan=mono|c0=c3', '-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1']);
    expect(() => new FfmpegCommand().input('x').pickChannel(-1)).toThrow(RangeError);
    expect(() => new FfmpegCommand().args()).toThrow();
  });

  it('reads stream lists, layouts and sample formats', () => {
    const probe = parseProbe(
      [
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/x.mov':",
        '  Duration: 00:00:05.00, start: 0.000000, bitrate: 1540 kb/s',
        '  Stream #0:0[0x1](eng): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080, 25 fps',
        '  Stream #0:1[0x2](und): Audio: pcm_s24le (in24 / 0x34326E69), 48000 Hz, stereo, s32 (24 bit), 2304 kb/s (default)',
        '  Stream #0:2[0x3](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1(side), fltp, 384 kb/s',
        '  Stream #0:3: Audio: pcm_s16le, 96000 Hz, 3 channels (FL+FR+LFE), s16, 4608 kb/s',
        'At least one output file must be specified',
      ].join('\n'),
    );
    expect(probe.container).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(probe.otherStreams).toEqual(['video']);
    expect(probe.streams.map((s) => [s.audioIndex, s.codec, s.sampleRate, s.channels, s.bitsPerSample, s.format])).toEqual([
      [0, 'pcm_s24le', 48000, 2, 24, 'pcm'],
      [1, 'aac', 44100, 6, 32, 'float'],
      [2, 'pcm_s16le', 96000, 3, 16, 'pcm'],
    ]);
    expect(layoutChannels('mono')).toBe(1);
    expect(layoutChannels('FL+FR+FC+LFE')).toBe(4);
    expect(layoutChannels('16 channels')).toBe(16);
    expect(layoutChannels('weird')).toBeNull();
  });

  it('channels are counted across audio streams (a camera MOV with one mono track per channel)', async () => {
    // Two mono streams: channel 1 is the second stream.
    const path = join(tmp, 'two-streams.mov');
    const a = join(tmp, 'mono-a.wav');
    const b = join(tmp, 'mono-b.wav');
    writeFileSync(a, readFileSync(join(REAL, 'bwf-sounddevices702T-A101_1_1-mono-split.wav')));
    writeFileSync(b, readFileSync(join(REAL, 'bwf-metacorder-Sr001-2C-01_02-25fps-fileset.wav')));
    const args = new FfmpegCommand().overwrite().logLevel('error').input(a).input(b).mapAudio(0, 0).mapAudio(1, 0).audioCodec('pcm_s24le').format('mov').toFile(path).args();
    const run = await runFfmpeg(ffmpeg.path, args);
    expect(run.exitCode, run.stderr).toBe(0);
    const second = await readAudio(path, { channel: 1 });
    expect(second.channels).toBe(2);
    const want = (await readAudio(b)).samples;
    expect(second.samples.length).toBeGreaterThanOrEqual(want.length);
    expect(maxDiff(second.samples.subarray(0, want.length), want)).toBe(0);
  });
});
