import { mkdirSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { VERSION } from '../version.js';
import type { NativeSensorPlan } from './native.js';
import type { Device, Incident, IncidentKind, Refusal, SensorStats } from './device.js';
import { PlanError, planRig, type PlanFile, type RigPlan } from './plan.js';
import { hostNowUs } from './host-clock.js';
import { TAKE_SCHEMA, type TakeManifest } from '../take/index.js';
import { inferTopology } from './topology.js';
import { onInterrupt, writeFileAtomic } from '../output/index.js';
import { COLOR_FORMAT_TABLE, COLOR_RESOLUTION_TABLE, DEPTH_MODE_TABLE, modeLimits, parseColorMode, type DepthModeName } from '../recording/modes.js';
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

/** The crew on set: asked to act, and told how the take goes. */
export interface Operator {
  /** Asks the crew to switch the sync generator's output off or on; resolves once they confirm it is done. */
  switchGenerator(on: boolean): Promise<void>;
  say(message: string): void;
}

/** Whatever records the generator's LTC beside the take (ltc.wav): a host audio input, or the simulated generator. */
export interface LtcSource {
  /** Starts recording into `dir`; resolves once it records, rejects (a K4sError) when it cannot. */
  start(dir: string): Promise<LtcRecorder>;
}

export interface LtcRecorder {
  /** Ends the recording and says what take.json should know of it; null when nothing was recorded. */
  stop(): Promise<TakeManifest['ltc']>;
}

export interface RecordOptions {
  device: Device;
  operator: Operator;
  out: string;
  mode: CameraMode;
  /** Frames each sensor records; 0 records until stopped. */
  frames: number;
  generator: boolean;
  plan?: PlanFile;
  /** Roles, delays and start order as the crew configured them, right or wrong, instead of planning them from the jacks. */
  rigPlan?: RigPlan;
  /** Start in this order instead of the plan's, to produce a start-order fault on purpose. */
  startOrder?: string[];
  ltc?: LtcSource;
  /** Record whatever the SDK accepts: a sensor that refuses to start, frames before the generator, a silent sensor. */
  force?: boolean;
  firstFrameTimeoutMs: number;
  flushIntervalMs: number;
  onStatus?: (stats: SensorStats[]) => void;
  signal?: AbortSignal;
}

export type Outcome = 'complete' | 'stopped' | 'fault' | 'refused';

export interface RecordResult {
  dir: string;
  files: string[];
  outcome: Outcome;
  message: string;
  manifest: TakeManifest;
  stats: SensorStats[];
  plan: RigPlan;
  /** What the SDK refused (a sensor that would not start), in the order refused. */
  refusals: Refusal[];
  incidents: Incident[];
  /** Recordings that could not be written to the end (a full disk, a file-size limit): each is cut short. */
  cutShort: string[];
  /** Why the take was refused (outcome 'refused'), as thrown: a K4sError keeps its own code. */
  error?: unknown;
}

const SYNC: Record<string, number> = { standalone: 0, master: 1, subordinate: 2 };
const FPS: Record<number, number> = { 5: 0, 15: 1, 30: 2 };

/** Incidents after which the files no longer hold what the sensors delivered: the take is a fault and stops. */
const FAULTS: ReadonlySet<IncidentKind> = new Set(['write-failed', 'flush-failed', 'close-failed', 'create-failed', 'unplugged', 'sensor-failed', 'no-first-frame', 'not-finalized']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refuses, before anything is opened, the camera settings the SDK would refuse (K4S_PREFLIGHT naming the limit). */
export function checkModes(mode: CameraMode): void {
  const limits = modeLimits(mode);
  if (limits.length > 0) throw new PlanError(`Cannot record: the SDK refuses these camera settings: ${limits.map((l) => l.message).join('; ')}.`, 'Choose another --fps, --color or --depth.');
}

function nativePlan(p: RigPlan['sensors'][number], mode: CameraMode, dir: string): NativeSensorPlan {
  const color = parseColorMode(mode.color);
  return {
    index: p.index,
    path: join(dir, `${p.serial}.mkv`),
    colorFormat: color ? COLOR_FORMAT_TABLE[color.format].value : 0,
    colorResolution: color ? COLOR_RESOLUTION_TABLE[color.resolution].value : 0,
    depthMode: Object.hasOwn(DEPTH_MODE_TABLE, mode.depth) ? DEPTH_MODE_TABLE[mode.depth as DepthModeName].value : 0,
    fps: FPS[mode.fps]!,
    depthDelayUs: p.depthDelayUs,
    syncMode: SYNC[p.role]!,
    subordinateDelayUs: p.subordinateDelayUs,
    imu: mode.imu,
    ...(mode.exposureUs ? { exposureUs: mode.exposureUs } : {}),
    ...(mode.powerlineHz ? { powerlineHz: mode.powerlineHz } : {}),
  };
}

const LIKELY_CAUSES = 'its Sync In cable is unplugged or not carrying pulses (try another cable: the tip carries the pulse), the master is not running its colour camera, or the generator is off';

/** How an incident reads in take.json and in record's message. */
function incidentText(i: Incident): string {
  return `${i.kind}: ${i.detail}${i.deviceUs !== null ? ` (device time ${i.deviceUs} µs)` : ''}`;
}

/**
 * One take, as a crew runs it: pre-flight, subordinates started before the master (or, with a generator: generator
 * off, every sensor armed and waiting, generator on), a check that every sensor delivers its first frame in a shared
 * time base, recording with a thread per sensor until the frame count, a stop or a fault, and every file closed
 * whatever happened. take.json is rewritten at each change of state (armed, recording, fault, stopped) and says
 * "recording" until the take has ended, so that a recorder killed on the way leaves a take the audit calls unfinished.
 */
export async function recordTake(opts: RecordOptions): Promise<RecordResult> {
  checkModes(opts.mode);
  const { device, operator } = opts;
  const dir = resolve(opts.out);
  const devices = device.list();
  const plan = opts.rigPlan ?? planRig(devices, inferTopology(devices), { generator: opts.generator, plan: opts.plan });
  const startOrder = opts.startOrder ?? plan.startOrder;
  mkdirSync(dir, { recursive: true });
  const manifest: TakeManifest = {
    schema: TAKE_SCHEMA,
    tool: { name: 'k4sync', version: VERSION },
    createdAt: new Date().toISOString(),
    host: hostname(),
    simulated: device.simulated,
    rig: device.rigName,
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
  // take.json is saved from the native monitor's callback too, where a throw would end the process: a save that fails
  // (the disk is full) stops the take as a fault instead, and is thrown once every file is closed.
  let saveError: unknown = null;
  let callbackError: unknown = null;
  const writeManifest = () => writeFileAtomic(join(dir, 'take.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const save = () => {
    try {
      writeManifest();
    } catch (e) {
      if (saveError !== null) return;
      saveError = e;
      fault(`take.json could not be written: ${(e as Error).message}`, null);
    }
  };
  const event = (name: string, serial: string | null = null) => manifest.timeline.push({ event: name, hostUs: hostNowUs(), serial });
  /** A change of state: on disk at once, so that whatever happens next, take.json tells how far the take got. */
  const reached = (name: string, serial: string | null = null) => {
    event(name, serial);
    save();
  };
  // The first save happens before any sensor is touched: a failure there is simply the command's error.
  writeManifest();

  const plans = plan.sensors.map((s) => nativePlan(s, opts.mode, dir));
  const session = device.openSession(plans, { maxFrames: opts.frames, flushIntervalMs: opts.flushIntervalMs, logFile: join(dir, 'k4a.log') });
  // Commands that end on Ctrl-C by exiting (simulate) must not exit with capture and writer threads still running:
  // the process would be torn down under them. `record` finalizes on Ctrl-C itself and never runs this.
  const unregisterInterrupt = onInterrupt(() => {
    session.stop();
    session.close();
  });
  let outcome: Outcome = 'complete';
  let message = '';
  const refusals: Refusal[] = [];
  const incidents: Incident[] = [];
  const stop = () => session.stop();
  const fault = (what: string, serial: string | null) => {
    if (outcome !== 'complete' && outcome !== 'stopped') return;
    outcome = 'fault';
    message = what;
    event(`fault: ${what}`, serial);
    stop();
  };
  /** Adds an incident to the result and take.json; says where it is in both. */
  const add = (i: Incident) => {
    incidents.push(i);
    manifest.incidents!.push({ hostUs: i.hostUs, serial: i.serial, what: incidentText(i), kind: i.kind, deviceUs: i.deviceUs });
    if (FAULTS.has(i.kind)) fault(`${i.serial ? `${i.serial}: ` : ''}${i.detail}.`, i.serial);
    return incidents.length - 1;
  };
  const incident = (kind: IncidentKind, serial: string | null, detail: string) => {
    add({ kind, serial, hostUs: hostNowUs(), deviceUs: null, detail });
    save();
  };
  // The native layer's list only grows, and updates a run still going in place: same index, later detail.
  const nativeAt: number[] = [];
  const collectNative = () => {
    let changed = false;
    session.incidents().forEach((i, k) => {
      const at = nativeAt[k];
      if (at === undefined) nativeAt[k] = add(i);
      else if (incidentText(incidents[at]!) !== incidentText(i)) {
        incidents[at] = i;
        Object.assign(manifest.incidents![at]!, { what: incidentText(i), deviceUs: i.deviceUs });
      } else return;
      changed = true;
    });
    if (changed) save();
  };
  const refused = (r: Refusal) => {
    refusals.push(r);
    event(`refused (${r.step}): ${r.detail}`, r.serial);
  };
  const onAbort = () => {
    if (outcome === 'complete') {
      outcome = 'stopped';
      message = 'Stopped by the operator.';
      reached('stopped by the operator');
    }
    stop();
  };
  opts.signal?.addEventListener('abort', onAbort);
  const indexOf = (serial: string) => plan.sensors.findIndex((s) => s.serial === serial);
  // Once the first-frame wait is over, sensors still silent will stay so: the take ends when the others are done.
  let firstFrameWaitOver = false;
  let ltc: LtcRecorder | null = null;
  let finalStats: SensorStats[] = [];
  let error: unknown;
  try {
    // Real LTC is captured from before arming to after the stop.
    if (opts.ltc) {
      ltc = await opts.ltc.start(dir);
      event('LTC capture started');
    }
    const openRefusal = session.open();
    if (openRefusal) {
      refused(openRefusal);
      throw new PlanError(`Cannot record: ${openRefusal.detail}.`);
    }
    event('opened');
    // Threads first: the monitor ends as soon as it finds no capture thread running.
    session.startThreads();
    const watching = session.watch((stats) => {
      // This runs from the native monitor thread's callback, where an exception would end the process: anything that
      // goes wrong here stops the take, and is thrown once every file is closed.
      try {
        opts.onStatus?.(stats);
        collectNative();
        const broken = stats.find((s) => s.state === 'unplugged' || s.state === 'failed');
        if (broken && outcome === 'complete') incident(broken.state === 'unplugged' ? 'unplugged' : 'sensor-failed', broken.serial, broken.error);
        // The snapshot may predate the first frames; decide on the counters as they are now.
        if (firstFrameWaitOver && session.stats().every((s) => s.frames === 0 || (s.state !== 'recording' && s.state !== 'waiting'))) stop();
      } catch (e) {
        callbackError ??= e;
        stop();
      }
    }, device.timing.statsIntervalMs);
    const start = (serial: string) => {
      const i = indexOf(serial);
      let refusal = session.startCameras(i);
      if (!refusal) {
        event('cameras started', serial);
        if (opts.mode.imu) refusal = session.startImu(i);
      }
      if (refusal) {
        refused(refusal);
        if (!opts.force) throw new PlanError(`Cannot record: ${serial} refused to start: ${refusal.detail}.`);
      }
    };
    if (plan.generator) {
      await operator.switchGenerator(false);
      event('generator off (operator)');
      for (const serial of startOrder) start(serial);
      reached('armed');
      // Armed sensors must sit waiting: a frame now means pulses are already flowing, and each sensor would zero its
      // clock on whichever pulse it happened to see first.
      await sleep(device.timing.armedCheckMs);
      const early = session.stats().filter((s) => s.frames > 0);
      if (early.length > 0 && !opts.force) {
        throw new PlanError(`${early.map((s) => s.serial).join(', ')} delivered frames before the generator was switched on: pulses are already flowing, so the sensors would not share a time base. Switch the generator off and start again.`);
      }
      operator.say(`All ${plan.sensors.length} sensors are armed and waiting for sync.`);
      await operator.switchGenerator(true);
      event('generator on (operator)');
    } else {
      for (const serial of startOrder) start(serial);
      reached('armed');
    }
    // Every sensor must deliver its first frame: a subordinate that never does is not receiving pulses.
    const deadline = Date.now() + opts.firstFrameTimeoutMs;
    while (Date.now() < deadline && outcome === 'complete') {
      const waiting = session.stats().filter((s) => s.frames === 0 && s.state !== 'idle');
      if (waiting.length === 0) break;
      await sleep(device.timing.pollMs);
    }
    firstFrameWaitOver = true;
    const silent = session.stats().filter((s) => s.frames === 0);
    if (silent.length > 0 && outcome === 'complete' && !opts.force) {
      for (const s of silent) incident('no-first-frame', s.serial, `never delivered a frame: ${LIKELY_CAUSES}. The take was stopped`);
    } else if (outcome === 'complete') {
      reached('recording: every sensor streaming');
    }
    finalStats = await watching;
  } catch (e) {
    outcome = 'refused';
    message = (e as Error).message;
    error = e;
    stop();
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    session.close();
    unregisterInterrupt();
    event('files closed');
  }
  finalStats = session.stats();
  collectNative();
  try {
    manifest.ltc = ltc ? await ltc.stop() : null;
  } catch (e) {
    incident('ltc-failed', null, `the LTC capture could not be finished: ${(e as Error).message}`);
  }
  for (const [i, s] of finalStats.entries()) {
    const entry = manifest.sensors.find((m) => m.serial === s.serial) ?? manifest.sensors[i];
    if (entry) entry.writerQueue = { capacity: s.queueCapacity, highWater: s.queueHighWater, lost: s.lostInQueue };
  }
  // The writer finalizes each file as it closes it, and cannot report a disk that filled up under it: look, rather
  // than say "finalized" of a file that is not.
  const closeFailed = new Set(incidents.filter((i) => i.kind === 'close-failed').map((i) => i.serial));
  const unclosed = plans
    .map((p, i) => ({ path: p.path, serial: plan.sensors[i]!.serial, frames: finalStats[i]?.frames ?? 0 }))
    .filter((p) => closeFailed.has(p.serial) || !closedWhole(p.path));
  const cutShort = unclosed.filter((p) => p.frames > 0);
  const empty = unclosed.filter((p) => p.frames === 0);
  const before = outcome === 'refused' ? null : message;
  for (const p of cutShort) incident('not-finalized', p.serial, `${basename(p.path)} could not be written to the end (the disk is full, a file-size limit was reached, or the writer failed); the frames before that are readable`);
  for (const p of empty) incident('not-finalized', p.serial, `${basename(p.path)} received no frame before the stop and could not be finalized: it holds no frames`);
  if (before !== null) {
    // The first fault says why the take ended; what the files look like after it follows.
    const after = unclosed.length > 0 ? incidents.filter((i) => i.kind === 'not-finalized').map((i) => `${i.detail}.`) : before ? ['Every file was finalized.'] : [];
    message = [before, ...after].filter(Boolean).join(' ');
    if (unclosed.length > 0) outcome = 'fault';
  }
  const losses = incidents.filter((i) => i.kind === 'queue-overflow' || i.kind === 'imu-rejected');
  if (losses.length > 0 && outcome !== 'refused') message = `${message ? `${message} ` : ''}${losses.length} loss${losses.length > 1 ? 'es' : ''} of data recorded as incidents in take.json.`;
  manifest.stopReason = outcome === 'complete' ? (opts.frames ? `${opts.frames} frames recorded` : 'stopped') : `${outcome}: ${message}`;
  reached(`take ended: ${outcome}`);
  if (saveError !== null) throw saveError;
  if (callbackError !== null) throw callbackError;
  return {
    dir, files: plans.map((p) => p.path), outcome, message, manifest, stats: finalStats, plan, refusals, incidents,
    cutShort: cutShort.map((p) => p.path), ...(error !== undefined ? { error } : {}),
  };
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

/** Free space where the take is written, for the status line. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
