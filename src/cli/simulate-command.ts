import { simulateTake } from '../capture/simulate.js';
import { loadRig } from '../capture/simulated-rig.js';
import { progressBar } from './progress.js';

export interface SimulateFlags {
  out: string;
  frames: number;
  payload: 'tiny' | 'realistic';
  seed?: number;
}

/** `k4sync simulate`: a take from the simulated rig, with its truth. */
export async function runSimulate(rigPath: string, flags: SimulateFlags): Promise<number> {
  let rig = loadRig(rigPath);
  if (flags.seed !== undefined) rig = { ...rig, seed: flags.seed };
  const bar = progressBar(flags.frames * rig.sensors.length, 'simulating');
  try {
    const take = await simulateTake(rig, {
      out: flags.out,
      frames: flags.frames,
      payload: flags.payload,
      onProgress: (stats) => bar.update(stats.reduce((n, s) => n + s.frames, 0)),
    });
    bar.stop();
    for (const s of take.truth.sensors) {
      const st = take.stats.find((x) => x.serial === s.serial);
      const lock =
        s.role === 'master' ? 'drives the sync pulses' :
        s.locked ? `locked to the ${s.source}` :
        s.lockLostAtFrame !== null ? `lost sync at frame ${s.lockLostAtFrame}` : 'free-running on its own clock';
      const note = s.startError ? `did not start: ${s.startError}` : `${st?.frames ?? 0} frames, ${lock}`;
      process.stdout.write(`${s.file}  ${s.role.padEnd(11)} ${note}\n`);
    }
    process.stdout.write(`wrote ${take.files.length} recordings and truth.json to ${take.dir}\n`);
    return 0;
  } finally {
    bar.stop();
  }
}
