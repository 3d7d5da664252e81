import type { SensorInput } from './input.js';
import type { Check, Thresholds } from './types.js';

function check(id: string, status: Check['status'], message: string, remedy: string | null = null, extra: Partial<Check> = {}): Check {
  return { id, status, sensor: null, value: null, threshold: null, message, remedy, ...extra };
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** What the tags say about the rig as a whole: roles, matching settings, delays. */
export function rigChecks(sensors: SensorInput[], thresholds: Thresholds): Check[] {
  const out: Check[] = [];
  const masters = sensors.filter((s) => s.role === 'master');
  const standalone = sensors.filter((s) => s.role === 'standalone');
  const subs = sensors.filter((s) => s.role === 'subordinate');
  if (masters.length > 1) {
    out.push(check('roles', 'FAIL', `${masters.length} sensors are MASTER (${masters.map((s) => s.serial).join(', ')}); a rig has one.`,
      'Set one sensor to master and the others to subordinate; the master is the one whose Sync Out starts the chain.', { value: masters.length, threshold: 1 }));
  } else if (standalone.length > 0 && sensors.length > 1) {
    out.push(check('roles', 'FAIL', `${standalone.map((s) => s.serial).join(', ')} recorded STANDALONE: no wired sync, so their frames share no time base with the others.`,
      'Record every sensor as master or subordinate with sync cables (k4arecorder --external-sync).', { value: standalone.length, threshold: 0 }));
  } else {
    const kind =
      masters.length === 1 ? `master ${masters[0]!.serial} and ${subs.length} subordinate(s)`
      : subs.length > 0 ? `${subs.length} subordinates and no master (an external generator rig)`
      : 'a single standalone sensor';
    out.push(check('roles', 'PASS', `Roles from the tags: ${kind}.`));
  }

  const fps = distinct(sensors.map((s) => s.fps));
  out.push(fps.length > 1
    ? check('fps', 'FAIL', `Sensors recorded at different frame rates (${fps.join(', ')} fps).`, 'Record every sensor at the same frame rate; the sync pulse runs at one rate.', { value: fps.join(','), threshold: 'equal' })
    : check('fps', 'PASS', `All sensors at ${fps[0] ?? '?'} fps.`, null, { value: fps[0] ?? null }));

  const modes = distinct(sensors.map((s) => `${s.colorMode ?? 'colour off'} / ${s.depthMode ?? 'depth off'}`));
  out.push(modes.length > 1
    ? check('modes', 'WARN', `Sensors recorded different modes: ${modes.join('; ')}.`, 'Use the same colour and depth mode on every sensor, as Microsoft requires for sync.', { value: modes.length, threshold: 1 })
    : check('modes', 'PASS', `All sensors in ${modes[0]}.`));

  const firmware = distinct(sensors.map((s) => `${s.colorFirmware ?? '?'}/${s.depthFirmware ?? '?'}`));
  out.push(firmware.length > 1
    ? check('firmware', 'WARN', `Sensors run different firmware (colour/depth): ${firmware.join('; ')}.`,
      `Update every sensor to the same firmware (${sensors.every((s) => s.family === 'orbbec-femto') ? 'Orbbec Viewer\'s firmware update' : 'AzureKinectFirmwareTool'}); older firmware has known sync bugs.`, { value: firmware.length, threshold: 1 })
    : check('firmware', 'PASS', `All sensors on firmware ${firmware[0]}.`));

  const period = fps[0] ? 1e6 / fps[0] : null;
  for (const s of subs) {
    if (period !== null && s.subordinateDelayUs > period) {
      out.push(check('subordinate-delay', 'FAIL', `${s.serial} has a subordinate delay of ${s.subordinateDelayUs} µs, more than one frame period (${period.toFixed(0)} µs).`,
        'Keep subordinate delays below one frame period.', { sensor: s.serial, value: s.subordinateDelayUs, threshold: Math.floor(period) }));
    }
  }

  // The 160 µs rule is about configured delays: the device quantizes 160 to 155.56, and that is still fine.
  // Only synchronized depth cameras keep a fixed phase; unsynchronized ones collide at random.
  const firing = sensors
    .filter((s) => s.depthMode !== null && s.depthMode !== 'PASSIVE_IR' && s.role !== 'standalone')
    .map((s) => ({ serial: s.serial, at: (s.role === 'subordinate' ? s.subordinateDelayUs : 0) + s.depthDelayUs }))
    .sort((a, b) => a.at - b.at);
  let closest: { a: string; b: string; gap: number } | null = null;
  for (let i = 1; i < firing.length; i++) {
    const gap = firing[i]!.at - firing[i - 1]!.at;
    if (!closest || gap < closest.gap) closest = { a: firing[i - 1]!.serial, b: firing[i]!.serial, gap };
  }
  if (closest && closest.gap < thresholds.minDepthSpacingUs) {
    out.push(check('depth-delays', 'FAIL', `The depth cameras of ${closest.a} and ${closest.b} fire ${closest.gap} µs apart (subordinate + depth delay); their lasers interfere below ${thresholds.minDepthSpacingUs} µs.`,
      `Stagger the depth delays by at least ${thresholds.minDepthSpacingUs} µs per sensor (0, 160, 320, ...).`, { value: closest.gap, threshold: thresholds.minDepthSpacingUs }));
  } else if (firing.length > 1) {
    out.push(check('depth-delays', 'PASS', `Depth cameras fire at ${firing.map((f) => `${f.at} µs`).join(', ')}: at least ${thresholds.minDepthSpacingUs} µs apart.`, null, { value: closest?.gap ?? null, threshold: thresholds.minDepthSpacingUs }));
  }
  return out;
}
