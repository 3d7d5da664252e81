import { loadSdk } from '../capture/sdk.js';
import { openSimulatedRig } from '../capture/simulated-device.js';
import { loadRig } from '../capture/simulated-rig.js';
import { inferTopology } from '../capture/topology.js';

/** `k4sync devices`: every sensor, its jacks, and the topology they imply. */
export function runDevices(flags: { json?: boolean; sdk?: string; simulate?: string }): number {
  const device = flags.simulate ? openSimulatedRig(loadRig(flags.simulate), 'tiny') : loadSdk(flags.sdk ? { sdk: flags.sdk } : {});
  const devices = device.list();
  const topology = inferTopology(devices);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ sensors: devices, topology }, null, 2)}\n`);
    return 0;
  }
  if (devices.length === 0) {
    process.stdout.write('No sensor connected. Check USB and power.\n');
    return 0;
  }
  const rows = devices.map((d) => `  ${d.serial.padEnd(14)} firmware ${d.colorFirmware ?? '?'}/${d.depthFirmware ?? '?'}  Sync In ${d.syncIn ? 'plugged' : '-      '}  Sync Out ${d.syncOut ? 'plugged' : '-'}`);
  const where = [topology.first && `first ${topology.first}`, topology.last && `last ${topology.last}`].filter(Boolean).join(', ');
  const lines = [`${devices.length} sensor(s):`, ...rows, `topology: ${topology.kind}${topology.master ? `, master ${topology.master}` : ''}${where ? ` (${where}; the middle order cannot be told from the jacks)` : ''}`];
  for (const p of topology.problems) lines.push(`  ! ${p}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
