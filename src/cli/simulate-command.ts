import { simulateTake } from '../capture/simulate.js';
import { loadRig } from '../capture/simulated-rig.js';
import { isK4sError, K4sError } from '../errors.js';
import { checkNewTakeFolder, pendingFolder } from '../output/index.js';
import { progressBar } from './progress.js';

export interface SimulateFlags {
  out: string;
  frames: number;
  payload: 'tiny' | 'realistic';
  seed?: number;
}

/**
 * `k4sync simulate`: a take from the simulated rig, with its truth. The take is made in a temporary folder beside
 * --out and renamed into place when complete: Ctrl-C or a full disk leaves nothing that looks like a take.
 */
export async function runSimulate(rigPath: string, flags: SimulateFlags): Promise<number> {
  const out = checkNewTakeFolder(flags.out, '--out');
  let rig = loadRig(rigPath);
  if (flags.seed !== undefined) rig = { ...rig, seed: flags.seed };
  const bar = progressBar(flags.frames * rig.sensors.length, 'simulating');
  const pending = pendingFolder(out);
  try {
    const take = await simulateTake(rig, {
      out: pending.temp,
      frames: flags.frames,
      payload: flags.payload,
      onProgress: (stats) => bar.update(stats.reduce((n, s) => n + s.frames, 0)),
    });
    bar.stop();
    pending.commit();
    for (const s of take.truth.sensors) {
      const st = take.stats.find((x) => x.serial === s.serial);
      const lock =
        s.role === 'master' ? 'drives the sync pulses' :
        s.locked ? `locked to the ${s.source}` :
        s.lockLostAtFrame !== null ? `lost sync at frame ${s.lockLostAtFrame}` : 'free-running on its own clock';
      const note = s.startError ? `did not start: ${s.startError}` : `${st?.frames ?? 0} frames, ${lock}`;
      process.stdout.write(`${s.file}  ${s.role.padEnd(11)} ${note}\n`);
    }
    process.stdout.write(`wrote ${take.files.length} recordings and truth.json to ${flags.out}\n`);
    return 0;
  } catch (e) {
    pending.discard();
    // The user knows the files by the folder they asked for, not by the temporary one they were made in.
    throw isK4sError(e) ? new K4sError(e.code, e.message.replaceAll(pending.temp, out), e.remedy, { cause: e, kind: e.kind }) : e;
  } finally {
    bar.stop();
  }
}
