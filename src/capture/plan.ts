import { z } from 'zod';
import type { Topology } from './topology.js';
import { K4sError } from '../errors.js';
import { readJsonFile } from '../json-file.js';

/** plan.json: what the crew intends, so that pre-flight can say where the rig differs from it. */
const PlanSchema = z.strictObject({
  /** Serials in start-up chain order: the master (or the generator's first sensor) first. */
  sensors: z.array(z.strictObject({ serial: z.string(), role: z.enum(['master', 'subordinate', 'standalone']).optional() })).min(1),
  generator: z.boolean().optional(),
});
export type PlanFile = z.infer<typeof PlanSchema>;

export class PlanError extends K4sError {
  /** The message says what to do; `remedy` only when it does not. */
  constructor(message: string, remedy?: string) {
    super('K4S_PREFLIGHT', message, remedy ?? '');
  }
}

export function loadPlan(path: string): PlanFile {
  return readJsonFile(path, PlanSchema, { code: 'K4S_BAD_JSON', subject: 'the plan' });
}

export interface DeviceFacts {
  index: number;
  serial: string;
  colorFirmware: string | null;
  depthFirmware: string | null;
  syncIn: boolean;
  syncOut: boolean;
}

export interface PlannedSensor {
  index: number;
  serial: string;
  role: 'master' | 'subordinate' | 'standalone';
  /** Configured depth delay: the rig's depth cameras fire 160 µs apart so their lasers do not interfere. */
  depthDelayUs: number;
  subordinateDelayUs: number;
}

export interface RigPlan {
  sensors: PlannedSensor[];
  /** Cameras start in this order: subordinates first, the master last. */
  startOrder: string[];
  generator: boolean;
}

/** Depth cameras within 160 µs of each other interfere; 9 laser pulses leave room for 10 staggered cameras. */
export const DEPTH_STAGGER_US = 160;
export const MAX_STAGGERED_SENSORS = 10;

/**
 * Roles, delays and start order from the jacks, the plan and --generator, or the precise reason it cannot work.
 * Throws PlanError naming the sensor and what to change.
 */
export function planRig(devices: DeviceFacts[], topology: Topology, opts: { generator: boolean; plan?: PlanFile }): RigPlan {
  const problems: string[] = [];
  if (devices.length === 0) throw new PlanError('No sensor is connected. Check the USB cables and power, then run `k4sync devices`.');
  const generator = opts.plan?.generator ?? opts.generator;
  if (devices.length > MAX_STAGGERED_SENSORS) {
    problems.push(`${devices.length} sensors cannot all have their depth cameras ${DEPTH_STAGGER_US} µs apart (at most ${MAX_STAGGERED_SENSORS})`);
  }
  const firmware = new Set(devices.map((d) => `${d.colorFirmware}/${d.depthFirmware}`));
  if (firmware.size > 1) problems.push(`the sensors run different firmware (${[...firmware].join(', ')}): update them all to the same version`);
  let roles = new Map<string, PlannedSensor['role']>();
  if (devices.length === 1 && !generator) {
    roles.set(devices[0]!.serial, devices[0]!.syncOut ? 'master' : 'standalone');
  } else if (generator) {
    for (const d of devices) {
      if (!d.syncIn) problems.push(`${d.serial} has no Sync In cable: with a generator every sensor needs one (generator → first sensor → next ...)`);
      roles.set(d.serial, 'subordinate');
    }
    if (topology.master) problems.push(`${topology.master} has only Sync Out plugged, as a master would; with --generator the generator feeds the first sensor's Sync In`);
  } else {
    if (topology.kind === 'generator') problems.push('every sensor has a Sync In cable and none is a master: this is an external generator rig; record it with --generator');
    for (const p of topology.problems) problems.push(p);
    for (const d of devices) roles.set(d.serial, d.serial === topology.master ? 'master' : 'subordinate');
    for (const d of devices) {
      if (roles.get(d.serial) === 'subordinate' && !d.syncIn) problems.push(`${d.serial} is a subordinate without a Sync In cable: plug a cable from the master's (or the previous sensor's) Sync Out into it`);
    }
  }
  if (opts.plan) {
    const present = new Set(devices.map((d) => d.serial));
    for (const p of opts.plan.sensors) {
      if (!present.has(p.serial)) problems.push(`the plan expects ${p.serial}, which is not connected`);
      else if (p.role && p.role !== roles.get(p.serial)) problems.push(`the plan makes ${p.serial} a ${p.role}, but its jacks make it a ${roles.get(p.serial)}`);
    }
    for (const d of devices) if (!opts.plan.sensors.some((p) => p.serial === d.serial)) problems.push(`${d.serial} is connected but not in the plan`);
    for (const p of opts.plan.sensors) {
      const d = devices.find((x) => x.serial === p.serial);
      if (d && p.role === 'master' && d.syncIn) problems.push(`${p.serial} is the master but has a cable in Sync In: a master takes nothing in`);
    }
  }
  if (problems.length > 0) throw new PlanError(`Cannot record: ${problems.join('; ')}.`);
  roles = new Map([...roles]);
  // Chain order where the plan gives it; otherwise master first, then by serial.
  const order = opts.plan?.sensors.map((p) => p.serial) ?? [...devices].sort((a, b) => Number(roles.get(b.serial) === 'master') - Number(roles.get(a.serial) === 'master') || a.serial.localeCompare(b.serial)).map((d) => d.serial);
  const sensors = order.map((serial, k): PlannedSensor => {
    const d = devices.find((x) => x.serial === serial)!;
    return { index: d.index, serial, role: roles.get(serial)!, depthDelayUs: k * DEPTH_STAGGER_US, subordinateDelayUs: 0 };
  });
  const startOrder = [...sensors.filter((s) => s.role !== 'master'), ...sensors.filter((s) => s.role === 'master')].map((s) => s.serial);
  return { sensors, startOrder, generator };
}
