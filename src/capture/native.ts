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
  error: string;
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
  Session: new (sensors: NativeSensorPlan[], options: { maxFrames: number; flushIntervalMs: number }) => NativeSession;
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
const RELEASE = ROOT ? join(ROOT, 'build/Release') : '';

/** The simulated rig's shared library, built beside the addon. */
export const SIMULATED_RIG_LIBRARY = join(RELEASE, 'libk4sync_sim.so');

let binding: NativeBinding | null = null;

/** The addon, built by `npm install`; recording and simulation need it, reading recordings does not. */
export function nativeBinding(): NativeBinding {
  if (binding) return binding;
  const path = join(RELEASE, 'k4sync_native.node');
  if (!existsSync(path)) {
    throw new NativeUnavailableError(
      'The native layer is not built, so k4sync cannot record or simulate here (info, timestamps and audit still work). ' +
        'Install CMake and a C++ compiler (Debian: apt-get install cmake g++), then run `npm run build:native`.',
    );
  }
  binding = createRequire(import.meta.url)(path) as NativeBinding;
  return binding;
}
