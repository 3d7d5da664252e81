import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAudio, readWavBytes, type AudioClip } from '../../src/timecode/audio.js';
import { REAL } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4s-audio-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// --------------------------------------------------------------------------------------------------------
// An independent reader for the tests: finds the data chunk and decodes one channel with DataView.

function oracle(bytes: Uint8Array, channel: number): { rate: number; channels: number; samples: Float64Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  let tag = 0, channels = 0, rate = 0, align = 0, bits = 0;
  while (pos + 8 <= bytes.length) {
    const id = Buffer.from(bytes.subarray(pos, pos + 4)).toString('latin1');
    const size = dv.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      tag = dv.getUint16(pos + 8, true);
      channels = dv.getUint16(pos + 10, true);
      rate = dv.getUint32(pos + 12, true);
      align = dv.getUint16(pos + 20, true);
      bits = dv.getUint16(pos + 22, true);
    }
    if (id === 'data') {
      const frames = Math.floor(Math.min(size, bytes.length - pos - 8) / align);
      const out = new Float64Array(frames);
      const bps = align / channels;
      for (let i = 0; i < frames; i++) {
        const at = pos + 8 + i * align + channel * bps;
        if (tag === 3) out[i] = bps === 4 ? dv.getFloat32(at, true) : dv.getFloat64(at, true);
        else if (bps === 2) out[i] = dv.getInt16(at, true) / 32768;
        else if (bps === 3) out[i] = ((dv.getUint8(at) | (dv.getUint8(at + 1) << 8) | (dv.getInt8(at + 2) << 16))) / 8388608;
        else if (bps === 4) out[i] = dv.getInt32(at, true) / 2147483648;
        else out[i] = (dv.getUint8(at) - 128) / 128;
      }
      void bits;
      return { rate, channels, samples: out };
    }
    pos += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

function expectSameSamples(a: Float32Array, b: ArrayLike<number>, tolerance = 0): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

function peak(s: Float32Array): number {
  let p = 0;
  for (const v of s) p = Math.max(p, Math.abs(v));
  return p;
}

// --------------------------------------------------------------------------------------------------------

interface Expect {
  file: string;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: 'pcm' | 'float';
  frames: number;
}

const metacorder = [1, 2, 3, 4, 5].map((i) => ({
  file: `bwf-metacorder-Sr001-2C-01_0${i}-25fps-${i === 1 ? 'ixtc' : 'fileset'}.wav`,
  sampleRate: 48000, channels: 1, bitsPerSample: 24, format: 'pcm' as const, frames: 336000,
}));

const FIXTURES: Expect[] = [
  { file: 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav', sampleRate: 48000, channels: 2, bitsPerSample: 24, format: 'pcm', frames: 240239 },
  { file: 'bwf-sounddevices702T-A101_1_1-mono-split.wav', sampleRate: 48000, channels: 1, bitsPerSample: 24, format: 'pcm', frames: 240239 },
  { file: 'bwf-sounddevices702T-A101_3-2398ndf.wav', sampleRate: 48000, channels: 2, bitsPerSample: 24, format: 'pcm', frames: 48044 },
  { file: 'bwf-zoomF8-Scene_1_2AG-T001_Tr1-25fps.wav', sampleRate: 48000, channels: 1, bitsPerSample: 24, format: 'pcm', frames: 528000 },
  ...metacorder,
  { file: 'bwf-protools-umid-44k1.wav', sampleRate: 44100, channels: 1, bitsPerSample: 24, format: 'pcm', frames: 44100 },
  { file: 'bwf-zoomH4n-STE-000-cue.wav', sampleRate: 48000, channels: 2, bitsPerSample: 16, format: 'pcm', frames: 242624 },
  { file: 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav', sampleRate: 48000, channels: 1, bitsPerSample: 24, format: 'pcm', frames: 528000 },
  { file: 'ltc-bwf-zoomF6-2-f32-vxlr-mic.wav', sampleRate: 48000, channels: 1, bitsPerSample: 32, format: 'float', frames: 576000 },
  { file: 'ltc-bwf-zoomF6-4-f32-vxlrplus-pp-mic.wav', sampleRate: 48000, channels: 1, bitsPerSample: 32, format: 'float', frames: 528000 },
  { file: 'ltc-bwf-zoomF6-5-f32-vxlrplus-nopp-line.wav', sampleRate: 48000, channels: 1, bitsPerSample: 32, format: 'float', frames: 576000 },
  { file: 'ltc-bwf-zoomF6-6-f32-vxlrplus-pp-line.wav', sampleRate: 48000, channels: 1, bitsPerSample: 32, format: 'float', frames: 624000 },
  { file: 'ltc-bwf-zoomF6-7-f32-vxlr-line.wav', sampleRate: 48000, channels: 1, bitsPerSample: 32, format: 'float', frames: 576000 },
];

describe('readAudio on the real WAV/BWF fixtures', () => {
  it.each(FIXTURES)('$file: $sampleRate Hz, $channels ch, $bitsPerSample-bit $format, $frames frames', async (e) => {
    const path = join(REAL, e.file);
    const clip = await readAudio(path);
    expect(clip).toMatchObject({ path, sampleRate: e.sampleRate, channels: e.channels, channel: 0, bitsPerSample: e.bitsPerSample, format: e.format, decoder: 'wav', container: 'RIFF' });
    expect(clip.samples).toBeInstanceOf(Float32Array);
    expect(clip.samples.length).toBe(e.frames);
    expect(clip.bwf).not.toBeNull();
    expect(clip.warnings).toEqual([]);
    // The same samples as an independent DataView decoder (float32 rounding of 24-bit values is exact).
    const ref = oracle(readFileSync(path), 0);
    expectSameSamples(clip.samples, ref.samples, e.format === 'float' ? 0 : 1e-9);
  });

  it('the float takes are read as float; take 2 peaks above full scale (1.77)', async () => {
    const take2 = await readAudio(join(REAL, 'ltc-bwf-zoomF6-2-f32-vxlr-mic.wav'));
    expect(take2.format).toBe('float');
    expect(peak(take2.samples)).toBeGreaterThan(1.7);
    expect(peak(take2.samples)).toBeCloseTo(1.7655741, 5);
    const take1 = await readAudio(join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav'));
    expect(peak(take1.samples)).toBeLessThanOrEqual(1);
    expect(peak(take1.samples)).toBeGreaterThan(0.5);
  });

  it('a chosen channel of the 2-channel poly file: channel 0 is the mono split file, channel 1 differs', async () => {
    const poly0 = await readAudio(join(REAL, 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav'), { channel: 0 });
    const poly1 = await readAudio(join(REAL, 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav'), { channel: 1 });
    const split = await readAudio(join(REAL, 'bwf-sounddevices702T-A101_1_1-mono-split.wav'));
    expect(poly1.channel).toBe(1);
    expectSameSamples(poly0.samples, split.samples);
    const ref1 = oracle(readFileSync(join(REAL, 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav')), 1);
    expectSameSamples(poly1.samples, ref1.samples, 1e-9);
    let differ = 0;
    for (let i = 0; i < poly0.samples.length; i++) if (poly0.samples[i] !== poly1.samples[i]) differ++;
    expect(differ).toBeGreaterThan(poly0.samples.length / 2);
    expect(poly1.bwf!.ixml!.tracks[1]!.name).toBe('Boom');
  });

  it('channel 1 of the H4n (16-bit stereo)', async () => {
    const path = join(REAL, 'bwf-zoomH4n-STE-000-cue.wav');
    const clip = await readAudio(path, { channel: 1 });
    expectSameSamples(clip.samples, oracle(readFileSync(path), 1).samples, 0);
  });

  it('the fps option reaches the BWF start of a bext-only file', async () => {
    const clip = await readAudio(join(REAL, 'bwf-zoomH4n-STE-000-cue.wav'), { fps: '25' });
    expect(clip.bwf!.startTimecode).toBe('17:54:35:00');
    const none = await readAudio(join(REAL, 'bwf-protools-umid-44k1.wav'));
    expect(none.bwf!.startTimecode).toBeNull();
    expect(none.bwf!.startSeconds).toBeCloseTo(676200 / 44100, 9);
  });
});

// --------------------------------------------------------------------------------------------------------
// Hand-built WAVs: every sample format, byte order and container.

interface Fmt {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  align?: number;
  /** WAVE_FORMAT_EXTENSIBLE subformat tag. */
  sub?: number;
  validBits?: number;
}

function fmtBody(f: Fmt, le = true): Uint8Array {
  const ext = f.sub !== undefined;
  const b = new Uint8Array(ext ? 40 : 16);
  const dv = new DataView(b.buffer);
  const align = f.align ?? f.channels * Math.ceil(f.bits / 8);
  dv.setUint16(0, ext ? 0xfffe : f.tag, le);
  dv.setUint16(2, f.channels, le);
  dv.setUint32(4, f.rate, le);
  dv.setUint32(8, f.rate * align, le);
  dv.setUint16(12, align, le);
  dv.setUint16(14, f.bits, le);
  if (ext) {
    dv.setUint16(16, 22, le);
    dv.setUint16(18, f.validBits ?? f.bits, le);
    dv.setUint32(20, 0, le);
    dv.setUint16(24, f.sub!, le);
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return b;
}

function chunk(id: string, body: Uint8Array, opts: { le?: boolean; size?: number; pad?: boolean } = {}): Uint8Array {
  const pad = opts.pad ?? true;
  const out = new Uint8Array(8 + body.length + (pad ? body.length % 2 : 0));
  out.set(Buffer.from(id, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, opts.size ?? body.length, opts.le ?? true);
  out.set(body, 8);
  return out;
}

function container(id: string, chunks: Uint8Array[], le = true): Uint8Array {
  const size = chunks.reduce((n, c) => n + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set(Buffer.from(id, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, id === 'RF64' || id === 'BW64' ? 0xffffffff : size, le);
  out.set(Buffer.from('WAVE'), 8);
  let at = 12;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Interleaved frames of `channels` channels, each sample encoded by `put`. */
function pcm(frames: number[][], bytes: number, put: (dv: DataView, at: number, v: number) => void): Uint8Array {
  const channels = frames[0]!.length;
  const out = new Uint8Array(frames.length * channels * bytes);
  const dv = new DataView(out.buffer);
  frames.forEach((fr, i) => fr.forEach((v, c) => put(dv, (i * channels + c) * bytes, v)));
  return out;
}

const VALUES = [0, 0.5, -0.5, -1, 0.25];
const stereo = VALUES.map((v) => [v, 0 - v / 2 + 0]);

async function viaFile(name: string, bytes: Uint8Array, channel = 0): Promise<AudioClip> {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return readAudio(path, { channel });
}

describe('every sample format', () => {
  const cases: { name: string; fmt: Fmt; bytes: number; put: (dv: DataView, at: number, v: number) => void; format: 'pcm' | 'float'; bits: number }[] = [
    { name: '8-bit unsigned', fmt: { tag: 1, channels: 2, rate: 8000, bits: 8 }, bytes: 1, put: (dv, at, v) => dv.setUint8(at, Math.round(v * 128) + 128), format: 'pcm', bits: 8 },
    { name: '16-bit', fmt: { tag: 1, channels: 2, rate: 44100, bits: 16 }, bytes: 2, put: (dv, at, v) => dv.setInt16(at, Math.round(v * 32768), true), format: 'pcm', bits: 16 },
    {
      name: '24-bit', fmt: { tag: 1, channels: 2, rate: 48000, bits: 24 }, bytes: 3, format: 'pcm', bits: 24,
      put: (dv, at, v) => {
        const n = Math.round(v * 8388608) & 0xffffff;
        dv.setUint8(at, n & 0xff);
        dv.setUint8(at + 1, (n >> 8) & 0xff);
        dv.setUint8(at + 2, (n >> 16) & 0xff);
      },
    },
    { name: '32-bit integer', fmt: { tag: 1, channels: 2, rate: 96000, bits: 32 }, bytes: 4, put: (dv, at, v) => dv.setInt32(at, Math.round(v * 2147483648), true), format: 'pcm', bits: 32 },
    { name: '32-bit float', fmt: { tag: 3, channels: 2, rate: 48000, bits: 32 }, bytes: 4, put: (dv, at, v) => dv.setFloat32(at, v * 1.5, true), format: 'float', bits: 32 },
    { name: '64-bit float', fmt: { tag: 3, channels: 2, rate: 192000, bits: 64 }, bytes: 8, put: (dv, at, v) => dv.setFloat64(at, v * 1.5, true), format: 'float', bits: 64 },
    { name: 'extensible 24-bit', fmt: { tag: 1, channels: 2, rate: 48000, bits: 24, sub: 1 }, bytes: 3, format: 'pcm', bits: 24, put: (dv, at, v) => {
      const n = Math.round(v * 8388608) & 0xffffff;
      dv.setUint8(at, n & 0xff);
      dv.setUint8(at + 1, (n >> 8) & 0xff);
      dv.setUint8(at + 2, (n >> 16) & 0xff);
    } },
    { name: 'extensible float', fmt: { tag: 3, channels: 2, rate: 48000, bits: 32, sub: 3 }, bytes: 4, put: (dv, at, v) => dv.setFloat32(at, v * 1.5, true), format: 'float', bits: 32 },
  ];

  it.each(cases)('$name, both channels', async (c) => {
    const data = pcm(stereo, c.bytes, c.put);
    const bytes = container('RIFF', [chunk('fmt ', fmtBody(c.fmt)), chunk('data', data)]);
    const scale = c.format === 'float' ? 1.5 : 1;
    for (const ch of [0, 1]) {
      const clip = await viaFile(`${c.name.replace(/\W/g, '_')}.wav`, bytes, ch);
      expect(clip).toMatchObject({ sampleRate: c.fmt.rate, channels: 2, channel: ch, format: c.format, bitsPerSample: c.bits });
      const want = stereo.map((fr) => fr[ch]! * scale);
      expect(Array.from(clip.samples)).toEqual(want.map((v) => Math.fround(v)));
      // In memory too.
      expect(Array.from(readWavBytes(bytes, { channel: ch }).samples)).toEqual(Array.from(clip.samples));
    }
  });

  it('RIFX (big-endian)', () => {
    const data = pcm(stereo, 2, (dv, at, v) => dv.setInt16(at, Math.round(v * 32768), false));
    const bytes = container('RIFX', [chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 48000, bits: 16 }, false), { le: false }), chunk('data', data, { le: false })], false);
    const clip = readWavBytes(bytes, { channel: 0 });
    expect(clip.container).toBe('RIFX');
    expect(Array.from(clip.samples)).toEqual(VALUES);
  });

  it.each(['RF64', 'BW64'])('%s: the data size comes from ds64, and chunks after data are not audio', (id) => {
    const data = pcm(stereo, 2, (dv, at, v) => dv.setInt16(at, Math.round(v * 32768), true));
    const ds64 = new Uint8Array(28);
    const dv = new DataView(ds64.buffer);
    dv.setUint32(8, data.length, true); // data size, low word
    dv.setUint32(16, VALUES.length, true); // sample count
    const bytes = container(id, [chunk('ds64', ds64), chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 48000, bits: 16 })), chunk('data', data, { size: 0xffffffff }), chunk('LIST', new Uint8Array(40).fill(0x55))]);
    const clip = readWavBytes(bytes, { channel: 1 });
    expect(clip.container).toBe(id);
    expect(Array.from(clip.samples)).toEqual(stereo.map((fr) => fr[1]!));
    expect(clip.warnings).toEqual([]);
  });

  it('any chunk order, JUNK/PAD chunks, an odd-sized chunk with its pad byte, and one without', () => {
    const data = pcm(VALUES.map((v) => [v]), 2, (dv, at, v) => dv.setInt16(at, Math.round(v * 32768), true));
    const fmt = chunk('fmt ', fmtBody({ tag: 1, channels: 1, rate: 48000, bits: 16 }));
    const padded = container('RIFF', [chunk('JUNK', new Uint8Array(28)), chunk('odd ', new Uint8Array(3)), chunk('data', data), chunk('PAD ', new Uint8Array(100)), fmt]);
    expect(Array.from(readWavBytes(padded).samples)).toEqual(VALUES);
    expect(readWavBytes(padded).warnings).toEqual([]);
    const unpadded = container('RIFF', [fmt, chunk('odd ', new Uint8Array(3), { pad: false }), chunk('data', data)]);
    const clip = readWavBytes(unpadded);
    expect(Array.from(clip.samples)).toEqual(VALUES);
    expect(clip.warnings.join(' ')).toMatch(/no pad byte/);
  });

  it('an unfinalised recording (data size 0) is read to the end of the file, with a warning', () => {
    const data = pcm(VALUES.map((v) => [v]), 2, (dv, at, v) => dv.setInt16(at, Math.round(v * 32768), true));
    const bytes = container('RIFF', [chunk('fmt ', fmtBody({ tag: 1, channels: 1, rate: 48000, bits: 16 })), chunk('data', data, { size: 0 })]);
    const clip = readWavBytes(bytes);
    expect(Array.from(clip.samples)).toEqual(VALUES);
    expect(clip.warnings.join(' ')).toMatch(/never filled in/);
  });

  it('an empty data chunk is an empty clip', () => {
    const bytes = container('RIFF', [chunk('fmt ', fmtBody({ tag: 1, channels: 1, rate: 48000, bits: 16 })), chunk('data', new Uint8Array(0)), chunk('LIST', new Uint8Array(4))]);
    expect(readWavBytes(bytes).samples.length).toBe(0);
  });

  it('NaN and infinities in a float file read as 0, with a warning', () => {
    const data = pcm([[0.5], [NaN], [Infinity], [-2]], 4, (dv, at, v) => dv.setFloat32(at, v, true));
    const clip = readWavBytes(container('RIFF', [chunk('fmt ', fmtBody({ tag: 3, channels: 1, rate: 48000, bits: 32 })), chunk('data', data)]));
    expect(Array.from(clip.samples)).toEqual([0.5, 0, 0, -2]);
    expect(clip.warnings.join(' ')).toMatch(/NaN or infinite/);
  });

  it('a long multi-block file decodes the same as the oracle', () => {
    // 8 channels × 2.5 blocks of 4 MiB at 24-bit: exercises the block loop.
    const channels = 8;
    const frames = Math.ceil((2.5 * 4 * 1024 * 1024) / (channels * 3));
    const data = new Uint8Array(frames * channels * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const bytes = container('RIFF', [chunk('fmt ', fmtBody({ tag: 1, channels, rate: 48000, bits: 24 })), chunk('data', data)]);
    const clip = readWavBytes(bytes, { channel: 5 });
    expectSameSamples(clip.samples, oracle(bytes, 5).samples, 1e-9);
  });
});
