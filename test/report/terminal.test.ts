import { describe, it, expect } from 'vitest';
import { renderTerminal } from '../../src/report/terminal.js';
import {
  AUDIT_SCHEMA,
  DEFAULT_THRESHOLDS,
  type AuditReport,
  type Check,
  type PairOffset,
  type SensorAudit,
  type TakeAudit,
} from '../../src/audit/types.js';

const ESC = '\u001b';
const ANSI = /\u001b\[[0-9;]*m/g;

function sensor(serial: string, over: Partial<SensorAudit> = {}): SensorAudit {
  return {
    serial, file: `${serial}.mkv`, role: 'subordinate', error: null, fps: 30, colorMode: 'MJPG_720P', depthMode: 'NFOV_UNBINNED',
    firmware: { color: '1.6.110', depth: '1.6.80' }, depthDelayUs: 0, subordinateDelayUs: 0, frames: 240,
    firstDeviceTimestampUs: 233_311, lastDeviceTimestampUs: 8_299_822, drops: [], clockRatePpm: -18.07, clockRateStdErrPpm: 0.42,
    rateSegments: [{ fromFrame: 0, toFrame: 239, ratePpm: -18.07, stdErrPpm: 0.42, freeRunning: false }], jitterTicks: { rms: 1.4, max: 2.8 },
    locked: true, lockEvidence: 'rate', lockLostAtFrame: null, hostRateVsReferencePpm: null, colorToDepth: null, offset: null,
    depthOffset: null, window: { framesBefore: 0, framesAfter: 0 }, ...over,
  };
}

function offset(over: Partial<PairOffset> = {}): PairOffset {
  return {
    reference: '000100000001', track: 'COLOR', expectedUs: 0, measuredUs: -3.9, maxResidualUs: 50.3, frameShift: 0, pairedBy: 'device-time',
    matchedFrames: 232, rawDivergenceUs: -112, trendUsPerMinute: 2, hostGapUs: null, aligned: true, ...over,
  };
}

function check(id: string, status: Check['status'], sensorSerial: string | null, message: string, over: Partial<Check> = {}): Check {
  return { id, status, sensor: sensorSerial, value: null, threshold: null, message, remedy: null, ...over };
}

function take(name: string, verdict: TakeAudit['verdict'], sensors: SensorAudit[], checks: Check[]): TakeAudit {
  return {
    schema: AUDIT_SCHEMA, k4syncVersion: 'test', auditedAt: '2025-01-01T00:00:00.000Z', take: name, verdict, fps: 30, syncSource: 'master',
    reference: sensors[0]?.serial ?? null, window: { startUs: 233_346, endUs: 8_033_344, frames: 235 }, sensors, checks, thresholds: DEFAULT_THRESHOLDS,
  };
}

const DROPS_REMEDY = 'Dropped frames come from USB, host or disk load: one host controller per two sensors, a faster disk.';
const LOCK_REMEDY = '000100000003 stopped receiving sync at frame 120: check its Sync In cable.';

/** A failing take: the WARN is listed before the FAIL in the audit's order, so the renderer must reorder them. */
const failing = take(
  'take-0042',
  'FAIL',
  [
    sensor('000100000001', { role: 'master', locked: false, lockEvidence: 'role', clockRatePpm: 0.52, clockRateStdErrPpm: 0.46 }),
    sensor('000100000002', { drops: [{ frameIndex: 120, deviceTimestampUs: 4_233_244, count: 3 }], offset: offset() }),
    sensor('000100000003', {
      locked: false, lockEvidence: 'rate-change', lockLostAtFrame: 120, clockRatePpm: -11.05, clockRateStdErrPpm: 0.59,
      rateSegments: [
        { fromFrame: 0, toFrame: 119, ratePpm: -22.8, stdErrPpm: 0.9, freeRunning: false },
        { fromFrame: 120, toFrame: 239, ratePpm: 0.26, stdErrPpm: 0.9, freeRunning: true },
      ],
      offset: offset({ measuredUs: null, maxResidualUs: null, frameShift: null, matchedFrames: 1, aligned: null }),
    }),
  ],
  [
    check('roles', 'PASS', null, 'Roles from the tags: master 000100000001 and 2 subordinate(s).'),
    check('drops', 'WARN', '000100000002', '3 of 243 frames missing: frames 120–122 at 4.233 s.', { value: 3, threshold: 0, remedy: DROPS_REMEDY }),
    check('lock', 'FAIL', '000100000003', '000100000003 it lost sync at frame 120.', { value: 'false', threshold: 'rate-change', remedy: LOCK_REMEDY }),
    check('offset', 'NOT_MEASURABLE', '000100000003', '000100000003 and 000100000001 share too few frames to compare.'),
    check('host-clock', 'NOT_MEASURABLE', null, 'The files carry no host arrival times.'),
  ],
);

const passing = take(
  'take-0043',
  'PASS',
  [sensor('000100000001', { role: 'master', locked: false, lockEvidence: 'role' }), sensor('000100000002', { offset: offset() })],
  [check('drops', 'PASS', '000100000002', 'No frame missing among 240 (COLOR).', { value: 0, threshold: 0 })],
);

const report: AuditReport = { schema: AUDIT_SCHEMA, verdict: 'FAIL', takes: [failing, passing] };

/** The text split into take blocks (blank-line separated), each a list of lines; the summary is the last block. */
function blocks(text: string): string[][] {
  return text.trimEnd().split('\n\n').map((b) => b.split('\n'));
}

describe('renderTerminal', () => {
  const plain = renderTerminal(report, { color: false });
  const [first, second, summary] = blocks(plain);

  it('starts every take with its verdict line', () => {
    expect(first![0]).toMatch(/^FAIL {2}take-0042 {2}3 sensors, master rig, 30 fps, window 235 frames \(7\.83 s\)$/);
    expect(second![0]).toMatch(/^PASS {2}take-0043 {2}2 sensors/);
  });

  it('lists FAIL checks before WARN checks, and leaves PASS checks out', () => {
    const fail = first!.findIndex((l) => /^ {2}FAIL {2}lock/.test(l));
    const warn = first!.findIndex((l) => /^ {2}WARN {2}drops/.test(l));
    expect(fail).toBe(1);
    expect(warn).toBeGreaterThan(fail);
    expect(plain).not.toContain('Roles from the tags');
    expect(second!.some((l) => /^ {2}(PASS|WARN|FAIL) {2}/.test(l))).toBe(false);
  });

  it('shows the sensor, the measured value and threshold, and the remedy on its own indented line', () => {
    const warn = first!.findIndex((l) => /^ {2}WARN {2}drops/.test(l));
    expect(first![warn]).toContain('000100000002 3 of 243 frames missing');
    const block = first!.slice(warn).join(' ').replace(/\s+/g, ' ');
    expect(block).toContain('(measured 3, threshold 0)');
    expect(block).toContain(`→ ${DROPS_REMEDY}`);
    const remedy = first!.find((l) => l.includes(`→ ${LOCK_REMEDY.slice(0, 30)}`));
    expect(remedy).toMatch(/^ {8}→ /);
    // A message that already begins with the serial does not get it twice.
    expect(first!.find((l) => l.includes('lost sync'))).not.toMatch(/000100000003 000100000003/);
  });

  it('prints one row per sensor with role, frames, drops, rate, lock and offset', () => {
    const row = (serial: string) => first!.find((l) => l.startsWith(`  ${serial}  `))!;
    expect(first!.some((l) => /serial +role +frames +drops +rate ppm +locked +offset/.test(l))).toBe(true);
    expect(row('000100000001')).toMatch(/master +240 +0 +\+0\.52 ± 0\.46 .*reference/);
    expect(row('000100000002')).toMatch(/subordinate +240 +3 +-18\.07 ± 0\.42 +yes \(rate\) +-3\.9$/);
    expect(row('000100000003')).toMatch(/-22\.80 → \+0\.26 +no \(lost @120\) +\?$/);
  });

  it('summarizes NOT_MEASURABLE checks in one line at the end of the take', () => {
    const nm = first!.filter((l) => l.includes('not measurable'));
    expect(nm).toHaveLength(1);
    expect(first!.at(-1)).toBe(nm[0]);
    expect(nm[0]).toContain('offset (000100000003)');
    expect(nm[0]).toContain('host-clock');
    expect(plain).not.toContain('share too few frames');
    expect(second!.some((l) => l.includes('not measurable'))).toBe(false);
  });

  it('ends several takes with a count per verdict, and one take without it', () => {
    expect(summary).toEqual(['2 takes: 1 PASS, 0 WARN, 1 FAIL']);
    const single = renderTerminal({ schema: AUDIT_SCHEMA, verdict: 'PASS', takes: [passing] }, { color: false });
    expect(single).not.toMatch(/takes:/);
    expect(single.split('\n')[0]).toMatch(/^PASS {2}take-0043/);
  });

  it('keeps lines under 110 columns', () => {
    for (const line of plain.split('\n')) expect([...line].length).toBeLessThanOrEqual(110);
  });

  it('uses no ANSI escapes without colour, and colours status words with it', () => {
    expect(plain).not.toContain(ESC);
    const coloured = renderTerminal(report, { color: true });
    expect(coloured).toContain(`${ESC}[31mFAIL${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[33mWARN${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[32mPASS${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[2m`);
    // Colour only decorates: without the escapes it is the same text.
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('does not pass control characters from the files through to the terminal', () => {
    const evil = take('take-\u001b[2Jx', 'PASS', [sensor('0001\u001b]0;pwn\u0007')], []);
    const text = renderTerminal({ schema: AUDIT_SCHEMA, verdict: 'PASS', takes: [evil] }, { color: false });
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\u0007');
  });
});
