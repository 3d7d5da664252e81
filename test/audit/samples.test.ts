import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Truth } from '../../src/capture/truth.js';
import { auditDir, lsqRatePpm, TICK_US } from './helpers.js';

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');
const takes = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(join(SAMPLES, name, 'truth.json'), 'utf8')) as Truth;
}

describe('the audit recovers the truth of every sample take', () => {
  for (const name of takes) {
    describe(name, () => {
      const truth = truthOf(name);
      const audit = auditDir(join(SAMPLES, name));
      const bySerial = (serial: string) => audit.sensors.find((s) => s.serial === serial)!;

      it('finds every drop with its frame index', () => {
        for (const t of truth.sensors) {
          expect(bySerial(t.serial).drops.map((d) => [d.frameIndex, d.count])).toEqual(t.drops.map((d) => [d.frameIndex, d.count]));
        }
      });

      it('measures clock rates within 0.1 ppm of a least-squares fit of the same timestamps', () => {
        for (const t of truth.sensors) {
          const fit = lsqRatePpm(t.frames.index, t.frames.colorUs, truth.nominalPeriodUs);
          expect(Math.abs(bySerial(t.serial).clockRatePpm! - fit)).toBeLessThan(0.1);
        }
      });

      it('measures the offsets of sensors sharing a time base within one 90 kHz tick of the truth', () => {
        const ref = truth.sensors.find((s) => s.serial === audit.reference)!;
        for (const t of truth.sensors) {
          const s = bySerial(t.serial);
          // A sensor that stops following the pulses has no fixed offset to recover.
          if (!s.offset?.aligned || (t.role === 'subordinate' && !t.locked)) continue;
          expect(Math.abs(s.offset.measuredUs! - (t.subordinateDelayEffectiveUs - ref.subordinateDelayEffectiveUs))).toBeLessThan(TICK_US);
          const depthTruth = t.subordinateDelayEffectiveUs + t.depthDelayEffectiveUs - ref.subordinateDelayEffectiveUs - ref.depthDelayEffectiveUs;
          expect(Math.abs(s.depthOffset!.measuredUs! - depthTruth)).toBeLessThan(TICK_US);
        }
      });

      it('calls lock as the truth has it, and never claims lock for a sensor that lost it', () => {
        for (const t of truth.sensors.filter((x) => x.role === 'subordinate')) {
          const s = bySerial(t.serial);
          if (t.locked) expect(s.locked).not.toBe(false);
          else expect(s.locked).toBe(false);
        }
      });
    });
  }

  it('daisy-chain: only the burst of drops is reported; no false alarm', () => {
    const a = auditDir(join(SAMPLES, 'daisy-chain'));
    expect(a.verdict).toBe('WARN');
    const raised = a.checks.filter((c) => c.status === 'WARN' || c.status === 'FAIL');
    expect(raised.map((c) => [c.id, c.sensor])).toEqual([['drops', '000100000002']]);
  });

  it('generator-sync-lost: the sensor that loses sync part-way is found and named, near the frame it happened', () => {
    const a = auditDir(join(SAMPLES, 'generator-sync-lost'));
    const lost = a.sensors.find((s) => s.serial === '000200000004')!;
    // A single fit over the take looks like an ordinary crystal; the bend gives it away.
    expect(Math.abs(lost.clockRatePpm!)).toBeLessThan(40);
    expect(lost.locked).toBe(false);
    expect(Math.abs(lost.lockLostAtFrame! - 120)).toBeLessThanOrEqual(5);
    const lock = a.checks.find((c) => c.id === 'lock' && c.sensor === '000200000004')!;
    expect(lock.status).toBe('FAIL');
    expect(lock.remedy).toMatch(/000200000004/);
    expect(a.checks.filter((c) => c.status === 'FAIL').every((c) => c.sensor === '000200000004')).toBe(true);
  });

  it('star-wrong-order: the late subordinate is a whole number of frame periods off, explained as start order', () => {
    const truth = truthOf('star-wrong-order');
    const a = auditDir(join(SAMPLES, 'star-wrong-order'));
    const late = truth.sensors.find((s) => s.zeroPulse > 0)!;
    const s = a.sensors.find((x) => x.serial === late.serial)!;
    expect(s.offset!.frameShift).toBe(-late.zeroPulse);
    const c = a.checks.find((x) => x.id === 'offset' && x.sensor === late.serial)!;
    expect(c.status).toBe('FAIL');
    expect(c.message).toMatch(/start-order/);
    expect(c.remedy).toMatch(/before the master/);
    const onTime = truth.sensors.find((x) => x.role === 'subordinate' && x.zeroPulse === 0)!;
    expect(a.sensors.find((x) => x.serial === onTime.serial)!.offset!.aligned).toBe(true);
  });

  it('standalone-pair: no wired sync, and said so', () => {
    const a = auditDir(join(SAMPLES, 'standalone-pair'));
    expect(a.verdict).toBe('FAIL');
    expect(a.checks.find((c) => c.id === 'roles')!.message).toMatch(/STANDALONE/);
    expect(a.checks.find((c) => c.id === 'offset')!.message).toMatch(/do not share a time base/);
  });
});
