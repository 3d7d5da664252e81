/**
 * The device seam, kept as serialport keeps its bindings interface and its mock binding: `Device` is what the Azure
 * Kinect SDK offers (list the sensors and their jacks, open a recording session, start cameras and IMU, counters,
 * stop, close), and `SimulatedRigControl` extends it with what only the simulated rig has (configure it, switch its
 * generator, ask what really happened). The recording state machine (record.ts) sees a `Device` only and never asks
 * which one it holds; the simulation and the tests hold the control interface.
 *
 * Implementations: sdk.ts (any library with the k4a C API: the SDK, Orbbec's wrapper, native/sim loaded with --sdk)
 * and simulated-device.ts (native/sim, configured from rig.json).
 */
import type { NativeIncidentKind, NativeSensorPlan, NativeSensorStats } from './native.js';
import type { DeviceFacts } from './plan.js';
import type { Rig } from './simulated-rig.js';

/** Counters of one sensor, its writer queue included (native/addon). */
export type SensorStats = NativeSensorStats;

/**
 * The pace of the device, which the recording state machine follows instead of asking what the device is: a real
 * sensor needs a second to show that it is waiting, simulated time runs as fast as the CPU allows.
 */
export interface DeviceTiming {
  /** How often the session reports its counters while recording, ms. */
  statsIntervalMs: number;
  /** How long armed sensors are watched before the generator is switched on: a frame in that time means pulses already flow. */
  armedCheckMs: number;
  /** How often the wait for every sensor's first frame looks at the counters, ms. */
  pollMs: number;
}

/** What the SDK refused, as data: which step, which sensor (null when the library does not say), when, its words. */
export interface Refusal {
  step: 'open' | 'cameras' | 'imu';
  serial: string | null;
  /** Host monotonic clock, µs (host-clock.ts). */
  hostUs: number;
  detail: string;
}

export type IncidentKind =
  | NativeIncidentKind
  /** The sensor went away (USB). */
  | 'unplugged'
  /** The sensor's capture thread stopped on an SDK error. */
  | 'sensor-failed'
  /** A sensor started but never delivered a frame within the first-frame timeout. */
  | 'no-first-frame'
  /** A file that is not finalized after close (a full disk, a file-size limit, no frame at all). */
  | 'not-finalized'
  /** The LTC recording could not be finished (ltc.wav may be incomplete). */
  | 'ltc-failed';

/** Something that went wrong during a take, as take.json keeps it. */
export interface Incident {
  kind: IncidentKind;
  serial: string | null;
  /** Host monotonic clock, µs, when k4sync learnt of it. */
  hostUs: number;
  /** The sensor's device time it concerns (the first lost capture's timestamp), when known. */
  deviceUs: number | null;
  detail: string;
}

export interface SessionOptions {
  /** Frames each sensor records before its thread ends; 0 records until stop(). */
  maxFrames: number;
  /** How often each file is flushed (readable to there after a crash); 0 after every frame. */
  flushIntervalMs: number;
  /** Where the SDK's own log goes (<take>/k4a.log), so that it never mixes with k4sync's output. */
  logFile?: string;
}

/**
 * One take's recording session: one file per sensor. Calls come from the JavaScript thread only; the capture and
 * writer threads are the implementation's. Order: open, then startThreads, then startCameras/startImu per sensor in
 * the start order, then stop (any time, any number of times), then close exactly once, whatever happened before.
 */
export interface DeviceSession {
  /** Opens every sensor and creates its file (headers written). Null, or what the SDK refused; nothing is recording then. */
  open(): Refusal | null;
  /** Starts one sensor's cameras (index into the sensor list given to openSession). Null, or the SDK's refusal. */
  startCameras(sensor: number): Refusal | null;
  startImu(sensor: number): Refusal | null;
  /** Starts the capture threads; a sensor's thread waits until its cameras run. */
  startThreads(): void;
  /** Asks every capture thread to end; returns at once. */
  stop(): void;
  /** Counters now, one per sensor in the order given; safe to call at any time after open. */
  stats(): SensorStats[];
  /**
   * Every incident the native layer reported so far, oldest first. A run still going (captures lost one after
   * another) is one incident whose detail is updated in place: the same index, a later count.
   */
  incidents(): Incident[];
  /**
   * Calls onStats with the counters every intervalMs (on the JavaScript thread) until every capture thread has ended,
   * then resolves with the last counters. Never rejects: a sensor's failure is a state in its counters.
   */
  watch(onStats: (stats: SensorStats[]) => void, intervalMs: number): Promise<SensorStats[]>;
  /** Stops the sensors and closes every file (which finalizes it). Never throws: a close that fails is an incident. */
  close(): void;
}

/**
 * The device API. One device is loaded per process at a time (the C API is process-wide): opening another replaces
 * the library under the first.
 */
export interface Device {
  /** The library the device API was loaded from. */
  readonly library: string;
  /** Whether that library is the simulated rig: written into take.json, never a branch of the state machine. */
  readonly simulated: boolean;
  /** The rig's name in rig.json, when the device is a described simulated rig. */
  readonly rigName: string | null;
  readonly timing: DeviceTiming;
  /** Every connected sensor, its firmware and its sync jacks as they are now, by index. */
  list(): DeviceFacts[];
  /** A session over these sensors (indices from list()); nothing is opened until open(). */
  openSession(sensors: NativeSensorPlan[], options: SessionOptions): DeviceSession;
}

/** The simulated rig's own account of a take (native/sim rig_model.cpp truth_json). */
export interface SimTruth {
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
    /** The IMU stream handed over: sample k at imuFirstUs + floor(k · 1e6 / imuRateHz), k < imuSamples. */
    imuFirstUs?: number;
    imuRateHz?: number;
    imuSamples?: number;
  }[];
}

/**
 * The simulated rig's controls, beyond what the SDK offers. Called from the JavaScript thread; setGenerator may be
 * called while a session records (it is the crew's hand on the switch).
 */
export interface SimulatedRigControl extends Device {
  readonly rig: Rig;
  /** Describes the rig to the library (sensors, cables, crystals, faults); the generator starts switched off. */
  configure(rig: Rig, payload: 'tiny' | 'realistic'): void;
  setGenerator(on: boolean): void;
  /** What every sensor really did so far; complete once the session is closed. */
  truth(): SimTruth;
}
