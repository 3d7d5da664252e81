import { EPOCH_CLOCK_MIN_US, epochDate } from '../recording/index.js';
import type { SensorInput } from './input.js';

/**
 * Where the device clocks of a take count from. An Azure Kinect's clock starts at zero when its cameras start (a
 * subordinate's at the first pulse it sees), so clock rates are applied about device time zero. An Orbbec Femto
 * behind the K4A wrapper may instead count from the Unix epoch, its clock set with the host's time: then the sensors
 * that were set together share that origin, and a sensor whose reset failed counts from another one entirely.
 */

/**
 * Sensors whose clocks were set together start recording seconds apart at most (the wrapper's recorder starts a
 * subordinate 2-3 s early); first frames further apart than this on their own clocks count from different origins.
 */
export const ORIGIN_SPREAD_MAX_US = 60e6;

export interface ClockOrigin {
  /** The device time rates are applied about when frames are paired: 0, or the shared epoch origin's earliest frame. */
  originUs: number;
  /** The take's clocks count from the Unix epoch. */
  epoch: boolean;
}

export interface TakeClocks {
  clock: ClockOrigin;
  /** The sensors that count from the rig's origin (most of them; with the reference when it is one of them). */
  shared: Set<SensorInput>;
  /** Sensors counting from another origin, with the device time of their first frame: a reset that failed. */
  unrelated: { input: SensorInput; firstUs: number }[];
}

/**
 * Groups the sensors by the origin their clocks count from, judged from each one's first frame: the largest group
 * is the rig's (ties go to the group with the master, else the preferred sensor). Rates are applied about zero for
 * clocks that started at zero, and about the group's earliest frame for epoch clocks: the error that leaves is the
 * time from the clocks' setting to that frame (a fraction of a second) times the rate difference (tens of ppm), a µs
 * or two; about zero it would be 55 years times the rate difference.
 */
export function takeClocks(firstUs: Map<SensorInput, number>, preferred: SensorInput | null, known: ClockOrigin | null = null): TakeClocks {
  const sorted = [...firstUs].sort((a, b) => a[1] - b[1]);
  const groups: [SensorInput, number][][] = [];
  for (const entry of sorted) {
    const last = groups.at(-1);
    const sameKind = last && (last[0]![1] >= EPOCH_CLOCK_MIN_US) === (entry[1] >= EPOCH_CLOCK_MIN_US);
    if (last && sameKind && entry[1] - last.at(-1)![1] <= ORIGIN_SPREAD_MAX_US) last.push(entry);
    else groups.push([entry]);
  }
  const rank = (g: [SensorInput, number][]) =>
    g.length * 4 + (g.some(([i]) => i.role === 'master') ? 2 : 0) + (preferred && g.some(([i]) => i === preferred) ? 1 : 0);
  const main = groups.reduce<[SensorInput, number][]>((best, g) => (rank(g) > rank(best) ? g : best), groups[0] ?? []);
  const epoch = main.length > 0 && main[0]![1] >= EPOCH_CLOCK_MIN_US;
  // A trimmed take keeps its source's origin: its own earliest frame may be minutes later.
  const originUs = !epoch ? 0 : known?.epoch ? known.originUs : main[0]![1];
  const shared = new Set(main.map(([i]) => i));
  return {
    clock: { originUs, epoch },
    shared,
    unrelated: sorted.filter(([i]) => !shared.has(i)).map(([input, first]) => ({ input, firstUs: first })),
  };
}

/** A device time as a reader would understand it: a UTC date for an epoch clock, seconds since start otherwise. */
export function clockReading(us: number): string {
  if (us < EPOCH_CLOCK_MIN_US) return `${(us / 1e6).toFixed(3)} s`;
  return epochDate(us).replace('T', ' ').replace('Z', ' UTC');
}
