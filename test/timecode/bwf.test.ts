import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import Timecode from 'smpte-timecode';
import { describe, expect, it } from 'vitest';
import {
  bwfFromChunks,
  frameLabel,
  parseRateText,
  rateFromFps,
  readBwf,
  readBwfFile,
  timecodeAtSample,
  type BwfFps,
  type BwfInfo,
} from '../../src/timecode/bwf.js';
import { REAL } from '../fixtures.js';

// --------------------------------------------------------------------------------------------------------
// Small WAV builders (little-endian RIFF).

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(Buffer.from(id, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function wav(...chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((n, c) => n + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set(Buffer.from('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, size, true);
  out.set(Buffer.from('WAVE'), 8);
  let at = 12;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function fmt(rate = 48000, channels = 1, bits = 24): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const align = channels * Math.ceil(bits / 8);
  dv.setUint16(0, 1, true);
  dv.setUint16(2, channels, true);
  dv.setUint32(4, rate, true);
  dv.setUint32(8, rate * align, true);
  dv.setUint16(12, align, true);
  dv.setUint16(14, bits, true);
  return chunk('fmt ', b);
}

function bext(timeReference: bigint, fields: { originator?: string; date?: string; time?: string; codingHistory?: string } = {}): Uint8Array {
  const history = Buffer.from(fields.codingHistory ?? '', 'latin1');
  const b = new Uint8Array(602 + history.length);
  b.set(Buffer.from(fields.originator ?? 'k4sync test', 'latin1').subarray(0, 32), 256);
  b.set(Buffer.from(fields.date ?? '2024-01-02', 'latin1').subarray(0, 10), 320);
  b.set(Buffer.from(fields.time ?? '03:04:05', 'latin1').subarray(0, 8), 330);
  const dv = new DataView(b.buffer);
  dv.setUint32(338, Number(timeReference & 0xffffffffn), true);
  dv.setUint32(342, Number(timeReference >> 32n), true);
  dv.setUint16(346, 1, true);
  b.set(history, 602);
  return chunk('bext', b);
}

function ixml(inner: string): Uint8Array {
  return chunk('iXML', Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><BWFXML>${inner}</BWFXML>`, 'utf8'));
}

const silence = (bytes: number): Uint8Array => chunk('data', new Uint8Array(bytes));

// --------------------------------------------------------------------------------------------------------

interface Expected {
  file: string;
  timeReference: bigint;
  sampleRate: number;
  fps: string | null;
  startTimecode: string | null;
  startSeconds: number;
}

/**
 * The start each fixture's PROVENANCE line gives (section B and the Zoom F6 table of section C). The start
 * timecode is floor(TimeReference × fps / sampleRate) frames; the samples count real time, so at 23.976 a
 * frame lasts 2002 samples at 48 kHz.
 */
const FIXTURES: Expected[] = [
  // Sound Devices 702T, 23.976 NDF (iXML 24000/1001, NDF). 2190940753 = 1094376 × 2002 + 1 samples, i.e. frame
  // 1094376 plus one sample; labelled at 24 frames per timecode second that is 45599 s → 12:39:59:00. (45644.6 s
  // of real time since midnight: at 23.976 the timecode runs 0.1 % slow, so it reads 45.6 s behind the clock.)
  { file: 'bwf-sounddevices702T-A101_1-2398ndf-poly.wav', timeReference: 2190940753n, sampleRate: 48000, fps: '23.976', startTimecode: '12:39:59:00', startSeconds: 2190940753 / 48000 },
  { file: 'bwf-sounddevices702T-A101_1_1-mono-split.wav', timeReference: 2190940753n, sampleRate: 48000, fps: '23.976', startTimecode: '12:39:59:00', startSeconds: 2190940753 / 48000 },
  // Take 3: 2191661476 = 1094736 × 2002 + 4 → 1094736 / 24 = 45614 s → 12:40:14:00.
  { file: 'bwf-sounddevices702T-A101_3-2398ndf.wav', timeReference: 2191661476n, sampleRate: 48000, fps: '23.976', startTimecode: '12:40:14:00', startSeconds: 2191661476 / 48000 },
  // Zoom F8, 25 fps: 3917280000 / 48000 = 81610 s exactly = 22:40:10:00.
  { file: 'bwf-zoomF8-Scene_1_2AG-T001_Tr1-25fps.wav', timeReference: 3917280000n, sampleRate: 48000, fps: '25', startTimecode: '22:40:10:00', startSeconds: 81610 },
  // Metacorder, 25 fps: 2354414956 / 48000 = 49050.3115833 s (13:37:30.3116), frame 1226257 + 0.7896 →
  // 13:37:30:07 (rounded down: the file starts 79 % of the way into frame :07).
  ...[
    'bwf-metacorder-Sr001-2C-01_01-25fps-ixtc.wav',
    'bwf-metacorder-Sr001-2C-01_02-25fps-fileset.wav',
    'bwf-metacorder-Sr001-2C-01_03-25fps-fileset.wav',
    'bwf-metacorder-Sr001-2C-01_04-25fps-fileset.wav',
    'bwf-metacorder-Sr001-2C-01_05-25fps-fileset.wav',
  ].map((file) => ({ file, timeReference: 2354414956n, sampleRate: 48000, fps: '25', startTimecode: '13:37:30:07', startSeconds: 2354414956 / 48000 })),
  // Pro Tools: bext only, 676200 / 44100 = 15.333 s; no iXML, so no rate and no start timecode.
  { file: 'bwf-protools-umid-44k1.wav', timeReference: 676200n, sampleRate: 44100, fps: null, startTimecode: null, startSeconds: 676200 / 44100 },
  // Zoom H4n: bext only, 3094800000 / 48000 = 64475 s = 17:54:35 (no rate → no frames).
  { file: 'bwf-zoomH4n-STE-000-cue.wav', timeReference: 3094800000n, sampleRate: 48000, fps: null, startTimecode: null, startSeconds: 64475 },
  // Zoom F6, 24 fps NDF: whole seconds since midnight.
  { file: 'ltc-bwf-zoomF6-1-24bit-vxlr-mic.wav', timeReference: 2965584000n, sampleRate: 48000, fps: '24', startTimecode: '17:09:43:00', startSeconds: 61783 },
  { file: 'ltc-bwf-zoomF6-2-f32-vxlr-mic.wav', timeReference: 2967744000n, sampleRate: 48000, fps: '24', startTimecode: '17:10:28:00', startSeconds: 61828 },
  { file: 'ltc-bwf-zoomF6-4-f32-vxlrplus-pp-mic.wav', timeReference: 2971680000n, sampleRate: 48000, fps: '24', startTimecode: '17:11:50:00', startSeconds: 61910 },
  { file: 'ltc-bwf-zoomF6-5-f32-vxlrplus-nopp-line.wav', timeReference: 2973168000n, sampleRate: 48000, fps: '24', startTimecode: '17:12:21:00', startSeconds: 61941 },
  { file: 'ltc-bwf-zoomF6-6-f32-vxlrplus-pp-line.wav', timeReference: 2973984000n, sampleRate: 48000, fps: '24', startTimecode: '17:12:38:00', startSeconds: 61958 },
  { file: 'ltc-bwf-zoomF6-7-f32-vxlr-line.wav', timeReference: 2975904000n, sampleRate: 48000, fps: '24', startTimecode: '17:13:18:00', startSeconds: 61998 },
];

function fixture(file: string): BwfInfo {
  const info = readBwf(readFileSync(join(REAL, file)));
  expect(info).not.toBeNull();
  return info!;
}

describe('BWF fixtures: the start timecode their provenance gives', () => {
  it.each(FIXTURES)('$file → $startTimecode ($fps fps)', (e) => {
    const info = fixture(e.file);
    expect(info.timeReferenceSamples).toBe(e.timeReference);
    expect(info.timeReferenceSource).toBe('bext');
    expect(info.sampleRate).toBe(e.sampleRate);
    expect(info.fps).toBe(e.fps);
    expect(info.fpsSource).toBe(e.fps ? 'ixml' : null);
    expect(info.startTimecode).toBe(e.startTimecode);
    expect(info.startSeconds).toBeCloseTo(e.startSeconds, 9);
    expect(info.dropFrame).toBe(e.fps ? false : null);
  });

  it('reads the same from the file, touching only its headers', async () => {
    for (const e of FIXTURES) {
      const info = await readBwfFile(join(REAL, e.file));
      expect(info?.startTimecode).toBe(e.startTimecode);
      expect(info?.timeReferenceSamples).toBe(e.timeReference);
    }
  });

  it('Sound Devices: iXML 24000/1001 NDF, project/scene/take/tape, the two track names, the 1-sample offset', () => {
    const info = fixture('bwf-sounddevices702T-A101_1-2398ndf-poly.wav');
    expect(info.originator).toBe('Sound Dev: 702T S#GR1112089007');
    expect(info.originationDate).toBe('2018-12-31');
    expect(info.originationTime).toBe('12:40:00');
    expect(info.ixml).toMatchObject({
      timecodeRate: '24000/1001', timecodeFlag: 'NDF', project: 'BMH', scene: 'A101', take: '1', tape: '18Y12M31',
      fileSetUid: 'USSDVGR1112089007124001008206300', timestampSamplesSinceMidnight: 2190940753n, timestampSampleRate: 48000,
    });
    // No BWF_TIME_REFERENCE_* in this file's iXML (the mono split has them empty).
    expect(info.ixml!.timeReference).toBeNull();
    expect(info.ixml!.tracks.map((t) => t.name)).toEqual(['MKH516 A', 'Boom']);
    expect(info.ixml!.tracks.map((t) => t.interleaveIndex)).toEqual([1, 2]);
    expect(info.startFrameFraction).toBeCloseTo(1 / 2002, 12);
    expect(info.warnings).toEqual([]);
    const split = fixture('bwf-sounddevices702T-A101_1_1-mono-split.wav');
    expect(split.ixml!.timeReference).toBeNull();
    expect(split.ixml!.fileSetTotal).toBe(2);
  });

  it('Metacorder: negative iXML BWF_TIME_REFERENCE_LOW read as unsigned, non-frame-aligned start kept in seconds, iXML after data', () => {
    for (let i = 1; i <= 5; i++) {
      const file = FIXTURES.find((f) => f.file.includes(`01_0${i}`))!.file;
      const info = fixture(file);
      // -1940552340 + 2^32 = 2354414956, the bext TimeReference.
      expect(info.ixml!.timeReference).toBe(2354414956n);
      expect(info.warnings).toEqual([]);
      expect(info.startFrameFraction).toBeCloseTo(0.7895833, 6);
      // Rounded down: the first sample lies inside frame :07, so :07 (not :08).
      expect(info.startTimecode).toBe('13:37:30:07');
      expect(info.originator).toBe('Metacorder Demo'); // the 32-byte field has garbage after its NUL
      expect(info.originationDate).toBe('2019:01:01');
      expect(info.bextVersion).toBe(0);
      expect(info.ixml).toMatchObject({ project: 'WAVINFO Test', scene: '2C', take: '01', tape: 'Sr001', fileSetUid: '1360855285', fileSetIndex: `0${i}`, fileSetTotal: 5, preRecordSamples: 480000 });
    }
    expect(fixture('bwf-metacorder-Sr001-2C-01_01-25fps-ixtc.wav').ixml!.tracks.map((t) => t.name)).toEqual(['Boom']);
  });

  it('Zoom F8 and F6: iXML rate, the PAD chunk before data does not matter', () => {
    const f8 = fixture('bwf-zoomF8-Scene_1_2AG-T001_Tr1-25fps.wav');
    expect(f8.originator).toBe('ZOOM F8');
    expect(f8.ixml).toMatchObject({ timecodeRate: '25/1', timecodeFlag: 'NDF', scene: 'Scene_1_2AG', take: '001' });
    expect(f8.ixml!.tracks).toEqual([{ channelIndex: 3, interleaveIndex: 1, name: 'BOOM', function: null }]);
    const f6 = fixture('ltc-bwf-zoomF6-2-f32-vxlr-mic.wav');
    expect(f6.originator).toBe('ZOOM F6');
    expect(f6.ixml).toMatchObject({ timecodeRate: '24/1', timecodeFlag: 'NDF', scene: '201106', take: '003' });
  });

  it('bext-only files (Pro Tools, H4n): rate unknown unless given, then a start timecode', () => {
    const pt = fixture('bwf-protools-umid-44k1.wav');
    expect(pt.ixml).toBeNull();
    expect(pt.originator).toBe('Pro Tools');
    expect(pt.startSeconds).toBeCloseTo(15.3333333, 6);
    // 15.333 s is not a whole frame at 25 fps: frame 383 + 1/3.
    const pt25 = readBwf(readFileSync(join(REAL, 'bwf-protools-umid-44k1.wav')), { fps: '25' })!;
    expect(pt25.startTimecode).toBe('00:00:15:08');
    expect(pt25.fpsSource).toBe('option');
    expect(pt25.startFrameFraction).toBeCloseTo(1 / 3, 9);
    const h4n = readBwf(readFileSync(join(REAL, 'bwf-zoomH4n-STE-000-cue.wav')), { fps: '25' })!;
    expect(h4n.startTimecode).toBe('17:54:35:00');
    expect(h4n.originator).toBe('ZOOM Handy Recorder H4n');
  });

  it('an fps option that is not a rate is ignored ("auto" silently)', () => {
    const bytes = readFileSync(join(REAL, 'bwf-zoomH4n-STE-000-cue.wav'));
    const auto = readBwf(bytes, { fps: 'auto' })!;
    expect(auto.startTimecode).toBeNull();
    expect(auto.warnings).toEqual([]);
    const bad = readBwf(bytes, { fps: '26' as BwfFps })!;
    expect(bad.startTimecode).toBeNull();
    expect(bad.warnings.join(' ')).toMatch(/not a timecode rate/);
  });

  it('the fps option does not override a rate the file declares', () => {
    const f8 = readBwf(readFileSync(join(REAL, 'bwf-zoomF8-Scene_1_2AG-T001_Tr1-25fps.wav')), { fps: '30' })!;
    expect(f8.fps).toBe('25');
    expect(f8.fpsSource).toBe('ixml');
  });
});

describe('BWF metadata quirks, built by hand', () => {
  it('a negative iXML low word is fixed; a high word carries above 2^32', () => {
    const info = readBwf(wav(fmt(), ixml('<BWF_TIME_REFERENCE_LOW>-1</BWF_TIME_REFERENCE_LOW><BWF_TIME_REFERENCE_HIGH>1</BWF_TIME_REFERENCE_HIGH>'), silence(6)))!;
    expect(info.ixml!.timeReference).toBe((1n << 32n) + 0xffffffffn);
    // No bext: the iXML time reference is used.
    expect(info.timeReferenceSamples).toBeNull();
    expect(info.timeReferenceSource).toBe('ixml');
    expect(info.startSeconds).toBeCloseTo(Number((1n << 32n) + 0xffffffffn) / 48000, 6);
  });

  it('bext wins when bext and iXML disagree, with a warning', () => {
    const info = readBwf(wav(bext(48000n), fmt(), ixml('<BWF_TIME_REFERENCE_LOW>96000</BWF_TIME_REFERENCE_LOW><SPEED><TIMECODE_RATE>25/1</TIMECODE_RATE></SPEED>'), silence(6)))!;
    expect(info.startTimecode).toBe('00:00:01:00');
    expect(info.warnings.join(' ')).toMatch(/disagree/);
  });

  it('64-bit bext TimeReference (high word set) stays exact', () => {
    const tr = (3n << 32n) + 5n;
    const info = readBwf(wav(bext(tr), fmt(), silence(6)))!;
    expect(info.timeReferenceSamples).toBe(tr);
  });

  it('29.97 drop-frame from iXML 30000/1001 + DF, with ";" before the frames', () => {
    // 10 minutes of drop-frame = 17982 frames of 1601.6 samples at 48 kHz: frame 17982 starts inside sample 28799923.
    const tenMinutes = (17982n * 1001n * 48000n + 29999n) / 30000n; // 28799924, the first sample of frame 17982
    const x = '<SPEED><TIMECODE_RATE>30000/1001</TIMECODE_RATE><TIMECODE_FLAG>DF</TIMECODE_FLAG></SPEED>';
    const info = readBwf(wav(bext(tenMinutes), fmt(), ixml(x), silence(6)))!;
    expect(info.fps).toBe('29.97df');
    expect(info.dropFrame).toBe(true);
    expect(info.startTimecode).toBe('00:10:00;00');
    // One minute in: 1798 frames → 00:01:00;02 (labels ;00 and ;01 are skipped).
    const oneMinute = (1800n * 1001n * 48000n) / 30000n; // 1800 frames
    expect(readBwf(wav(bext(oneMinute), fmt(), ixml(x), silence(6)))!.startTimecode).toBe('00:01:00;02');
  });

  it('29.97 NDF and a DF flag on a rate without drop-frame', () => {
    const ndf = readBwf(wav(bext(48048n), fmt(), ixml('<TIMECODE_RATE>30000/1001</TIMECODE_RATE><TIMECODE_FLAG>NDF</TIMECODE_FLAG>'), silence(6)))!;
    expect(ndf.fps).toBe('29.97');
    expect(ndf.startTimecode).toBe('00:00:01:00'); // 48048 samples = 30 frames of 1601.6
    const bogus = readBwf(wav(bext(0n), fmt(), ixml('<TIMECODE_RATE>25/1</TIMECODE_RATE><TIMECODE_FLAG>DF</TIMECODE_FLAG>'), silence(6)))!;
    expect(bogus.fps).toBe('25');
    expect(bogus.startTimecode).toBe('00:00:00:00');
    expect(bogus.warnings.join(' ')).toMatch(/no drop-frame/);
  });

  it('unknown or odd iXML: no rate, entities decoded, attributes tolerated', () => {
    const info = readBwf(wav(bext(0n), fmt(), ixml('<PROJECT a="1">Tom &amp; Jerry</PROJECT><TIMECODE_RATE>fast</TIMECODE_RATE>'), silence(6)))!;
    expect(info.ixml!.project).toBe('Tom & Jerry');
    expect(info.fps).toBeNull();
    expect(info.startTimecode).toBeNull();
    expect(info.startSeconds).toBe(0);
    expect(info.warnings.join(' ')).toMatch(/not a rate/);
  });

  it('a time reference past 24 hours wraps, with a warning', () => {
    const info = readBwf(wav(bext(25n * 3600n * 48000n), fmt(), ixml('<TIMECODE_RATE>25/1</TIMECODE_RATE>'), silence(6)))!;
    expect(info.startTimecode).toBe('01:00:00:00');
    expect(info.warnings.join(' ')).toMatch(/wraps/);
  });

  it('a bext chunk too short for a TimeReference, and files without BWF metadata', () => {
    const short = readBwf(wav(chunk('bext', new Uint8Array(300)), fmt(), silence(6)))!;
    expect(short.timeReferenceSamples).toBeNull();
    expect(short.startSeconds).toBeNull();
    expect(short.warnings.join(' ')).toMatch(/too short/);
    expect(readBwf(wav(fmt(), silence(6)))).toBeNull();
    expect(readBwf(Buffer.from('not a wav file at all'))).toBeNull();
    expect(readBwf(new Uint8Array(0))).toBeNull();
  });

  it('a bext after the data chunk and coding history are read', () => {
    const info = readBwf(wav(fmt(), silence(7), bext(96000n, { codingHistory: 'A=PCM,F=48000,W=24\r\n' }), ixml('<TIMECODE_RATE>24/1</TIMECODE_RATE>')))!;
    expect(info.startTimecode).toBe('00:00:02:00');
    expect(info.codingHistory).toBe('A=PCM,F=48000,W=24');
  });
});

describe('timecode arithmetic', () => {
  it('parses the rates iXML writers use', () => {
    expect(parseRateText('24000/1001')).toEqual({ num: 24000, den: 1001 });
    expect(parseRateText('25/1')).toEqual({ num: 25, den: 1 });
    expect(parseRateText('50/2')).toEqual({ num: 25, den: 1 });
    expect(parseRateText('29.97')).toEqual({ num: 30000, den: 1001 });
    expect(parseRateText('23.976')).toEqual({ num: 24000, den: 1001 });
    expect(parseRateText('30')).toEqual({ num: 30, den: 1 });
    expect(parseRateText('0/1')).toBeNull();
    expect(parseRateText('')).toBeNull();
  });

  const SMPTE_RATES: [BwfFps, Timecode.FRAMERATE, boolean][] = [
    ['23.976', 23.976, false], ['24', 24, false], ['25', 25, false], ['29.97', 29.97, false], ['29.97df', 29.97, true], ['30', 30, false],
    ['50', 50, false], ['59.94df', 59.94, true], ['60', 60, false],
  ];

  it('labels every frame of a day the way smpte-timecode does (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMPTE_RATES), fc.nat({ max: 5_178_815 }), ([fps, smpteRate, df], n) => {
        const rate = rateFromFps(fps);
        const day = df ? (fps === '59.94df' ? 5_178_816 : 2_589_408) : Math.round(rate.num / rate.den) * 86400;
        const frame = n % day;
        const ours = frameLabel(frame, rate);
        const theirs = new Timecode(frame, smpteRate, df).toString();
        expect(ours).toBe(theirs);
      }),
      { numRuns: 2000 },
    );
  });

  it('the start frame is floor(samples × fps / rate) and the fraction is what is left (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom<BwfFps>('23.976', '24', '25', '29.97', '29.97df', '30'), fc.constantFrom(44100, 48000, 96000), fc.bigInt({ min: 0n, max: 86_399n * 96_000n }), (fps, sr, samples) => {
        const rate = rateFromFps(fps);
        const t = timecodeAtSample(samples, sr, rate);
        const exact = (Number(samples) * rate.num) / (rate.den * sr);
        expect(Number.isInteger(t.frame)).toBe(true);
        expect(t.fraction).toBeGreaterThanOrEqual(0);
        expect(t.fraction).toBeLessThan(1);
        // frame + fraction = the exact position in frames, with 0 ≤ fraction < 1: frame is the floor.
        expect(t.frame + t.fraction).toBeCloseTo(exact, 6);
        expect(t.timecode).toBe(frameLabel(t.frame, rate));
      }),
      { numRuns: 1000 },
    );
  });

  it('bwfFromChunks takes iXML text directly', () => {
    const info = bwfFromChunks(null, '<BWFXML><TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>96000</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO><TIMECODE_RATE>48/1</TIMECODE_RATE></BWFXML>', 48000)!;
    expect(info.timeReferenceSource).toBe('ixml');
    expect(info.startTimecode).toBe('00:00:02:00');
    expect(info.fps).toBe('48');
  });
});
