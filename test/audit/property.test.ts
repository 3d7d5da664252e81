import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTake } from '../../src/capture/simulate.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { auditDir } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let run = 0;

/** Crystal errors clearly away from the source's, so that lock shows in the rate (a 0.3 ppm sub is honestly ambiguous). */
const crystal = fc.oneof(fc.double({ min: -40, max: -4, noNaN: true }), fc.double({ min: 4, max: 40, noNaN: true }));
const serial = (i: number) => `0009000000${String(i).padStart(2, '0')}`;

interface RigPlan {
  generator: boolean;
  crystals: number[];
  jitterTicks: number;
  drops: { sensor: number; frame: number; count: number } | null;
  seed: number;
}

const rigPlan = fc.record({
  generator: fc.boolean(),
  crystals: fc.array(crystal, { minLength: 2, maxLength: 4 }),
  jitterTicks: fc.integer({ min: 0, max: 3 }),
  drops: fc.option(fc.record({ sensor: fc.nat(3), frame: fc.integer({ min: 20, max: 250 }), count: fc.integer({ min: 1, max: 4 }) }), { nil: null }),
  seed: fc.nat(1_000_000),
});

function rigJson(p: RigPlan, extra: (sensors: Record<string, unknown>[]) => void = () => {}) {
  const sensors: Record<string, unknown>[] = p.crystals.map((ppm, i) => ({
    serial: serial(i),
    role: p.generator || i > 0 ? 'subordinate' : 'master',
    syncIn: i === 0 ? (p.generator ? 'generator' : null) : serial(i - 1),
    // In a master rig the master's crystal is the reference: keep every subordinate clear of it too.
    crystalPpm: !p.generator && i > 0 ? ppm + (ppm > 0 ? 45 : -45) : ppm,
    depthDelayUs: 160 * i,
  }));
  if (p.drops && p.drops.sensor < sensors.length) sensors[p.drops.sensor]!.drops = [{ frame: p.drops.frame, count: p.drops.count }];
  extra(sensors);
  return {
    seed: p.seed,
    jitterTicks: p.jitterTicks,
    imu: false,
    sync: p.generator ? { source: 'generator', rateHz: 30 } : { source: 'master' },
    sensors,
  };
}

async function simulateAndAudit(json: object, frames: number) {
  const out = join(tmp, `rig-${run++}`);
  const take = await simulateTake(parseRig(json), { out, frames, payload: 'tiny' });
  const audit = auditDir(out);
  rmSync(out, { recursive: true, force: true });
  return { truth: take.truth, audit };
}

const RUNS = Number(process.env.K4S_PROPERTY_RUNS ?? 12);

describe('random rigs through the simulated rig: verdicts match the truth', () => {
  it('a rig wired and started right raises nothing but its drops, and every drop is found', async () => {
    await fc.assert(
      fc.asyncProperty(rigPlan, async (p) => {
        const { truth, audit } = await simulateAndAudit(rigJson(p), 300);
        const raised = audit.checks.filter((c) => c.status === 'WARN' || c.status === 'FAIL');
        expect(raised.filter((c) => c.id !== 'drops')).toEqual([]);
        for (const t of truth.sensors) {
          const s = audit.sensors.find((x) => x.serial === t.serial)!;
          expect(s.drops.map((d) => [d.frameIndex, d.count])).toEqual(t.drops.map((d) => [d.frameIndex, d.count]));
          if (t.role === 'subordinate') expect(s.locked).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a subordinate started after the master is a start-order fault of exactly the pulses it missed', async () => {
    await fc.assert(
      fc.asyncProperty(rigPlan, fc.integer({ min: 40, max: 200 }), async (p, stepMs) => {
        const plan = { ...p, generator: false, drops: null };
        const json = { ...rigJson(plan), host: { stepMs }, startOrder: plan.crystals.map((_, i) => serial(i)).reverse() };
        // Reversed order: the first subordinate now starts right after the master; the later ones before it.
        json.startOrder = [...json.startOrder.slice(0, -2), serial(0), serial(1)];
        const { truth, audit } = await simulateAndAudit(json, 240);
        const late = truth.sensors.find((s) => s.serial === serial(1))!;
        expect(late.zeroPulse).toBeGreaterThan(0);
        const s = audit.sensors.find((x) => x.serial === late.serial)!;
        expect(s.offset!.frameShift).toBe(-late.zeroPulse);
        expect(audit.checks.find((c) => c.id === 'offset' && c.sensor === late.serial)!.status).toBe('FAIL');
        for (const t of truth.sensors.filter((x) => x.role === 'subordinate' && x.zeroPulse === 0)) {
          expect(audit.sensors.find((x) => x.serial === t.serial)!.offset!.aligned).toBe(true);
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('a subordinate that loses sync part-way is named, near the frame it happened', async () => {
    await fc.assert(
      // Where the bend is can only be told to within (jitter / rate change) frames: keep the change well above noise.
      fc.asyncProperty(rigPlan, fc.integer({ min: 120, max: 280 }), fc.double({ min: 20, max: 40, noNaN: true }), fc.boolean(), async (p, at, ppm, negative) => {
        const plan = { ...p, generator: true, drops: null };
        const victim = plan.crystals.length - 1;
        plan.crystals = plan.crystals.map((c, i) => (i === victim ? (negative ? -ppm : ppm) : c));
        const json = rigJson(plan, (sensors) => {
          sensors[victim]!.unlockAtFrame = at;
        });
        const { audit } = await simulateAndAudit(json, 400);
        const s = audit.sensors.find((x) => x.serial === serial(victim))!;
        expect(s.locked).toBe(false);
        // A bend is located to about (jitter / rate change per frame) frames: jitter blurs where two lines meet.
        const blur = ((plan.jitterTicks + 1) * (100 / 9)) / (ppm * 1e-6 * (1e6 / 30)); // +1: timestamps are truncated to ticks
        expect(Math.abs(s.lockLostAtFrame! - at)).toBeLessThanOrEqual(5 + blur);
        expect(audit.verdict).toBe('FAIL');
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('a generator at 29.97 instead of 30 fails the take on the generator, not on the sensors', async () => {
    await fc.assert(
      fc.asyncProperty(rigPlan, async (p) => {
        const json = { ...rigJson({ ...p, generator: true, drops: null }), sync: { source: 'generator', rateHz: 29.97 } };
        const { audit } = await simulateAndAudit(json, 240);
        const g = audit.checks.find((c) => c.id === 'generator-rate')!;
        expect(g.status).toBe('FAIL');
        expect(Number(g.value)).toBeCloseTo(29.97, 2);
        for (const s of audit.sensors) expect(s.clockRatePpm!).toBeGreaterThan(900);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
