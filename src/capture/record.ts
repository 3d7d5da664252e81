import { mkdirSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { VERSION } from '../version.js';
import type { NativeSensorPlan, NativeSensorStats } from './native.js';
import { planRig, type DeviceFacts, type PlanFile, type RigPlan } from './plan.js';
import { loadSdk, type LoadedSdk } from './sdk.js';
import { writeSimulatedLtc, type SimulatedLtc } from './simulated-ltc.js';
import { startLtcCapture, type LtcCapture } from './ltc-capture.js';
import type { Rig } from './simulated-rig.js';
import { hostNowUs } from './host-clock.js';
import { TAKE_SCHEMA, type TakeManifest } from '../take/index.js';
import { inferTopology } from './topology.js';
import { writeFileAtomic } from '../output/index.js';
import { readRecording } from '../recording/index.js';

export interface CameraMode {
  fps: 5 | 15 | 30;
  /** e.g. MJPG_720P, or OFF. */
  color: string;
  depth: string;
  imu: boolean;
  exposureUs?: number;
  powerlineHz?: 50 | 60;
}

export interface Operator {
  /** Asks the crew to do something and waits until they confirm. */
  confirm(message: string): Promise<void>;
  say(message: string): void;
}

export interface RecordOptions {
  out: string;
  mode: CameraMode;
  /** Frames each sensor records; 0 records until stopped. */
  frames: number;
  generator: boolean;
  plan?: PlanFile;
  sdk?: string;
  simulate?: { rig: Rig; payload: 'tiny' | 'realistic' };
  /** Simulation only: start in this order instead of the right one, to produce a start-order fault on purpose. */
  startOrder?: string[];
  /** Simulation only: switch the generator on before arming (the mistake the start-up sequence exists to catch). */
  generatorOnBeforeArming?: boolean;
  /** A host audio input carrying the generator's LTC (`alsa:hw:1,0`...), recorded into ltc.wav with ffmpeg. */
  ltcInput?: string;
  /** Record anyway when the rig is wired wrong (simulating mistakes); on set, pre-flight refuses. */
  force?: boolean;
  firstFrameTimeoutMs: number;
  flushIntervalMs: number;
  operator: Operator;
  onStatus?: (stats: NativeSensorStats[]) => void;
  signal?: AbortSignal;
}

export type Outcome = 'complete' | 'stopped' | 'fault' | 'refused';

export interface RecordResult {
  dir: string;
  files: string[];
  outcome: Outcome;
  message: string;
  manifest: TakeManifest;
  stats: NativeSensorStats[];
  sdk: LoadedSdk;
  plan: RigPlan;
  /** The simulated generator's LTC (ltc.wav), when the rig has one. */
  ltc: SimulatedLtc | null;
  /** Recordings that could not be written to the end (a full disk, a file-size limit): each is cut short. */
  cutShort: string[];
  /** Why the take was refused (outcome 'refused'), as thrown: a K4sError keeps its own code. */
  error?: unknown;
}

const COLOR_FORMATS: Record<string, number> = { MJPG: 0, NV12: 1, YUY2: 2, BGRA: 3 };
const COLOR_RESOLUTIONS: Record<string, number> = { '720P': 1, '1080P': 2, '1440P': 3, '1536P': 4, '2160P': 5, '3072P': 6 };
const DEPTH_MODES: Record<string, number> = { OFF: 0, NFOV_2X2BINNED: 1, NFOV_UNBINNED: 2, WFOV_2X2BINNED: 3, WFOV_UNBINNED: 4, PASSIVE_IR: 5 };
const FPS: Record<number, number> = { 5: 0, 15: 1, 30: 2 };
const SYNC: Record<string, number> = { standalone: 0, master: 1, subordinate: 2 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nativePlan(p: RigPlan['sensors'][number], mode: CameraMode, dir: string): NativeSensorPlan {
  const [format, resolution] = mode.color === 'OFF' ? ['MJPG', 'OFF'] : mode.color.split('_');
  return {
    index: p.index,
    path: join(dir, `${p.serial}.mkv`),
    colorFormat: COLOR_FORMATS[format!] ?? 0,
    colorResolution: COLOR_RESOLUTIONS[resolution!] ?? 0,
    depthMode: DEPTH_MODES[mode.depth] ?? 0,
    fps: FPS[mode.fps] ?? 2,
    depthDelayUs: p.depthDelayUs,
    syncMode: SYNC[p.role]!,
    subordinateDelayUs: p.subordinateDelayUs,
    imu: mode.imu,
    ...(mode.exposureUs ? { exposureUs: mode.exposureUs } : {}),
    ...(mode.powerlineHz ? { powerlineHz: mode.powerlineHz } : {}),
  };
}

/** The sensors the jacks and firmware describe, as the SDK reports them. */
export function listDevices(sdk: LoadedSdk): DeviceFacts[] {
  const out: DeviceFacts[] = [];
  for (let index = 0; index < sdk.native.installedCount(); index++) {
    const d = sdk.native.deviceInfo(index);
    out.push({ index, serial: d.serial ?? `#${index}`, colorFirmware: d.colorFirmware ?? null, depthFirmware: d.depthFirmware ?? null, syncIn: d.syncIn ?? false, syncOut: d.syncOut ?? false });
  }
  return out;
}

const LIKELY_CAUSES = 'its Sync In cable is unplugged or not carrying pulses (try another cable: the tip carries the pulse), the master is not running its colour camera, or the generator is off';

/**
 * One take, as a crew runs it: pre-flight, subordinates started before the master (or, with a generator: generator
 * off, every sensor armed and waiting, generator on), a check that every sensor delivers its first frame in a shared
 * time base, recording with a thread per sensor until the frame count, a stop or a fault, and every file finalized
 * whatever happened. take.json is written at the start and completed at the end.
 */
export async function recordTake(opts: RecordOptions): Promise<RecordResult> {
  const dir = resolve(opts.out);
  const sdk = loadSdk({ sdk: opts.sdk, simulate: opts.simulate });
  const devices = listDevices(sdk);
  const topology = inferTopology(devices);
  let plan: RigPlan;
  try {
    plan = planRig(devices, topology, { generator: opts.generator, plan: opts.plan });
  } catch (e) {
    if (!opts.force) throw e;
    // Simulating a rig wired wrong: roles as the rig file says, the SDK refuses what it refuses.
    const rig = opts.simulate?.rig;
    plan = {
      generator: opts.generator,
      startOrder: [],
      sensors: devices.map((d, k) => {
        const role = rig?.sensors.find((s) => s.serial === d.serial)?.role ?? 'subordinate';
        return { index: d.index, serial: d.serial, role, depthDelayUs: k * 160, subordinateDelayUs: 0 };
      }),
    };
  }
  if (opts.simulate && opts.force) {
    // Reproducing a rig as described (`k4sync simulate`): its roles and delays are what the crew configured, right
    // or wrong. `k4sync record --simulate` plans them itself, as on set.
    for (const p of plan.sensors) {
      const s = opts.simulate.rig.sensors.find((x) => x.serial === p.serial);
      if (s) Object.assign(p, { role: s.role, depthDelayUs: s.depthDelayUs, subordinateDelayUs: s.subordinateDelayUs });
    }
    plan.startOrder = [...plan.sensors.filter((s) => s.role !== 'master'), ...plan.sensors.filter((s) => s.role === 'master')].map((s) => s.serial);
  }
  const startOrder = opts.startOrder ?? plan.startOrder;
  mkdirSync(dir, { recursive: true });
  const manifest: TakeManifest = {
    schema: TAKE_SCHEMA,
    tool: { name: 'k4sync', version: VERSION },
    createdAt: new Date().toISOString(),
    host: hostname(),
    simulated: sdk.simulated,
    rig: opts.simulate?.rig.name ?? null,
    sensors: plan.sensors.map((s) => {
      const d = devices.find((x) => x.serial === s.serial);
      return {
        serial: s.serial, file: `${s.serial}.mkv`, role: s.role,
        ...(d ? { jacks: { syncIn: d.syncIn, syncOut: d.syncOut }, firmware: { color: d.colorFirmware, depth: d.depthFirmware } } : {}),
        depthDelayUs: s.depthDelayUs, subordinateDelayUs: s.subordinateDelayUs,
      };
    }),
    modes: { fps: opts.mode.fps, color: opts.mode.color, depth: opts.mode.depth, imu: opts.mode.imu, exposureUs: opts.mode.exposureUs ?? null },
    generator: { used: plan.generator },
    incidents: [],
    timeline: [],
    stopReason: 'recording',
    ltc: null,
  };
  const event = (name: string, serial: string | null = null) => manifest.timeline.push({ event: name, hostUs: hostNowUs(), serial });
  // Saved at the start and again at the end: a crash or a full disk in between leaves the earlier take.json whole.
  const saveManifest = () => writeFileAtomic(join(dir, 'take.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  saveManifest();
  const plans = plan.sensors.map((s) => nativePlan(s, opts.mode, dir));
  const session = new sdk.native.Session(plans, { maxFrames: opts.frames, flushIntervalMs: opts.flushIntervalMs });
  let outcome: Outcome = 'complete';
  let message = '';
  const indexOf = (serial: string) => plan.sensors.findIndex((s) => s.serial === serial);
  const stop = () => session.stop();
  opts.signal?.addEventListener('abort', () => {
    if (outcome === 'complete') {
      outcome = 'stopped';
      message = 'Stopped by the operator.';
    }
    stop();
  });
  let finalStats: NativeSensorStats[] = [];
  // Real LTC is captured from before arming to after the stop; in simulation the generator's own LTC is written.
  const capture: LtcCapture | null = opts.ltcInput && !sdk.simulated ? await startLtcCapture(opts.ltcInput, dir) : null;
  if (capture) event('LTC capture started');
  // Once the first-frame wait is over, sensors still silent will stay so: the take ends when the others are done.
  let firstFrameWaitOver = false;
  let error: unknown;
  try {
    session.open();
    event('opened');
    // Threads first: the monitor ends as soon as it finds no capture thread running.
    session.startThreads();
    const watching = session.watch((stats) => {
      opts.onStatus?.(stats);
      const broken = stats.find((s) => s.state === 'unplugged' || s.state === 'failed');
      if (broken && outcome === 'complete') {
        outcome = 'fault';
        message = `${broken.serial}: ${broken.error}.`;
        event(`fault: ${broken.error}`, broken.serial);
        manifest.incidents!.push({ hostUs: hostNowUs(), serial: broken.serial, what: broken.error });
        stop();
      }
      // The snapshot may predate the first frames; decide on the counters as they are now.
      if (firstFrameWaitOver && session.stats().every((s) => s.frames === 0 || (s.state !== 'recording' && s.state !== 'waiting'))) stop();
    }, sdk.simulated ? 20 : 200);
    const start = (serial: string) => {
      const i = indexOf(serial);
      try {
        session.startCameras(i);
        event('cameras started', serial);
        if (opts.mode.imu) session.startImu(i);
      } catch (e) {
        event(`refused to start: ${(e as Error).message}`, serial);
        if (!opts.force) throw e;
      }
    };
    if (plan.generator) {
      if (opts.generatorOnBeforeArming && sdk.simulated) sdk.native.simSetGenerator(true);
      await opts.operator.confirm('Switch the sync generator OFF (its sync output), then confirm.');
      event('generator off (operator)');
      for (const serial of startOrder) start(serial);
      // Armed sensors must sit waiting: a frame now means pulses are already flowing, and each sensor would zero its
      // clock on whichever pulse it happened to see first.
      await sleep(sdk.simulated ? 50 : 1000);
      const early = session.stats().filter((s) => s.frames > 0);
      if (early.length > 0 && !opts.force) {
        throw new Error(`${early.map((s) => s.serial).join(', ')} delivered frames before the generator was switched on: pulses are already flowing, so the sensors would not share a time base. Switch the generator off and start again.`);
      }
      opts.operator.say(`All ${plan.sensors.length} sensors are armed and waiting for sync.`);
      await opts.operator.confirm('Switch the sync generator ON now, then confirm.');
      if (sdk.simulated) sdk.native.simSetGenerator(true);
      event('generator on (operator)');
    } else {
      for (const serial of startOrder) start(serial);
    }
    // Every sensor must deliver its first frame: a subordinate that never does is not receiving pulses.
    const deadline = Date.now() + opts.firstFrameTimeoutMs;
    while (Date.now() < deadline && outcome === 'complete') {
      const waiting = session.stats().filter((s) => s.frames === 0 && s.state !== 'idle');
      if (waiting.length === 0) break;
      await sleep(sdk.simulated ? 5 : 100);
    }
    firstFrameWaitOver = true;
    const silent = session.stats().filter((s) => s.frames === 0);
    if (silent.length > 0 && outcome === 'complete' && !opts.force) {
      outcome = 'fault';
      message = `${silent.map((s) => s.serial).join(', ')} never delivered a frame: ${LIKELY_CAUSES}. The take was stopped.`;
      event('first frame missing', silent[0]!.serial);
      stop();
    } else if (outcome === 'complete') {
      event('every sensor streaming');
    }
    finalStats = await watching;
  } catch (e) {
    outcome = 'refused';
    message = (e as Error).message;
    error = e;
    stop();
  } finally {
    session.close();
    event('files finalized');
  }
  finalStats = session.stats();
  // The writer finalizes each file as it closes it, and cannot report a disk that filled up under it: look, rather
  // than say "finalized" of a file that is not.
  const unclosed = plans.map((p, i) => ({ path: p.path, frames: finalStats[i]?.frames ?? 0 })).filter((p) => !closedWhole(p.path));
  const cutShort = unclosed.filter((p) => p.frames > 0).map((p) => p.path);
  const empty = unclosed.filter((p) => p.frames === 0).map((p) => p.path);
  const problems = [
    cutShort.length > 0 ? `${cutShort.map((f) => basename(f)).join(', ')} could not be written to the end (the disk is full or a file-size limit was reached); the frames before that are readable.` : null,
    empty.length > 0 ? `${empty.map((f) => basename(f)).join(', ')} received no frame before the stop and could not be finalized: ${empty.length === 1 ? 'it holds' : 'they hold'} no frames.` : null,
  ].filter((w): w is string => w !== null);
  for (const what of problems) {
    event(`not finalized: ${what}`);
    manifest.incidents!.push({ hostUs: hostNowUs(), serial: null, what });
  }
  // A stop by the operator (set from the abort listener) is a fault too once a file is cut short.
  if (problems.length > 0 && outcome !== 'refused') {
    message = `${message ? `${message} ` : ''}${problems.join(' ')}`;
    outcome = 'fault';
  } else if (message && outcome !== 'refused') {
    message = `${message} Every file was finalized.`;
  }
  const ltc = sdk.simulated && opts.simulate && plan.generator ? simulatedLtc(dir, sdk, opts.simulate.rig) : null;
  manifest.ltc = capture ? await capture.stop() : ltc?.manifest ?? null;
  manifest.stopReason = outcome === 'complete' ? (opts.frames ? `${opts.frames} frames recorded` : 'stopped') : `${outcome}: ${message}`;
  saveManifest();
  return { dir, files: plans.map((p) => p.path), outcome, message, manifest, stats: finalStats, sdk, plan, ltc, cutShort, ...(error !== undefined ? { error } : {}) };
}

/**
 * Whether a recording was written to the end and closed, as every reader will see it: finalized (Segment sized, start
 * offset written) and not cut short. Headers only, as the audit reads them.
 */
function closedWhole(file: string): boolean {
  try {
    const rec = readRecording(file, { imuSamples: false });
    return rec.finalized && rec.truncatedAt === null;
  } catch {
    return false;
  }
}

/** In simulation the generator's LTC is recorded as a host audio input would record it (ltc.wav). */
function simulatedLtc(dir: string, sdk: LoadedSdk, rig: Rig): SimulatedLtc | null {
  if (!rig.generator.ltc || rig.sync.source !== 'generator') return null;
  const truth = JSON.parse(sdk.native.simTruth()) as { generator: { on: boolean; onTimeUs: number }; sensors: { frames?: { trueTimeUs: number[] } }[] };
  if (!truth.generator.on) return null;
  const lastTrueUs = Math.max(...truth.sensors.map((s) => s.frames?.trueTimeUs.at(-1) ?? 0));
  return writeSimulatedLtc(dir, {
    rateHz: rig.sync.rateHz,
    generatorPpm: rig.sync.ppm,
    onTimeUs: truth.generator.onTimeUs,
    lastTrueUs,
    timecodeStart: rig.generator.timecodeStart,
    ...(rig.generator.timecodeRate ? { rate: rig.generator.timecodeRate } : {}),
    sampleRate: rig.host.audioSampleRate,
    audioPpm: rig.host.audioPpm,
    hostPpm: rig.host.ppm,
  });
}

/** Free space where the take is written, for the status line. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
