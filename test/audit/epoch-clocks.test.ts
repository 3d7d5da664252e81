import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTake } from '../../src/capture/simulate.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { auditTake, DEFAULT_THRESHOLDS, sensorInput, type TakeAudit } from '../../src/audit/index.js';
import { MemorySource, readRecordingFrom } from '../../src/recording/index.js';
import { buildK4a } from '../helpers/mkv-builder.js';
import { auditDir, TICK_US } from './helpers.js';

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');

/** A Femto Bolt's first frame as the K4A wrapper reported it (µs since 1970, firmware 1.1.2). */
const EPOCH_US = 1_730_796_756_988_167;
const PERIOD_US = 1e6 / 30;

interface SensorPlan {
  serial: string;
  role: 'MASTER' | 'SUBORDINATE';
  /** Crystal rate against the master's, ppm. */
  ppm: number;
  /** The value its clock was set to when the rig's clocks were set (the epoch origin; another for a failed reset). */
  originUs: number;
  /** The pulse (counted from the clocks' setting) of its first recorded frame. */
  firstPulse: number;
  frames: number;
  depthDelayUs?: number;
}

/**
 * One sensor locked to the master's pulses, its clock set to `originUs` at pulse 0 and running at its crystal's rate:
 * pulse k reads originUs + k·P·(1 + ppm) on its clock (truncated to whole µs by the 90 kHz counter's tick rounding).
 */
function sensor(p: SensorPlan) {
  const scale = 1 + p.ppm * 1e-6;
  const built = buildK4a({
    frames: p.frames,
    firstColorUs: p.originUs + Math.floor(p.firstPulse * PERIOD_US * scale),
    periodTicks: 3000 * scale,
    syncMode: p.role,
    serial: p.serial,
    depthDelayUs: p.depthDelayUs ?? 0,
    imu: false,
  }).built;
  return sensorInput(`${p.serial}.mkv`, readRecordingFrom(new MemorySource(built.bytes), `${p.serial}.mkv`, { imuSamples: false }));
}

function audit(plans: SensorPlan[]): TakeAudit {
  return auditTake(plans.map(sensor), { take: 'femto', thresholds: DEFAULT_THRESHOLDS, version: 'test' });
}

const rig = (over: Partial<Record<string, Partial<SensorPlan>>> = {}): SensorPlan[] => [
  { serial: 'CL8F25300A1', role: 'MASTER', ppm: 0, originUs: EPOCH_US, firstPulse: 2, frames: 300, ...over['CL8F25300A1'] },
  { serial: 'CL8F25300A2', role: 'SUBORDINATE', ppm: -19, originUs: EPOCH_US, firstPulse: 7, frames: 295, depthDelayUs: 160, ...over['CL8F25300A2'] },
  { serial: 'CL8F25300A3', role: 'SUBORDINATE', ppm: 23, originUs: EPOCH_US, firstPulse: 7, frames: 295, depthDelayUs: 320, ...over['CL8F25300A3'] },
];

const check = (a: TakeAudit, id: string, serial: string) => a.checks.find((c) => c.id === id && c.sensor === serial);

describe('device clocks that count from the Unix epoch (Orbbec Femto)', () => {
  it('pairs the sensors and measures their offsets within a tick of the truth (0 µs), as on clocks that start at zero', () => {
    const a = audit(rig());
    expect(a.verdict).toBe('PASS');
    for (const serial of ['CL8F25300A2', 'CL8F25300A3']) {
      const o = a.sensors.find((s) => s.serial === serial)!.offset!;
      expect(o.aligned, serial).toBe(true);
      expect(o.frameShift).toBe(0);
      expect(Math.abs(o.measuredUs! - o.expectedUs)).toBeLessThan(TICK_US);
      expect(check(a, 'offset', serial)!.status).toBe('PASS');
    }
    // Crystal rates are measured on epoch clocks as on any other.
    const sub = a.sensors.find((s) => s.serial === 'CL8F25300A3')!;
    expect(Math.abs(sub.clockRatePpm! - 23)).toBeLessThan(1);
    expect(a.window!.frames).toBeGreaterThan(280);
  });

  it('the same rig on clocks that start at zero measures the same offsets, but for the unknown moment the clocks were set', () => {
    const zero = rig(Object.fromEntries(['CL8F25300A1', 'CL8F25300A2', 'CL8F25300A3'].map((s) => [s, { originUs: 0 }])));
    const [a, b] = [audit(rig()), audit(zero)];
    for (const serial of ['CL8F25300A2', 'CL8F25300A3']) {
      const [oa, ob] = [a, b].map((x) => x.sensors.find((s) => s.serial === serial)!.offset!);
      // Rates apply about the first frame on epoch clocks (the setting itself is not recorded): 2 pulses (67 ms)
      // after it here, which moves an offset by 67 ms times the rate difference (≤ 23 ppm): 1.5 µs at most.
      expect(Math.abs(oa!.measuredUs! - ob!.measuredUs!)).toBeLessThan(2 * PERIOD_US * 23e-6 + 0.5);
    }
  });

  it('a subordinate whose recorder started 2.5 s before the master\'s (and stopped before it) is in step, not shifted', () => {
    const a = audit(rig({ CL8F25300A2: { firstPulse: -73, frames: 300 } }));
    const o = a.sensors.find((s) => s.serial === 'CL8F25300A2')!.offset!;
    expect(o.frameShift).toBe(0);
    expect(o.aligned).toBe(true);
    expect(a.checks.filter((c) => c.status === 'FAIL')).toEqual([]);
  });

  it('a sensor whose reset failed (its clock counts from another origin) FAILs by name and is not paired', () => {
    const a = audit(rig({ CL8F25300A3: { originUs: EPOCH_US - 11_520_000_000 } }));
    expect(a.verdict).toBe('FAIL');
    const c = check(a, 'clock-origin', 'CL8F25300A3')!;
    expect(c.status).toBe('FAIL');
    expect(c.message).toMatch(/CL8F25300A3's device clock does not count from the rig's origin.*3\.2 h apart.*reset failed/);
    expect(c.message).toMatch(/2024-11-05/);
    expect(a.sensors.find((s) => s.serial === 'CL8F25300A3')!.offset).toBeNull();
    // The others are still measured.
    expect(check(a, 'offset', 'CL8F25300A2')!.status).toBe('PASS');
    expect(a.checks.filter((x) => x.id === 'clock-origin').map((x) => x.sensor)).toEqual(['CL8F25300A3']);
  });

  it('a master whose reset failed is the one named; offsets are measured among the sensors that share an origin', () => {
    const a = audit(rig({ CL8F25300A1: { originUs: 95_000_000 } }));
    expect(a.checks.filter((x) => x.id === 'clock-origin').map((x) => x.sensor)).toEqual(['CL8F25300A1']);
    expect(a.reference).not.toBe('CL8F25300A1');
    const other = a.sensors.find((s) => s.serial !== a.reference && s.serial !== 'CL8F25300A1')!;
    expect(other.offset!.measuredUs).not.toBeNull();
  });
});

describe('the simulated Femto rig (samples/femto-epoch/rig.json)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k4sync-femto-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const rigJson = JSON.parse(readFileSync(join(SAMPLES, 'femto-epoch', 'rig.json'), 'utf8')) as { clockOriginUs: number; sensors: Record<string, unknown>[] };

  it('the sample audits PASS as Orbbec Femto sensors on an epoch clock', () => {
    const a = auditDir(join(SAMPLES, 'femto-epoch'));
    expect(a.verdict).toBe('PASS');
    expect(a.sensors.map((s) => s.deviceFamily)).toEqual(['orbbec-femto', 'orbbec-femto', 'orbbec-femto']);
    expect(a.sensors.every((s) => s.firstDeviceTimestampUs! > rigJson.clockOriginUs)).toBe(true);
  });

  it('a sensor whose clock reset failed gets a FAIL naming it, and the others are still measured', async () => {
    const broken = structuredClone(rigJson);
    // Its clock still counts from an earlier setting, 47 minutes before the rig's.
    broken.sensors[2]!['clockOriginUs'] = rigJson.clockOriginUs - 2_820_000_000;
    const out = join(tmp, 'not-reset');
    await simulateTake(parseRig(broken), { out, frames: 100, payload: 'tiny' });
    const a = auditDir(out);
    expect(a.verdict).toBe('FAIL');
    const failed = a.checks.filter((c) => c.status === 'FAIL');
    expect(failed.map((c) => [c.id, c.sensor])).toEqual([['clock-origin', 'CL8F25300A3']]);
    expect(failed[0]!.message).toMatch(/47\.0 min apart/);
    expect(a.checks.find((c) => c.id === 'offset' && c.sensor === 'CL8F25300A2')!.status).toBe('PASS');
  });

  it('depth delays a viewer reset to 0 are caught by the stagger check; firmware advice names Orbbec\'s tool', async () => {
    const reset = structuredClone(rigJson);
    for (const sensor of reset.sensors) sensor['depthDelayUs'] = 0;
    reset.sensors[1]!['firmware'] = { color: '1.0.9', depth: '1.0.9' };
    const out = join(tmp, 'delays-reset');
    await simulateTake(parseRig(reset), { out, frames: 60, payload: 'tiny' });
    const a = auditDir(out);
    const stagger = a.checks.find((c) => c.id === 'depth-delays')!;
    expect(stagger.status).toBe('FAIL');
    expect(stagger.message).toMatch(/fire 0 µs apart/);
    expect(a.checks.find((c) => c.id === 'firmware')!.remedy).toMatch(/Orbbec Viewer/);
  });

  it('an IMU at the wrapper\'s 500 Hz is measured at its own rate: no sample called missing', async () => {
    const femtoImu = { ...structuredClone(rigJson), imu: true, imuRateHz: 500 };
    const out = join(tmp, 'imu-500');
    await simulateTake(parseRig(femtoImu), { out, frames: 90, payload: 'tiny' });
    const a = auditDir(out);
    for (const s of a.sensors) {
      expect(s.imu!.missing, s.serial).toBe(0);
      expect(Math.abs(s.imu!.rateHz! - 500)).toBeLessThan(1);
    }
    expect(a.checks.filter((c) => c.id === 'imu').every((c) => c.status === 'PASS')).toBe(true);
  });
});
