import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nativeBinding, SIMULATED_RIG_LIBRARY, type NativeSensorPlan, type NativeSensorStats } from './native.js';
import { rigToSimText, startOrder, type Rig } from './simulated-rig.js';
import { groupDrops, quantizedDelayUs, TRUTH_SCHEMA, type Truth, type TruthSensor } from './truth.js';

export interface SimulateOptions {
  out: string;
  /** Frames each sensor records. */
  frames: number;
  payload: 'tiny' | 'realistic';
  /** How often each file is flushed (finalized in place); 0 flushes after every frame. */
  flushIntervalMs?: number;
  onProgress?: (stats: NativeSensorStats[]) => void;
}

export interface SimulatedTake {
  dir: string;
  files: string[];
  truth: Truth;
  stats: NativeSensorStats[];
}

const COLOR_FORMATS: Record<string, number> = { MJPG: 0, NV12: 1, YUY2: 2, BGRA: 3 };
const COLOR_RESOLUTIONS: Record<string, number> = { '720P': 1, '1080P': 2, '1440P': 3, '1536P': 4, '2160P': 5, '3072P': 6 };
const DEPTH_MODES: Record<string, number> = {
  OFF: 0, NFOV_2X2BINNED: 1, NFOV_UNBINNED: 2, WFOV_2X2BINNED: 3, WFOV_UNBINNED: 4, PASSIVE_IR: 5,
};
const FPS: Record<number, number> = { 5: 0, 15: 1, 30: 2 };
const SYNC_MODES = { standalone: 0, master: 1, subordinate: 2 } as const;
/** A sensor that delivers nothing for this long (real time) is waiting for pulses that will never come. */
const STALL_MS = 5000;
const FLUSH_INTERVAL_MS = 2000;

function plan(rig: Rig, index: number, dir: string): NativeSensorPlan {
  const s = rig.sensors[index]!;
  const [format, resolution] = rig.color === 'OFF' ? ['MJPG', 'OFF'] : rig.color.split('_');
  return {
    index,
    path: join(dir, `${s.serial}.mkv`),
    colorFormat: COLOR_FORMATS[format!] ?? 0,
    colorResolution: COLOR_RESOLUTIONS[resolution!] ?? 0,
    depthMode: DEPTH_MODES[rig.depth] ?? 0,
    fps: FPS[rig.fps] ?? 2,
    depthDelayUs: s.depthDelayUs,
    syncMode: SYNC_MODES[s.role],
    subordinateDelayUs: s.subordinateDelayUs,
    imu: rig.imu,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The library's own account of the take (sim/rig/rig_model.cpp truth_json). */
interface SimTruth {
  generator: { rateHz: number; on: boolean; onTimeUs: number };
  hostPpm: number;
  sensors: {
    serial: string;
    started: boolean;
    startTimeUs?: number;
    source?: 'generator' | 'master' | 'own_clock';
    sourceSerial?: string;
    lockedRatePpm?: number;
    zeroPulse?: number;
    startupDrops?: number;
    unlockAt?: number;
    frames?: { index: number[]; pulse: number[]; colorUs: number[]; depthUs: number[]; hostArrivalNs: number[] };
    drops?: { index: number; colorUs: number; cause: string }[];
    gone?: boolean;
  }[];
}

function truthOf(rig: Rig, sim: SimTruth, opts: SimulateOptions, order: string[], startErrors: Map<string, string>): Truth {
  const sensors = rig.sensors.map((s, i): TruthSensor => {
    const t = sim.sensors[i]!;
    const source = t.source ?? 'own_clock';
    const frames = t.frames ?? { index: [], pulse: [], colorUs: [], depthUs: [], hostArrivalNs: [] };
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
    sensors,
  };
}

/**
 * Records a take on the simulated rig the way `k4sync record` drives real sensors: every sensor opened and its
 * file created, capture threads running, cameras started in the rig's start order (subordinates first unless the rig
 * says otherwise), the generator switched on after arming unless the rig says before, then frames until each sensor
 * has recorded `frames` or stops delivering. Writes one MKV per sensor (named by serial) and truth.json.
 */
export async function simulateTake(rig: Rig, opts: SimulateOptions): Promise<SimulatedTake> {
  const dir = resolve(opts.out);
  mkdirSync(dir, { recursive: true });
  const native = nativeBinding();
  native.openLibrary(SIMULATED_RIG_LIBRARY);
  native.simConfigure(rigToSimText(rig, opts.payload));
  const plans = rig.sensors.map((_, i) => plan(rig, i, dir));
  const session = new native.Session(plans, { maxFrames: opts.frames, flushIntervalMs: opts.flushIntervalMs ?? FLUSH_INTERVAL_MS });
  const order = startOrder(rig);
  const startErrors = new Map<string, string>();
  try {
    session.open();
    session.startThreads();
    const generator = rig.sync.source === 'generator';
    const before = generator && rig.generator?.switchOn === 'before-arming';
    if (before) native.simSetGenerator(true);
    for (const serial of order) {
      const i = rig.sensors.findIndex((s) => s.serial === serial);
      try {
        session.startCameras(i);
        session.startImu(i);
      } catch (e) {
        // A rig wired wrong is a rig worth simulating: the sensor stays off, as it would on set.
        startErrors.set(serial, (e as Error).message);
      }
    }
    if (generator && !before) native.simSetGenerator(true);
    let lastFrames = -1;
    let lastChange = Date.now();
    while (!session.finished()) {
      await sleep(10);
      const stats = session.stats();
      opts.onProgress?.(stats);
      const frames = stats.reduce((n, s) => n + s.frames, 0);
      if (frames !== lastFrames) {
        lastFrames = frames;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > STALL_MS) {
        break;
      }
      if (stats.every((s) => s.state !== 'waiting' && s.state !== 'recording')) break;
    }
  } finally {
    session.close();
  }
  const stats = session.stats();
  const truth = truthOf(rig, JSON.parse(native.simTruth()) as SimTruth, opts, order, startErrors);
  writeFileSync(join(dir, 'truth.json'), `${JSON.stringify(truth)}\n`);
  return { dir, files: plans.map((p) => p.path), truth, stats };
}
