import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioError, readAudio, readWavBytes } from '../../src/timecode/audio.js';
import { readBwf } from '../../src/timecode/bwf.js';
import { REAL } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4s-audio-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

/** The rejection of `p` as an AudioError (fails the test if it resolves or throws something else). */
async function rejection(p: Promise<unknown>): Promise<AudioError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AudioError);
    const err = e as AudioError;
    // One sentence, mentioning what to do or what is wrong.
    expect(err.message.length).toBeGreaterThan(10);
    return err;
  }
  throw new Error('expected a rejection');
}

const POLY = join(REAL, 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav'); // bext@12, iXML@878, fmt@6112, data@6136
const F6 = join(REAL, 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav'); // data body at 131072

describe('hostile inputs give coded errors', () => {
  it('a channel that does not exist: K4S_BAD_CHANNEL with the channel count', async () => {
    const e = await rejection(readAudio(POLY, { channel: 2 }));
    expect(e.code).toBe('K4S_BAD_CHANNEL');
    expect(e.channels).toBe(2);
    expect(e.message).toMatch(/has 2 channels \(channels 0–1\), so channel 2 does not exist/);
    const mono = await rejection(readAudio(F6, { channel: 1 }));
    expect(mono.channels).toBe(1);
    for (const bad of [-1, 1.5, Number.NaN]) expect((await rejection(readAudio(POLY, { channel: bad }))).code).toBe('K4S_BAD_CHANNEL');
  });

  it('a missing file, a directory, an empty file', async () => {
    expect((await rejection(readAudio(join(tmp, 'nope.wav')))).code).toBe('K4S_UNREADABLE');
    const dir = join(tmp, 'a-dir.wav');
    mkdirSync(dir);
    expect((await rejection(readAudio(dir))).code).toBe('K4S_UNREADABLE');
    expect((await rejection(readAudio(write('empty.wav', new Uint8Array(0))))).code).toBe('K4S_NOT_AUDIO');
  });

  it('a text file, even named .wav: K4S_NOT_AUDIO', async () => {
    const e = await rejection(readAudio(write('notes.wav', 'take 1, scene 2\nthe boom was in shot\n')));
    expect(e.code).toBe('K4S_NOT_AUDIO');
    expect(e.message).toMatch(/text file/);
    expect(readBwf(Buffer.from('hello'))).toBeNull();
  });

  it('headerless raw samples are not read (libltc fixture)', async () => {
    const e = await rejection(readAudio(join(REAL, 'ltc-libltc-timecode-u8mono.raw')));
    expect(e.code).toBe('K4S_NOT_AUDIO');
    expect(e.message).toMatch(/headerless/);
  });

  it('a WAV truncated inside its header: K4S_UNREADABLE', async () => {
    const bytes = readFileSync(POLY);
    for (const cut of [4, 11, 30, 700, 5000, 6120, 6130]) {
      const e = await rejection(readAudio(write(`cut-${cut}.wav`, bytes.subarray(0, cut))));
      expect(e.code, `cut at ${cut}`).toBe('K4S_UNREADABLE');
      expect(e.message).toMatch(/cut short|no data chunk|no fmt chunk/);
    }
  });

  it('a WAV truncated inside its audio: read up to where it ends, with a warning', async () => {
    const bytes = readFileSync(F6);
    const whole = await readAudio(F6);
    const cut = 131072 + 3 * 1000 + 2; // 1000 samples and part of one more
    const clip = await readAudio(write('cut-audio.wav', bytes.subarray(0, cut)));
    expect(clip.samples.length).toBe(1000);
    expect(Array.from(clip.samples)).toEqual(Array.from(whole.samples.subarray(0, 1000)));
    expect(clip.warnings.join(' ')).toMatch(/cut short/);
    expect(clip.bwf!.startTimecode).toBe('17:09:43:00');
  });

  it('chunk sizes that point past the end', async () => {
    const bytes = new Uint8Array(readFileSync(POLY));
    // The first chunk (bext) claims 2 GB: fmt and data are out of reach.
    const bigBext = bytes.slice();
    new DataView(bigBext.buffer).setUint32(16, 0x7fffffff, true);
    const e = await rejection(readAudio(write('big-bext.wav', bigBext)));
    expect(e.code).toBe('K4S_UNREADABLE');
    expect(e.message).toMatch(/cut short or damaged before its fmt chunk/);
    // fmt claims more than the file: cut short inside fmt.
    const bigFmt = bytes.slice();
    new DataView(bigFmt.buffer).setUint32(6116, 0xfffffff0, true);
    expect((await rejection(readAudio(write('big-fmt.wav', bigFmt)))).code).toBe('K4S_UNREADABLE');
    // The data chunk claims more than the file holds: the audio present is read.
    const bigData = bytes.slice();
    new DataView(bigData.buffer).setUint32(6140, 0xfffffff0, true);
    const clip = await readAudio(write('big-data.wav', bigData));
    expect(clip.samples.length).toBe(240239);
    expect(clip.warnings.join(' ')).toMatch(/cut short/);
  });

  it('a damaged fmt chunk, or none, or no data chunk', () => {
    const riff = (...chunks: [string, Uint8Array][]): Uint8Array => {
      const parts = chunks.map(([id, body]) => {
        const c = new Uint8Array(8 + body.length + (body.length % 2));
        c.set(Buffer.from(id, 'latin1'));
        new DataView(c.buffer).setUint32(4, body.length, true);
        c.set(body, 8);
        return c;
      });
      const size = parts.reduce((n, p) => n + p.length, 4);
      const out = new Uint8Array(8 + size);
      out.set(Buffer.from('RIFF'));
      new DataView(out.buffer).setUint32(4, size, true);
      out.set(Buffer.from('WAVE'), 8);
      let at = 12;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    const fmt = (channels: number, rate: number, align: number, bits: number, tag = 1): Uint8Array => {
      const b = new Uint8Array(16);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, tag, true);
      dv.setUint16(2, channels, true);
      dv.setUint32(4, rate, true);
      dv.setUint32(8, rate * align, true);
      dv.setUint16(12, align, true);
      dv.setUint16(14, bits, true);
      return b;
    };
    const code = (bytes: Uint8Array): string => {
      try {
        readWavBytes(bytes);
        return 'read';
      } catch (e) {
        expect(e).toBeInstanceOf(AudioError);
        return (e as AudioError).code;
      }
    };
    const data: [string, Uint8Array] = ['data', new Uint8Array(8)];
    expect(code(riff(['fmt ', fmt(0, 48000, 2, 16)], data))).toBe('K4S_UNREADABLE');
    expect(code(riff(['fmt ', fmt(1, 0, 2, 16)], data))).toBe('K4S_UNREADABLE');
    expect(code(riff(['fmt ', fmt(2, 48000, 3, 16)], data))).toBe('K4S_UNREADABLE');
    expect(code(riff(['fmt ', new Uint8Array(10)], data))).toBe('K4S_UNREADABLE');
    expect(code(riff(data))).toBe('K4S_UNREADABLE');
    expect(code(riff(['fmt ', fmt(1, 48000, 2, 16)]))).toBe('K4S_UNREADABLE');
    // µ-law: a legitimate WAV that only ffmpeg decodes.
    expect(code(riff(['fmt ', fmt(1, 8000, 1, 8, 7)], data))).toBe('K4S_NOT_AUDIO');
    expect(code(riff(['fmt ', fmt(1, 48000, 2, 16)], data))).toBe('read');
  });
});

describe('random bytes never crash the reader (property)', () => {
  const header = (size: number, id = 'RIFF'): Uint8Array => {
    const h = new Uint8Array(12);
    h.set(Buffer.from(id, 'latin1'));
    new DataView(h.buffer).setUint32(4, size, true);
    h.set(Buffer.from('WAVE'), 8);
    return h;
  };
  const concat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  /** Either a clip or an AudioError; anything else fails. */
  const survives = (bytes: Uint8Array): void => {
    try {
      const clip = readWavBytes(bytes);
      expect(clip.samples).toBeInstanceOf(Float32Array);
      expect(clip.sampleRate).toBeGreaterThan(0);
    } catch (e) {
      if (!(e instanceof AudioError)) throw e;
    }
    readBwf(bytes);
  };

  it('random bytes after a RIFF header', () => {
    fc.assert(
      fc.property(fc.constantFrom('RIFF', 'RIFX', 'RF64', 'BW64'), fc.nat(), fc.uint8Array({ maxLength: 4096 }), (id, size, body) => {
        survives(concat(header(size, id), body));
      }),
      { numRuns: 1000 },
    );
  });

  it('random chunks: real ids with random sizes and bodies', () => {
    const ids = ['fmt ', 'data', 'bext', 'iXML', 'ds64', 'JUNK', 'PAD ', 'LIST', 'fact', 'cue '];
    const chunkArb = fc.record({
      id: fc.constantFrom(...ids),
      size: fc.oneof(fc.nat({ max: 700 }), fc.constant(0xffffffff), fc.nat()),
      body: fc.uint8Array({ maxLength: 700 }),
    });
    fc.assert(
      fc.property(fc.array(chunkArb, { maxLength: 8 }), (chunks) => {
        const parts = chunks.map((c) => {
          const out = new Uint8Array(8 + c.body.length);
          out.set(Buffer.from(c.id, 'latin1'));
          new DataView(out.buffer).setUint32(4, c.size, true);
          out.set(c.body, 8);
          return out;
        });
        survives(concat(header(0), ...parts));
      }),
      { numRuns: 1000 },
    );
  });

  it('a real header with random bytes overwritten', () => {
    const real = new Uint8Array(readFileSync(join(REAL, 'bwf-sounddevices702T-A101_3-2398ndf.wav')).subarray(0, 8000));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 6200 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }), (edits) => {
        const bytes = real.slice();
        for (const [at, v] of edits) bytes[at] = v;
        survives(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('through a file, too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.nat(), async (body, size) => {
        const path = write('fuzz.wav', concat(header(size), body));
        try {
          await readAudio(path);
        } catch (e) {
          if (!(e instanceof AudioError)) throw e;
        }
      }),
      { numRuns: 100 },
    );
  });
});
