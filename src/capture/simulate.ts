import { basename, join } from 'node:path';
import type { SensorStats, SimTruth, SimulatedRigControl } from './device.js';
import { framesToTimecode } from '../timecode/index.js';
import { recordTake } from './record.js';
import type { RigPlan } from './plan.js';
import { openSimulatedRig, simulatedCrew, simulatedGeneratorLtc } from './simulated-device.js';
import type { SimulatedLtc } from './simulated-ltc.js';
import { startOrder, type Rig } from './simulated-rig.js';
import { groupDrops, quantizedDelayUs, TRUTH_SCHEMA, type Truth, type TruthSensor } from './truth.js';
import { K4sError } from '../errors.js';
import { writeFileAtomic } from '../output/index.js';

export interface SimulateOptions {
  out: string;
  /** Frames each sensor records. */
  frames: number;
  payload: 'tiny' | 'realistic';
  /** How often each file is flushed (finalized in place); 0 flushes after every frame. */
  flushIntervalMs?: number;
  onProgress?: (stats: SensorStats[]) => void;
}

export interface SimulatedTake {
  dir: string;
  files: string[];
  truth: Truth;
  stats: SensorStats[];
}

const FLUSH_INTERVAL_MS = 2000;

function truthOf(rig: Rig, sim: SimTruth, opts: SimulateOptions, order: string[], startErrors: Map<string, string>, ltc: SimulatedLtc | null): Truth {
  // A frame's timecode: the LTC frame its pulse started, or, free-running, the one running at its exposure.
  const timecodes = (f: { pulse: number[]; trueTimeUs: number[] }) =>
    ltc ? f.pulse.map((p, i) => framesToTimecode(ltc.firstPulseFrame + (p >= 0 ? p : Math.floor((f.trueTimeUs[i]! - sim.generator.onTimeUs) / ltc.pulsePeriodUs)), ltc.rate)) : undefined;
  const sensors = rig.sensors.map((s, i): TruthSensor => {
    const t = sim.sensors[i]!;
    const source = t.source ?? 'own_clock';
    const raw = t.frames ?? { index: [], pulse: [], colorUs: [], depthUs: [], hostArrivalNs: [], trueTimeUs: [] };
    const tc = timecodes(raw);
    const frames = { ...raw, ...(tc ? { timecode: tc } : {}) };
    const unlockAt = t.unlockAt !== undefined && t.unlockAt >= 0 && source !== 'own_clock' ? t.unlockAt : null;
    const lockedRate = t.lockedRatePpm ?? 0;
    const rateSegments =
      source === 'own_clock'
        ? [{ fromFrame: 0, toFrame: null, locked: false, ratePpm: 0 }]
        : unlockAt === null
          ? [{ fromFrame: 0, toFrame: null, locked: true, ratePpm: lockedRate }]
          : [
              { fromFrame: 0, toFrame: unlockAt - 1, locked: true, ratePpm: lockedRate },
              { fromFrame: unlockAt, toFrame: null, locked: false, ratePpm: 0 },
            ];
    return {
      serial: s.serial,
      file: `${s.serial}.mkv`,
      role: s.role,
      started: t.started,
      startError: startErrors.get(s.serial) ?? null,
      syncIn: s.syncIn,
      crystalPpm: s.crystalPpm,
      source,
      sourceSerial: t.sourceSerial ?? null,
      locked: source !== 'own_clock' && unlockAt === null,
      lockLostAtFrame: unlockAt,
      rateSegments,
      startTimeUs: t.startTimeUs ?? 0,
      zeroPulse: t.zeroPulse ?? 0,
      startupDrops: t.startupDrops ?? 0,
      depthDelayUs: s.depthDelayUs,
      subordinateDelayUs: s.subordinateDelayUs,
      depthDelayEffectiveUs: quantizedDelayUs(s.depthDelayUs),
      subordinateDelayEffectiveUs: s.role === 'subordinate' ? quantizedDelayUs(s.subordinateDelayUs) : 0,
      unplugged: t.gone === true && s.disconnectAtFrame !== null && s.disconnectAtFrame !== undefined,
      frames,
      drops: groupDrops(t.drops ?? []),
      imu: rig.imu && t.imuSamples ? { firstUs: t.imuFirstUs!, rateHz: t.imuRateHz!, samples: t.imuSamples } : null,
    };
  });
  const generator = rig.sync.source === 'generator';
  return {
    schema: TRUTH_SCHEMA,
    rig: rig.name ?? 'rig',
    fps: rig.fps,
    nominalPeriodUs: 1e6 / rig.fps,
    sync: {
      source: rig.sync.source,
      rateHz: generator ? sim.generator.rateHz : null,
      switchedOnAtUs: generator && sim.generator.on ? sim.generator.onTimeUs : null,
    },
    startOrder: order,
    jitterTicks: rig.jitterTicks,
    seed: rig.seed,
    payload: opts.payload,
    hostPpm: sim.hostPpm,
    timecode: ltc ? { rate: ltc.rate, firstPulse: framesToTimecode(ltc.firstPulseFrame, ltc.rate) } : null,
    sensors,
  };
}

/**
 * Records a take on the simulated rig through the same path as `k4sync record`: the rig's start order (right or
 * wrong), its generator procedure, the SDK's own refusals for a rig wired wrong, every file finalized. Writes one MKV
 * per sensor (named by serial), take.json and truth.json. A recording the disk could not hold is K4S_DISK_FULL: a
 * simulated take exists to be exact, and one cut short is not what its truth.json describes.
 */
export async function simulateTake(rig: Rig, opts: SimulateOptions): Promise<SimulatedTake> {
  const device = openSimulatedRig(rig, opts.payload);
  const generator = rig.sync.source === 'generator';
  const ltc = simulatedGeneratorLtc(device);
  const result = await recordTake({
    device,
    operator: simulatedCrew(device, { leavesGeneratorOn: generator && rig.generator.switchOn === 'before-arming' }),
    out: opts.out,
    mode: { fps: rig.fps, color: rig.color, depth: rig.depth, imu: rig.imu },
    frames: opts.frames,
    generator,
    rigPlan: asConfigured(rig, device),
    ...(ltc ? { ltc } : {}),
    force: true,
    firstFrameTimeoutMs: 2000,
    flushIntervalMs: opts.flushIntervalMs ?? FLUSH_INTERVAL_MS,
    ...(opts.onProgress ? { onStatus: opts.onProgress } : {}),
  });
  if (result.cutShort.length > 0) {
    const names = result.cutShort.map((f) => basename(f)).join(', ');
    throw new K4sError('K4S_DISK_FULL', `Cannot write the take in ${opts.out}: ${names} could not be written to the end (the disk is full or a file-size limit was reached).`);
  }
  const startErrors = new Map(result.refusals.filter((r) => r.serial !== null && r.step !== 'open').map((r) => [r.serial!, r.detail]));
  const truth = truthOf(rig, device.truth(), opts, startOrder(rig), startErrors, ltc?.written() ?? null);
  writeFileAtomic(join(result.dir, 'truth.json'), `${JSON.stringify(truth)}\n`);
  return { dir: result.dir, files: result.files, truth, stats: result.stats };
}

/**
 * The rig as its crew configured it (rig.json's roles, delays and start order), right or wrong: `simulate` reproduces
 * a described rig, where `record --simulate` plans one from the jacks as on set.
 */
function asConfigured(rig: Rig, device: SimulatedRigControl): RigPlan {
  const indices = new Map(device.list().map((d) => [d.serial, d.index]));
  return {
    generator: rig.sync.source === 'generator',
    startOrder: startOrder(rig),
    sensors: rig.sensors.map((s) => ({ index: indices.get(s.serial)!, serial: s.serial, role: s.role, depthDelayUs: s.depthDelayUs, subordinateDelayUs: s.subordinateDelayUs })),
  };
}
