import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { K4sError } from '../errors.js';

/** A sensor of a session, with the SDK's enum values (k4a_device_configuration_t). */
export interface NativeSensorPlan {
  index: number;
  path: string;
  colorFormat: number;
  colorResolution: number;
  depthMode: number;
  fps: number;
  depthDelayUs: number;
  syncMode: number;
  subordinateDelayUs: number;
  imu: boolean;
  exposureUs?: number;
  powerlineHz?: 50 | 60;
}

export type NativeSensorState = 'idle' | 'waiting' | 'recording' | 'done' | 'unplugged' | 'failed';

export interface NativeSensorStats {
  serial: string;
  state: NativeSensorState;
  frames: number;
  imuSamples: number;
  timeouts: number;
  flushes: number;
  firstDeviceUs: number;
  lastDeviceUs: number;
  /** Captures waiting between the capture thread and the writer thread now. */
  queued: number;
  /** The most captures that ever waited in that queue. */
  queueHighWater: number;
  /** How many captures the queue holds: a few seconds of frames unless the session's options say otherwise. */
  queueCapacity: number;
  /** Captures lost because the queue was full (each run of them is a 'queue-overflow' incident). */
  lostInQueue: number;
  error: string;
}

export type NativeIncidentKind = 'queue-overflow' | 'write-failed' | 'flush-failed' | 'close-failed' | 'imu-rejected' | 'create-failed';

/**
 * Something that went wrong while recording, as data. A run of lost captures or refused IMU samples is one incident
 * (its `deviceUs` is the first one's time; `detail` gives the count and the last time). 'close-failed' means the file
 * was not finalized; 'write-failed' ends that sensor's recording.
 */
export interface NativeIncident {
  serial: string;
  kind: NativeIncidentKind;
  /** Device time (µs) of the first sample or capture concerned; null when no device time applies (create, close). */
  deviceUs: number | null;
  detail: string;
}

export interface NativeSessionOptions {
  /** Captures per sensor; 0 records until stopped. */
  maxFrames: number;
  /** How often the writer thread flushes each file (finalized in place); 0 after every batch of captures. */
  flushIntervalMs: number;
  /** Captures the queue between capture and writer thread holds; default 3 s of frames. */
  queueCapacity?: number;
  /**
   * When that queue is full: 'drop' loses the capture as a 'queue-overflow' incident (the default with a real SDK,
   * whose captures do not wait), 'wait' holds the capture thread until there is room (the default with the
   * simulated rig, whose time runs at the pace it is read).
   */
  queueFull?: 'drop' | 'wait';
  /**
   * The SDK's log file (K4A_ENABLE_LOG_TO_A_FILE), e.g. `<take>/k4a.log`; the recording library logs to
   * `k4arecord.log` in the same folder. Either way nothing of the SDK's goes to stdout.
   */
  logFile?: string;
  /** Tests only, with queueFull 'drop': the writer thread starts once this many captures were offered to its queue. */
  writerHoldCaptures?: number;
}

export interface NativeSession {
  open(): void;
  startCameras(sensor: number): void;
  startImu(sensor: number): void;
  startThreads(): void;
  stop(): void;
  finished(): boolean;
  stats(): NativeSensorStats[];
  /** Counters every interval from a monitor thread (thread-safe function); resolves when every capture thread ends. */
  watch(onStats: (stats: NativeSensorStats[]) => void, intervalMs: number): Promise<NativeSensorStats[]>;
  /** Every incident so far, oldest first (a run still going is updated in place). */
  incidents(): NativeIncident[];
  /** Stops the sensors and closes every file, whatever failed before; a file that cannot be finalized is a 'close-failed' incident. */
  close(): void;
}

/** What the addon (native/addon) exposes; see addon.cpp. */
export interface NativeBinding {
  openLibrary(devicePath: string, recordPath?: string): { simulated: boolean };
  simConfigure(rigText: string): void;
  simSetGenerator(on: boolean): void;
  simTruth(): string;
  installedCount(): number;
  deviceInfo(index: number): { serial?: string; colorFirmware?: string; depthFirmware?: string; syncIn?: boolean; syncOut?: boolean };
  Session: new (sensors: NativeSensorPlan[], options: NativeSessionOptions) => NativeSession;
}

export class NativeUnavailableError extends K4sError {
  /** The message says what to do; `remedy` only when it does not. */
  constructor(message: string, remedy?: string) {
    super('K4S_NO_NATIVE', message, remedy ?? '');
  }
}

const ROOT = [resolve(dirname(fileURLToPath(import.meta.url)), '../..'), resolve(dirname(fileURLToPath(import.meta.url)), '../../..')].find(
  (d) => existsSync(join(d, 'package.json')) && existsSync(join(d, 'native')),
);

/** The prebuilt binaries' folder for this machine, as `prebuilds/<platform>-<arch>/` in the package. */
export const PREBUILD_PLATFORM = `${process.platform}-${process.arch}`;

/**
 * Where the native layer is: a build from source (`build/Release`, made by `npm install` without a matching prebuild,
 * `--build-from-source` or `npm run build:native`) wins over the prebuilt binaries the package ships for this platform.
 */
const NATIVE_DIR = (() => {
  if (!ROOT) return '';
  const dirs = [join(ROOT, 'build/Release'), join(ROOT, 'prebuilds', PREBUILD_PLATFORM)];
  return dirs.find((d) => existsSync(join(d, 'k4sync_native.node'))) ?? dirs[0]!;
})();

/** The simulated rig's shared library, beside the addon: named as each platform names a library it loads at run time. */
export const SIMULATED_RIG_LIBRARY = join(NATIVE_DIR, process.platform === 'win32' ? 'k4sync_sim.dll' : process.platform === 'darwin' ? 'libk4sync_sim.dylib' : 'libk4sync_sim.so');

let binding: NativeBinding | null = null;

/** The addon (prebuilt, or built by `npm install`); recording and simulation need it, reading recordings does not. */
export function nativeBinding(): NativeBinding {
  if (binding) return binding;
  const path = join(NATIVE_DIR, 'k4sync_native.node');
  if (!existsSync(path)) {
    throw new NativeUnavailableError(
      `The native layer is not built and k4sync ships no prebuilt one for ${PREBUILD_PLATFORM}, so k4sync cannot record or simulate here ` +
        '(info, timestamps and audit still work). Install CMake and a C++ compiler (Debian: apt-get install cmake g++; ' +
        'Windows: Visual Studio Build Tools with C++), then run `npm run build:native`.',
    );
  }
  binding = createRequire(import.meta.url)(path) as NativeBinding;
  return binding;
}
