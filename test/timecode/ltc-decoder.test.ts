import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { decodeLtc, LtcDecoder, type LtcDecodeResult } from '../../src/timecode/ltc-decoder.js';
import { encodeLtc } from '../../src/timecode/ltc-encoder.js';
import { readAudio } from '../../src/timecode/audio.js';
import { framesToTimecode, rateName, timecodeToFrames, type LtcRate } from '../../src/timecode/smpte.js';
import { REAL } from '../fixtures.js';

/** Mono WAV as floats around ±1 (integer PCM scaled by its bit depth, float as stored), with its bext TimeReference. */
function readWav(path: string): { samples: Float32Array; sampleRate: number; timeReference: number } {
  const w = new wavefile.WaveFile(readFileSync(path));
  const fmt = w.fmt as { audioFormat: number; bitsPerSample: number; sampleRate: number; numChannels: number };
  expect(fmt.numChannels).toBe(1);
  const raw = w.getSamples(false, Float64Array) as unknown as Float64Array;
  const scale = fmt.audioFormat === 3 ? 1 : 2 ** (fmt.bitsPerSample - 1);
  const bext = w.bext as { timeReference: [number, number] };
  return {
    samples: Float32Array.from(raw, (v) => v / scale),
    sampleRate: fmt.sampleRate,
    timeReference: bext.timeReference[0] + bext.timeReference[1] * 2 ** 32,
  };
}

describe('libltc test capture (ltc-libltc-timecode-u8mono.raw, 22050 Hz, 25 fps)', () => {
  const raw = readFileSync(join(REAL, 'ltc-libltc-timecode-u8mono.raw'));
  const samples = Float32Array.from(raw, (b) => (b - 128) / 128);
  const expected = readFileSync(join(REAL, 'ltc-libltc-timecode.expected.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const m = /(\d\d:\d\d:\d\d:\d\d) \|\s+(\d+)\s+(\d+)/.exec(line);
      if (!m) throw new Error(`unexpected line ${line}`);
      return { timecode: m[1]!, start: Number(m[2]), end: Number(m[3]) };
    });
  const res = decodeLtc(samples, 22050);

  it('decodes exactly the 47 frames libltc reports, in order, at 25 fps', () => {
    expect(expected).toHaveLength(47);
    expect(res.rate).toBe('25');
    expect(res.frames.map((f) => f.timecode)).toEqual(expected.map((e) => e.timecode));
    expect(res.frames.every((f) => !f.reverse && !f.dropFrame)).toBe(true);
    expect(res.discontinuities).toEqual([]);
    expect(res.dropouts).toEqual([]);
  });

  it("puts every frame start within 2.75 samples of libltc's, most within one", () => {
    // libltc reports the integer sample at which its comparator crossed half the envelope on the frame's opening
    // transition, then moves it by (tracked bit period - last measured interval), truncated: that shifts whole
    // stretches of frames by -2 or +1 sample (frames 05:28:01-05:28:14 and 05:29:08-05:29:13 start 2 samples
    // before the transition in the waveform). Our starts are a fit over all ~130 edges of each frame, so they are
    // smooth; against libltc they differ by -1.2 .. +2.6 samples, and by less than a sample where libltc applies
    // no shift.
    const diffs = res.frames.map((f, i) => f.sampleStart - expected[i]!.start);
    expect(Math.max(...diffs.map(Math.abs))).toBeLessThan(2.75);
    expect(diffs.filter((d) => Math.abs(d) <= 1.25).length).toBeGreaterThanOrEqual(25);
    // Undo libltc's whole-sample shifts (+1, 0 or -2 samples) and what is left is under 0.6 of a sample.
    for (const d of diffs) expect(Math.min(...[1, 0, -2].map((s) => Math.abs(d + s)))).toBeLessThan(0.6);
    // libltc's frame lengths wander between 882 and 888 samples; ours are steady (this capture runs 0.3 % slow).
    const lengths = res.frames.map((f) => f.sampleEnd - f.sampleStart);
    for (const l of lengths) expect(Math.abs(l - 884.9)).toBeLessThan(0.3);
    for (let i = 1; i < res.frames.length; i++) expect(Math.abs(res.frames[i]!.sampleStart - res.frames[i - 1]!.sampleEnd)).toBeLessThan(0.3);
  });
});

describe('Zoom F6 takes (AC-coupled LTC through a RØDE VXLR, 48 kHz, 24 fps)', () => {
  // First and last full frames per PROVENANCE.md section C.
  const takes: [string, string, string][] = [
    ['ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav', '17:09:43:00', '17:09:53:23'],
    ['ltc-bwf-zoomF6-2-f32-vxlr-mic.wav', '17:10:28:00', '17:10:39:23'],
    ['ltc-bwf-zoomF6-4-f32-vxlrplus-pp-mic.wav', '17:11:50:00', '17:12:00:23'],
    ['ltc-bwf-zoomF6-5-f32-vxlrplus-nopp-line.wav', '17:12:21:00', '17:12:32:23'],
    ['ltc-bwf-zoomF6-6-f32-vxlrplus-pp-line.wav', '17:12:38:01', '17:12:50:23'],
    ['ltc-bwf-zoomF6-7-f32-vxlr-line.wav', '17:13:18:00', '17:13:29:23'],
  ];
  for (const [file, first, last] of takes) {
    it(`${file}: ${first} -> ${last}, every frame, no break`, () => {
      const { samples, sampleRate, timeReference } = readWav(join(REAL, file));
      const res: LtcDecodeResult = decodeLtc(samples, sampleRate);
      expect(res.rate).toBe('24');
      const tcs = res.frames.map((f) => f.timecode);
      expect(tcs[0]).toBe(first);
      expect(tcs[tcs.length - 1]).toBe(last);
      const n = timecodeToFrames(last, '24') - timecodeToFrames(first, '24') + 1;
      expect(tcs).toEqual(Array.from({ length: n }, (_, k) => framesToTimecode(timecodeToFrames(first, '24') + k, '24')));
      expect(res.discontinuities).toEqual([]);
      expect(res.dropouts).toEqual([]);
      // The LTC frame grid lines up with the file's BWF start: frame k of the timecode line starts k * 2000 samples
      // after the bext TimeReference (to the couple of samples the generator and recorder allow).
      const bwfFrame = Math.round((timeReference / sampleRate) * 24);
      for (const f of [res.frames[0]!, res.frames[res.frames.length - 1]!]) {
        const k = timecodeToFrames(f.timecode, '24') - bwfFrame;
        expect(Math.abs(f.sampleStart - k * 2000)).toBeLessThan(3);
      }
      // The frame starts lie on one straight line (the generator's clock against the recorder's) to a few
      // hundredths of a sample, 2000 samples apart (the two clocks differ by about 5 ppm).
      const st = res.frames.map((f) => f.sampleStart);
      const period = (st[st.length - 1]! - st[0]!) / (st.length - 1);
      expect(Math.abs(period / 2000 - 1)).toBeLessThan(20e-6);
      for (let i = 0; i < st.length; i++) expect(Math.abs(st[i]! - (st[0]! + i * period))).toBeLessThan(0.1);
      for (let i = 0; i + 1 < st.length; i++) expect(res.frames[i]!.sampleEnd).toBe(st[i + 1]);
    });
  }
});

describe('pico-timecode hardware generator, recorded (every frame of the author\'s ltcdump)', () => {
  const cases: [string, LtcRate, string][] = [
    // 30.000 fps with the drop-frame flag set: "30df", not 29.97 drop-frame.
    ['ltc-picotimecode-30fps-df', '30df', '30 (drop-frame flag)'],
    ['ltc-picotimecode-syncio-25fps-44k1', '25', '25'],
  ];
  for (const [name, rate, named] of cases) {
    it(`${name}: rate ${named}, every frame libltc read, in place`, async () => {
      const dump = readFileSync(join(REAL, `${name}.ltcdump.txt`), 'utf8')
        .split('\n')
        .filter((l) => /^[0-9a-f]{8}\s/.test(l))
        .map((l) => {
          const [userBits, tc, , start] = l.trim().split(/\s+/) as [string, string, string, string];
          // ltcdump prints the user-bit nibbles last first.
          return { userBits: [...userBits.toUpperCase()].reverse().join(''), digits: tc.replace(/\D/g, ''), start: Number(start) };
        });
      expect(dump.length).toBeGreaterThan(400);
      for (const channel of [0, 1]) {
        const clip = await readAudio(join(REAL, `${name}.wav`), { channel });
        const res = decodeLtc(clip.samples, clip.sampleRate);
        expect(res.rate).toBe(rate);
        expect(rateName(res.rate!)).toBe(named);
        const got = new Map(res.frames.map((f) => [f.timecode.replace(/\D/g, ''), f]));
        for (const d of dump) {
          const f = got.get(d.digits);
          expect(f, d.digits).toBeDefined();
          expect(f!.userBits).toBe(d.userBits);
          // libltc places a frame to a sample or two (its positions scatter by 1.3 samples rms).
          expect(Math.abs(f!.sampleStart - d.start)).toBeLessThan(3);
        }
        expect(res.discontinuities).toEqual([]);
        expect(res.continuous).toBe(true);
        expect(res.levelDbfs).toBeLessThan(0);
      }
    });
  }
});

describe('hostile input', () => {
  const rnd = (seed: number) => {
    let s = seed;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  };
  for (const fs of [8000, 48000, 192000]) {
    const n = fs * 4;
    const r = rnd(fs);
    const cases: Record<string, Float32Array> = {
      empty: new Float32Array(0),
      'one sample': Float32Array.of(0.7),
      silence: new Float32Array(n),
      DC: new Float32Array(n).fill(0.3),
      'white noise': Float32Array.from({ length: n }, () => r() * 2 - 1),
      'quiet white noise': Float32Array.from({ length: n }, () => (r() * 2 - 1) * 1e-4),
      '2 kHz square': Float32Array.from({ length: n }, (_, i) => (Math.sin((2 * Math.PI * 2000 * i) / fs) > 0 ? 0.5 : -0.5)),
      'random biphase-like square': (() => {
        const a = new Float32Array(n);
        let level = 0.5;
        let next = 0;
        for (let i = 0; i < n; i++) {
          if (i >= next) {
            level = -level;
            next = i + (fs / 2000) * (r() < 0.5 ? 0.5 : 1);
          }
          a[i] = level;
        }
        return a;
      })(),
      clicks: Float32Array.from({ length: n }, () => (r() < 0.001 ? 1 : 0)),
      NaN: new Float32Array(n).fill(NaN),
    };
    for (const [name, x] of Object.entries(cases)) {
      it(`${name} at ${fs} Hz: no frames, no crash`, () => {
        const res = decodeLtc(x, fs);
        expect(res.frames).toEqual([]);
        expect(res.rate).toBeNull();
        expect(res.discontinuities).toEqual([]);
      });
    }
  }
  it('a bad sample rate gives nothing', () => {
    const { samples } = encodeLtc({ start: '01:00:00:00', frames: 10, rate: '25', sampleRate: 48000 });
    expect(decodeLtc(samples, 0).frames).toEqual([]);
    expect(decodeLtc(samples, NaN).frames).toEqual([]);
  });
});

describe('structure of the run', () => {
  const fs = 48000;
  const pad = (x: Float32Array, before: number, after: number) => {
    const y = new Float32Array(before + x.length + after);
    y.set(x, before);
    return y;
  };
  const concat = (...parts: Float32Array[]) => {
    const y = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      y.set(p, o);
      o += p.length;
    }
    return y;
  };

  it('reads LTC played backwards, flagged reverse, positions in file order', () => {
    const { samples, frameStarts } = encodeLtc({ start: '10:00:00:00', frames: 50, rate: '25', sampleRate: fs, userBits: '12345678' });
    const x = pad(samples, 500, 500).reverse();
    const res = decodeLtc(x, fs);
    expect(res.rate).toBe('25');
    expect(res.frames).toHaveLength(50);
    expect(res.frames.every((f) => f.reverse && f.userBits === '12345678')).toBe(true);
    expect(res.frames.map((f) => f.timecode)).toEqual(Array.from({ length: 50 }, (_, k) => framesToTimecode(timecodeToFrames('10:00:01:24', '25') - k, '25')));
    expect(res.discontinuities).toEqual([]);
    // Sample t of the original is sample L - 1 - t of the reversed file; a reverse frame starts (in file order)
    // where the original frame ended.
    const L = x.length;
    res.frames.forEach((f, k) => {
      const orig = 49 - k;
      expect(Math.abs(f.sampleStart - (L - 1 - (500 + frameStarts[orig]! + 1920)))).toBeLessThan(0.25);
      expect(Math.abs(f.sampleEnd - (L - 1 - (500 + frameStarts[orig]!)))).toBeLessThan(0.25);
    });
  });

  it('reports a jump and a step back as jumps (not reverse play), at the first frame after each', () => {
    const a = encodeLtc({ start: '01:00:00:00', frames: 20, rate: '25', sampleRate: fs }).samples;
    const b = encodeLtc({ start: '02:30:00:00', frames: 20, rate: '25', sampleRate: fs }).samples;
    const c = encodeLtc({ start: '02:29:59:00', frames: 20, rate: '25', sampleRate: fs }).samples;
    const gap = new Float32Array(960); // half a frame of silence between the pieces
    const x = concat(gap, a, gap, b, gap, c, gap);
    const res = decodeLtc(x, fs);
    expect(res.frames).toHaveLength(60);
    expect(res.dropouts).toEqual([]);
    expect(res.discontinuities.map(({ from, to, kind }) => ({ from, to, kind }))).toEqual([
      { from: '01:00:00:19', to: '02:30:00:00', kind: 'jump' },
      { from: '02:30:00:19', to: '02:29:59:00', kind: 'jump' },
    ]);
    expect(res.discontinuities[0]!.atSample).toBeCloseTo(res.frames[20]!.sampleStart, 6);
    expect(Math.abs(res.discontinuities[0]!.atSample - (960 * 2 + a.length))).toBeLessThan(3);
  });

  it('reports a noise burst as a dropout, and no discontinuity when the timecode runs on', () => {
    const { samples, frameStarts } = encodeLtc({ start: '05:00:00:00', frames: 40, rate: '25', sampleRate: fs });
    const x = pad(samples, 200, 200);
    // Frames 10..14 drowned in loud noise.
    let s = 1;
    for (let i = 200 + Math.round(frameStarts[10]!); i < 200 + Math.round(frameStarts[15]!); i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      x[i] = (s / 2 ** 32) * 4 - 2;
    }
    const res = decodeLtc(x, fs);
    expect(res.discontinuities).toEqual([]);
    expect(res.dropouts).toHaveLength(1);
    const d = res.dropouts[0]!;
    expect(d.fromSample).toBeGreaterThan(200 + frameStarts[9]!);
    expect(d.toSample).toBeLessThan(200 + frameStarts[16]! + 1);
    expect(d.toSample - d.fromSample).toBeGreaterThan(2 * 1920);
    const tcs = res.frames.map((f) => f.timecode);
    expect(tcs).toContain('05:00:00:09');
    expect(tcs).toContain('05:00:00:16');
    expect(tcs).not.toContain('05:00:00:12');
  });

  it('reports silence before and after the LTC as dropouts', () => {
    const { samples } = encodeLtc({ start: '05:00:00:00', frames: 25, rate: '25', sampleRate: fs });
    const res = decodeLtc(pad(samples, fs, fs), fs);
    expect(res.frames).toHaveLength(25);
    expect(res.dropouts).toHaveLength(2);
    expect(res.dropouts[0]!.fromSample).toBe(0);
    expect(Math.abs(res.dropouts[0]!.toSample - fs)).toBeLessThan(0.5);
    expect(res.dropouts[1]!.toSample).toBe(samples.length + 2 * fs);
  });

  it('honours a forced rate', () => {
    const { samples } = encodeLtc({ start: '05:00:00:00', frames: 40, rate: '29.97', sampleRate: fs });
    expect(decodeLtc(samples, fs).rate).toBe('29.97');
    const forced = decodeLtc(samples, fs, { fps: '30' });
    expect(forced.rate).toBe('30');
    expect(forced.frames).toHaveLength(40);
    expect(decodeLtc(samples, fs, { fps: 'auto' }).rate).toBe('29.97');
  });

  it('tells drop-frame from its flag and formats it with ";"', () => {
    const { samples } = encodeLtc({ start: '00:00:59;20', frames: 20, rate: '29.97df', sampleRate: fs });
    const res = decodeLtc(samples, fs);
    expect(res.rate).toBe('29.97df');
    expect(res.frames.every((f) => f.dropFrame)).toBe(true);
    const tcs = res.frames.map((f) => f.timecode);
    expect(tcs).toContain('00:00:59;29');
    expect(tcs[tcs.indexOf('00:00:59;29') + 1]).toBe('00:01:00;02');
    expect(res.discontinuities).toEqual([]);
  });

  it('decodes a stream written in blocks of any size, across its decoding windows, as one run', () => {
    // 64 s at 48 kHz: three decoding windows, with a jump right where the first one ends.
    const a = encodeLtc({ start: '01:00:00:00', frames: 546, rate: '25', sampleRate: fs }).samples;
    const b = encodeLtc({ start: '07:00:00:00', frames: 1054, rate: '25', sampleRate: fs }).samples;
    const x = concat(a.subarray(0, 546 * 1920), b);
    const whole = decodeLtc(x, fs);
    expect(whole.frames).toHaveLength(1600);
    expect(whole.discontinuities.map(({ from, to, kind }) => ({ from, to, kind }))).toEqual([{ from: '01:00:21:20', to: '07:00:00:00', kind: 'jump' }]);
    expect(whole.dropouts).toEqual([]);
    const decoder = new LtcDecoder(fs);
    for (let i = 0, n = 1; i < x.length; i += n, n = ((n * 7919) % 50021) + 1) decoder.write(x.subarray(i, i + n));
    expect(decoder.written).toBe(x.length);
    expect(decoder.end()).toEqual(whole);
    // Without the frame list (bounded memory), the same run: first, last, count, breaks.
    const lean = new LtcDecoder(fs, { frames: false });
    lean.write(x);
    expect(lean.end()).toEqual({ ...whole, frames: [] });
    expect(whole).toMatchObject({ frameCount: 1600, first: whole.frames[0], last: whole.frames[1599] });
  });

  it('decodes 10 minutes of 48 kHz audio, every frame, without a discontinuity', () => {
    const { samples } = encodeLtc({ start: '01:00:00:00', frames: 15000, rate: '25', sampleRate: fs });
    const res = decodeLtc(samples, fs);
    expect(res.frames).toHaveLength(15000);
    expect(res.frames.at(-1)!.timecode).toBe('01:09:59:24');
    expect(res.discontinuities).toEqual([]);
  });
});
