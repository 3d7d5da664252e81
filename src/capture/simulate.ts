import { basename, join } from 'node:path';
import type { NativeSensorStats } from './native.js';
import { framesToTimecode } from '../timecode/smpte.js';
import { recordTake } from './record.js';
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
  onProgress?: (stats: NativeSensorStats[]) => void;
}

export interface SimulatedTake {
  dir: string;
  files: string[];
  truth: Truth;
  stats: NativeSensorStats[];
}

const FLUSH_INTERVAL_MS = 2000;

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
    frames?: { index: number[]; pulse: number[]; colorUs: number[]; depthUs: number[]; hostArrivalNs: number[]; trueTimeUs: number[] };
    drops?: { index: number; colorUs: number; cause: string }[];
    gone?: boolean;
  }[];
}

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
  const generator = rig.sync.source === 'generator';
  const result = await recordTake({
    out: opts.out,
    mode: { fps: rig.fps, color: rig.color, depth: rig.depth, imu: rig.imu },
    frames: opts.frames,
    generator,
    simulate: { rig, payload: opts.payload },
    startOrder: startOrder(rig),
    generatorOnBeforeArming: generator && rig.generator.switchOn === 'before-arming',
    force: true,
    firstFrameTimeoutMs: 2000,
    flushIntervalMs: opts.flushIntervalMs ?? FLUSH_INTERVAL_MS,
    operator: { confirm: async () => {}, say: () => {} },
    onStatus: opts.onProgress,
  });
  if (result.cutShort.length > 0) {
    const names = result.cutShort.map((f) => basename(f)).join(', ');
    throw new K4sError('K4S_DISK_FULL', `Cannot write the take in ${opts.out}: ${names} could not be written to the end (the disk is full or a file-size limit was reached).`);
  }
  const startErrors = new Map<string, string>();
  for (const e of result.manifest.timeline) {
    if (e.serial && e.event.startsWith('refused to start: ')) startErrors.set(e.serial, e.event.slice('refused to start: '.length));
  }
  const truth = truthOf(rig, JSON.parse(result.sdk.native.simTruth()) as SimTruth, opts, startOrder(rig), startErrors, result.ltc);
  writeFileAtomic(join(result.dir, 'truth.json'), `${JSON.stringify(truth)}\n`);
  return { dir: result.dir, files: result.files, truth, stats: result.stats };
}
