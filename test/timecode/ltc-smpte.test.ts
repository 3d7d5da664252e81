import fc from 'fast-check';
import Timecode from 'smpte-timecode';
import { describe, expect, it } from 'vitest';
import {
  LTC_RATES,
  formatTimecode,
  frameDelta,
  framesPerDay,
  framesToFields,
  framesToTimecode,
  isDropFrame,
  isLtcRate,
  isValidTimecode,
  nextTimecode,
  nominalFps,
  parseTimecode,
  rateInfo,
  rateName,
  realFps,
  timecodeToFrames,
  toSmpteTimecode,
  type LtcRate,
} from '../../src/timecode/smpte.js';

const rateArb = fc.constantFrom(...LTC_RATES);

describe('SMPTE timecode arithmetic', () => {
  it('knows the rates', () => {
    expect(LTC_RATES).toEqual(['23.976', '24', '25', '29.97df', '29.97', '30', '30df']);
    expect(rateInfo('23.976')).toEqual({ nominalFps: 24, realFps: 24000 / 1001, dropFrame: false });
    expect(rateInfo('29.97df')).toEqual({ nominalFps: 30, realFps: 30000 / 1001, dropFrame: true });
    expect(LTC_RATES.map(nominalFps)).toEqual([24, 24, 25, 30, 30, 30, 30]);
    expect(rateInfo('30df')).toEqual({ nominalFps: 30, realFps: 30, dropFrame: true });
    expect(rateName('30df')).toBe('30 (drop-frame flag)');
    expect(rateName('29.97df')).toBe('29.97df');
    expect(realFps('25')).toBe(25);
    expect(LTC_RATES.filter(isDropFrame)).toEqual(['29.97df', '30df']);
    expect(isLtcRate('29.97df')).toBe(true);
    expect(isLtcRate('59.94')).toBe(false);
    expect(framesPerDay('25')).toBe(2_160_000);
    expect(framesPerDay('29.97df')).toBe(2_589_408);
  });

  it('formats and parses HH:MM:SS:FF, with ";" for drop-frame', () => {
    expect(formatTimecode({ hours: 1, minutes: 2, seconds: 3, frames: 4 })).toBe('01:02:03:04');
    expect(formatTimecode({ hours: 1, minutes: 2, seconds: 3, frames: 4 }, true)).toBe('01:02:03;04');
    expect(parseTimecode('01:02:03;04')).toEqual({ hours: 1, minutes: 2, seconds: 3, frames: 4, dropFrame: true });
    expect(parseTimecode('23:59:59.29')).toEqual({ hours: 23, minutes: 59, seconds: 59, frames: 29, dropFrame: false });
    expect(() => parseTimecode('1:2:3:4')).toThrow();
    expect(() => parseTimecode('garbage')).toThrow();
  });

  it('counts drop-frame labels: ;00 and ;01 skipped each minute but every tenth', () => {
    expect(timecodeToFrames('00:00:59;29', '29.97df')).toBe(1799);
    expect(timecodeToFrames('00:01:00;02', '29.97df')).toBe(1800);
    expect(timecodeToFrames('00:10:00;00', '29.97df')).toBe(17982);
    expect(timecodeToFrames('01:00:00;00', '29.97df')).toBe(107892);
    expect(nextTimecode('00:00:59;29', '29.97df')).toBe('00:01:00;02');
    expect(nextTimecode('00:09:59;29', '29.97df')).toBe('00:10:00;00');
    expect(nextTimecode('00:01:00;02', '29.97df', -1)).toBe('00:00:59;29');
    expect(isValidTimecode({ hours: 0, minutes: 1, seconds: 0, frames: 0 }, '29.97df')).toBe(false);
    expect(isValidTimecode({ hours: 0, minutes: 1, seconds: 0, frames: 0 }, '29.97')).toBe(true);
    expect(() => timecodeToFrames('00:01:00;01', '29.97df')).toThrow();
  });

  it('wraps at midnight both ways', () => {
    expect(nextTimecode('23:59:59:24', '25')).toBe('00:00:00:00');
    expect(nextTimecode('00:00:00:00', '25', -1)).toBe('23:59:59:24');
    expect(framesToTimecode(-1, '29.97df')).toBe('23:59:59;29');
    expect(framesToTimecode(framesPerDay('24') + 5, '24')).toBe('00:00:00:05');
    expect(frameDelta(timecodeToFrames('23:59:59:23', '24'), timecodeToFrames('00:00:00:01', '24'), '24')).toBe(2);
    expect(frameDelta(timecodeToFrames('00:00:00:01', '24'), timecodeToFrames('23:59:59:23', '24'), '24')).toBe(-2);
  });

  it('rejects labels that do not exist at the rate', () => {
    expect(() => timecodeToFrames('24:00:00:00', '25')).toThrow();
    expect(() => timecodeToFrames('00:60:00:00', '25')).toThrow();
    expect(() => timecodeToFrames('00:00:00:25', '25')).toThrow();
    expect(() => timecodeToFrames('00:00:00:24', '24')).toThrow();
    expect(timecodeToFrames('00:00:00:29', '30')).toBe(29);
  });

  it('frame count <-> timecode round-trips at every rate', () => {
    fc.assert(
      fc.property(rateArb, fc.integer({ min: -3_000_000, max: 6_000_000 }), (rate, n) => {
        const tc = framesToTimecode(n, rate);
        const back = timecodeToFrames(tc, rate);
        const perDay = framesPerDay(rate);
        expect(back).toBe(((n % perDay) + perDay) % perDay);
        expect(isValidTimecode(framesToFields(n, rate), rate)).toBe(true);
        expect(nextTimecode(tc, rate)).toBe(framesToTimecode(n + 1, rate));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with smpte-timecode', () => {
    fc.assert(
      fc.property(rateArb, fc.integer({ min: 0, max: 2_000_000 }), (rate: LtcRate, n) => {
        const count = n % framesPerDay(rate);
        const tc = framesToTimecode(count, rate);
        const theirs = toSmpteTimecode(tc, rate);
        expect(theirs.frameCount).toBe(count);
        expect(theirs.toString()).toBe(tc);
        const fr = rate === '23.976' ? [24000, 1001] : rate.startsWith('29.97') || rate === '30df' ? [30000, 1001] : Number(rate);
        expect(Timecode(count, fr as Timecode.FRAMERATE, isDropFrame(rate)).toString()).toBe(tc);
      }),
      { numRuns: 1000 },
    );
  });
});
