/** What the report derives from a TakeAudit before drawing it: statuses per sensor, issues, names for checks. */
import type { Check, CheckStatus, SensorAudit, Status, TakeAudit } from '../../audit/types.js';

const RANK: Record<CheckStatus, number> = { NOT_MEASURABLE: -1, PASS: 0, WARN: 1, FAIL: 2 };

export function worst(statuses: Iterable<CheckStatus>): Status {
  let w: Status = 'PASS';
  for (const s of statuses) if (s !== 'NOT_MEASURABLE' && RANK[s] > RANK[w]) w = s;
  return w;
}

/** The checks that failed or warned, failures first, in the audit's order within each. */
export function issues(take: TakeAudit): Check[] {
  return [...take.checks.filter((c) => c.status === 'FAIL'), ...take.checks.filter((c) => c.status === 'WARN')];
}

export function sensorStatus(take: TakeAudit, serial: string): Status {
  return worst(take.checks.filter((c) => c.sensor === serial).map((c) => c.status));
}

export function sensorChecks(take: TakeAudit, serial: string): Check[] {
  return take.checks.filter((c) => c.sensor === serial);
}

/** Nominal frame period in µs of a sensor (or the take), null when no rate is known. */
export function periodUs(fps: number | null): number | null {
  return fps && fps > 0 ? 1e6 / fps : null;
}

/** The offset tolerance for the take's frame rate; thresholds are keyed by the three Azure Kinect rates. */
export function offsetTolerance(take: TakeAudit): number | null {
  const t = take.thresholds.offsetToleranceUs as Record<string, number | undefined>;
  return take.fps === null ? null : (t[String(take.fps)] ?? null);
}

const CHECK_NAMES: Record<string, string> = {
  file: 'File',
  frames: 'Frames',
  reference: 'Reference sensor',
  roles: 'Sync roles',
  fps: 'Frame rate',
  modes: 'Camera modes',
  firmware: 'Firmware',
  'subordinate-delay': 'Subordinate delay',
  'depth-delays': 'Depth firing times',
  drops: 'Dropped frames',
  imu: 'IMU samples',
  jitter: 'Timestamp jitter',
  'clock-rate': 'Clock rate',
  lock: 'Sync lock',
  offset: 'Offset to reference',
  'clock-origin': 'Clock origin',
  'depth-ir': 'Depth / IR timestamps',
  'color-depth': 'Colour to depth',
  'generator-rate': 'Generator rate',
  window: 'Common window',
  'host-clock': 'Host clock',
  'take-state': 'Take state',
};

/** A person's name for a check id; unknown ids (added later within the schema) show as they are. */
export function checkName(id: string): string {
  return CHECK_NAMES[id] ?? id;
}

/**
 * The unit of a check's value and threshold, where the schema gives it one meaning. Several checks change meaning
 * with their status (see docs/audit-json.md, "Check ids"); those get none rather than a wrong one.
 */
export function checkUnit(c: Check): { value: string; threshold: string; thresholdLabel: string } {
  const same = (u: string) => ({ value: u, threshold: u, thresholdLabel: 'threshold' });
  switch (c.id) {
    case 'drops':
      return same('frames');
    case 'imu':
      return same('samples');
    case 'depth-delays':
      return same('µs');
    case 'jitter':
      return same('ticks');
    case 'clock-rate':
      return { value: 'ppm', threshold: 'ppm', thresholdLabel: 'limit' };
    case 'color-depth':
      return { value: 'µs', threshold: 'µs', thresholdLabel: 'expected' };
    case 'subordinate-delay':
      return { value: 'µs', threshold: 'µs', thresholdLabel: 'frame period' };
    case 'offset':
      // A start-order failure reports a frame shift against 0; every other outcome a residual against the tolerance.
      return c.threshold === 0 ? same('frame periods') : { value: 'µs', threshold: 'µs', thresholdLabel: 'tolerance' };
    default:
      return same('');
  }
}

export const ROLE_NAMES: Record<SensorAudit['role'], string> = {
  master: 'master',
  subordinate: 'subordinate',
  standalone: 'standalone',
  unknown: 'unreadable',
};

export const SYNC_SOURCE_NAMES: Record<TakeAudit['syncSource'], string> = {
  master: 'master sensor',
  generator: 'external generator',
  none: 'none (standalone sensors)',
  mixed: 'mixed roles',
};
