import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SDK_WRITTEN } from '../fixtures.js';
import { auditDir, TICK_US } from './helpers.js';

describe('takes written by the SDK itself', () => {
  it('daisy-clean audits PASS with no warning, with the rates, offsets and window its README states', () => {
    const a = auditDir(join(SDK_WRITTEN, 'daisy-clean'));
    expect(a.verdict).toBe('PASS');
    expect(a.checks.filter((c) => c.status === 'WARN' || c.status === 'FAIL')).toEqual([]);
    const [m, s1, s2] = a.sensors;
    expect(m!.role).toBe('master');
    // Rates relative to the master: 0 / -19.00 / -9.00 ppm (the subordinates' crystals against the master's).
    expect(m!.clockRatePpm!).toBeCloseTo(0, 0);
    expect(s1!.clockRatePpm! - m!.clockRatePpm!).toBeCloseTo(-19, 0);
    expect(s2!.clockRatePpm! - m!.clockRatePpm!).toBeCloseTo(-9, 0);
    for (const s of a.sensors) expect(s.drops).toEqual([]);
    // Colour offsets 0, depth offsets 155.56 / 311.11 µs: within one 90 kHz tick.
    expect(Math.abs(s1!.offset!.measuredUs!)).toBeLessThan(TICK_US);
    expect(Math.abs(s2!.offset!.measuredUs!)).toBeLessThan(TICK_US);
    expect(Math.abs(s1!.depthOffset!.measuredUs! - 1400 / 9)).toBeLessThan(TICK_US);
    expect(Math.abs(s2!.depthOffset!.measuredUs! - 2800 / 9)).toBeLessThan(TICK_US);
    expect(s1!.locked).toBe(true);
    expect(s2!.locked).toBe(true);
    // The start-up frames the firmware drops are not drops; they lie outside the window (pulses 7-599).
    expect(a.window!.frames).toBe(593);
    expect(m!.window).toEqual({ framesBefore: 5, framesAfter: 0 });
  });

  it('take-A: the drops of its third file, the rates, and time bases that do not match', () => {
    const truth = JSON.parse(readFileSync(join(SDK_WRITTEN, 'take-A/take-A.truth.json'), 'utf8'));
    const a = auditDir(join(SDK_WRITTEN, 'take-A'));
    expect(a.verdict).toBe('FAIL');
    expect(a.sensors[2]!.drops).toEqual([expect.objectContaining({ frameIndex: 100, count: 2 })]);
    expect(a.sensors[0]!.drops).toEqual([]);
    const [d0, d1, d2] = truth.sensors.map((s: { drift_ppm: number }) => s.drift_ppm * 1e-6);
    expect(a.sensors[1]!.clockRatePpm!).toBeCloseTo(((1 + d1) / (1 + d0) - 1) * 1e6, 0);
    expect(a.sensors[2]!.clockRatePpm!).toBeCloseTo(((1 + d2) / (1 + d0) - 1) * 1e6, 0);
    const offsets = a.checks.filter((c) => c.id === 'offset');
    expect(offsets.map((c) => c.status)).toEqual(['FAIL', 'FAIL']);
    for (const c of offsets) expect(c.message).toMatch(/time bases? do(es)? not match|do not share a time base/);
  });

  it('take-C: two standalone sensors, free-running, with unrelated time bases', () => {
    const a = auditDir(join(SDK_WRITTEN, 'take-C'));
    expect(a.verdict).toBe('FAIL');
    expect(a.syncSource).toBe('none');
    for (const s of a.sensors) {
      expect(s.drops).toEqual([]);
      expect(Math.abs(s.clockRatePpm!)).toBeLessThan(4 * s.clockRateStdErrPpm! + 0.1);
    }
    expect(a.checks.find((c) => c.id === 'offset')!.message).toMatch(/do not share a time base/);
    expect(a.checks.find((c) => c.id === 'roles')!.status).toBe('FAIL');
  });
});
