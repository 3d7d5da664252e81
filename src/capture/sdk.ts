import { existsSync, readdirSync } from 'node:fs';
import { win32 } from 'node:path';
import { nativeBinding, type NativeBinding, type NativeSensorPlan, type NativeSession } from './native.js';
import type { Device, DeviceSession, DeviceTiming, Incident, Refusal, SensorStats, SessionOptions } from './device.js';
import type { DeviceFacts } from './plan.js';
import { hostNowUs } from './host-clock.js';
import { K4sError } from '../errors.js';

export class SdkMissingError extends K4sError {
  /** The message says what to do; `remedy` only when it does not. */
  constructor(message: string, remedy?: string) {
    super('K4S_NO_SDK', message, remedy ?? '');
  }
}

/** Folders under `parent` whose names match `pattern`, newest version first (v1.4.10 before v1.4.9). */
function versionedFolders(parent: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names.filter((n) => pattern.test(n)).sort((a, b) => b.localeCompare(a, 'en', { numeric: true })).map((n) => win32.join(parent, n));
}

/**
 * Where the Azure Kinect SDK (or Orbbec's K4A wrapper, which keeps its names) puts its libraries, in the order tried.
 * On Windows: the SDK's installer folder (`C:\Program Files\Azure Kinect SDK v1.4.x\sdk\windows-desktop\amd64\
 * release\bin`), then the Orbbec wrapper's release zip unpacked at the root of the system drive, as its guide does
 * (`C:\OrbbecSDK_K4A_Wrapper_v1.10.x_windows_...\bin`), then k4a.dll on PATH. Each is loaded by its full path, so
 * k4a.dll finds its depth engine beside it.
 */
function defaultLibraries(): [string, string][] {
  if (process.platform !== 'win32') return [['libk4a.so.1.4', 'libk4arecord.so.1.4'], ['libk4a.so', 'libk4arecord.so']];
  const programFiles = process.env.ProgramFiles ?? 'C:\\Program Files';
  const drive = `${process.env.SystemDrive ?? 'C:'}\\`;
  const bins = [
    ...versionedFolders(programFiles, /^Azure Kinect SDK v1\.4\./).map((d) => win32.join(d, 'sdk', 'windows-desktop', 'amd64', 'release', 'bin')),
    ...versionedFolders(drive, /^OrbbecSDK_K4A_Wrapper_v.*_windows/i).map((d) => win32.join(d, 'bin')),
  ].filter((d) => existsSync(win32.join(d, 'k4a.dll')));
  return [...bins.map((d): [string, string] => [win32.join(d, 'k4a.dll'), win32.join(d, 'k4arecord.dll')]), ['k4a.dll', 'k4arecord.dll']];
}

/** A real sensor takes up to a second to show it is waiting for sync; counters every 200 ms keep the status line live. */
const SENSOR_TIMING: DeviceTiming = { statsIntervalMs: 200, armedCheckMs: 1000, pollMs: 100 };

/** The k4a C API through the addon, whichever library provides it. */
export class BindingDevice implements Device {
  readonly timing: DeviceTiming = SENSOR_TIMING;

  constructor(protected readonly native: NativeBinding, readonly library: string, readonly simulated: boolean) {}

  /** Sensors found on the USB bus have no rig description. */
  get rigName(): string | null {
    return null;
  }

  list(): DeviceFacts[] {
    const out: DeviceFacts[] = [];
    for (let index = 0; index < this.native.installedCount(); index++) {
      let d: ReturnType<NativeBinding['deviceInfo']>;
      try {
        d = this.native.deviceInfo(index);
      } catch (e) {
        throw new K4sError('K4S_PREFLIGHT', `${(e as Error).message}.`, 'Close the other program using the sensor (k4aviewer, another k4sync), or unplug and replug it.');
      }
      out.push({ index, serial: d.serial ?? `#${index}`, colorFirmware: d.colorFirmware ?? null, depthFirmware: d.depthFirmware ?? null, syncIn: d.syncIn ?? false, syncOut: d.syncOut ?? false });
    }
    return out;
  }

  openSession(sensors: NativeSensorPlan[], options: SessionOptions): DeviceSession {
    const nativeOptions = { maxFrames: options.maxFrames, flushIntervalMs: options.flushIntervalMs, ...(options.logFile ? { logFile: options.logFile } : {}) };
    return new BindingSession(new this.native.Session(sensors, nativeOptions));
  }
}

class BindingSession implements DeviceSession {
  /** When each of the addon's incidents (a list that only grows) was first seen: its index keeps that time. */
  private readonly seenAtUs: number[] = [];

  constructor(private readonly session: NativeSession) {}

  private attempt(step: Refusal['step'], sensor: number | null, call: () => void): Refusal | null {
    try {
      call();
      return null;
    } catch (e) {
      const serial = sensor === null ? null : (this.session.stats()[sensor]?.serial ?? null);
      return { step, serial, hostUs: hostNowUs(), detail: (e as Error).message };
    }
  }

  open(): Refusal | null {
    return this.attempt('open', null, () => this.session.open());
  }
  startCameras(sensor: number): Refusal | null {
    return this.attempt('cameras', sensor, () => this.session.startCameras(sensor));
  }
  startImu(sensor: number): Refusal | null {
    return this.attempt('imu', sensor, () => this.session.startImu(sensor));
  }
  startThreads(): void {
    this.session.startThreads();
  }
  stop(): void {
    this.session.stop();
  }
  stats(): SensorStats[] {
    return this.session.stats();
  }
  incidents(): Incident[] {
    const now = hostNowUs();
    return this.session.incidents().map((i, k) => ({ kind: i.kind, serial: i.serial || null, hostUs: (this.seenAtUs[k] ??= now), deviceUs: i.deviceUs, detail: i.detail }));
  }
  watch(onStats: (stats: SensorStats[]) => void, intervalMs: number): Promise<SensorStats[]> {
    return this.session.watch(onStats, intervalMs);
  }
  close(): void {
    this.session.close();
  }
}

/**
 * The real device API, loaded at run time: `--sdk PATH`, else K4SYNC_K4A_LIBRARY, else the SDK's usual library names.
 * k4sync is never linked against the SDK. (The simulated rig described by rig.json: simulated-device.ts.)
 */
export function loadSdk(opts: { sdk?: string } = {}): Device {
  const native = nativeBinding();
  const explicit = opts.sdk ?? process.env.K4SYNC_K4A_LIBRARY;
  // The SDK splits the API over libk4a and libk4arecord (side by side); the simulated rig exports both from one file.
  const sibling = explicit?.replace(/k4a(\.dll|\.so|\.dylib)/, 'k4arecord$1');
  const candidates: [string, string | undefined][] = explicit
    ? [...(sibling && sibling !== explicit ? [[explicit, sibling] as [string, string]] : []), [explicit, undefined]]
    : defaultLibraries();
  const errors: string[] = [];
  for (const [device, record] of candidates) {
    try {
      const { simulated } = native.openLibrary(device, record);
      return new BindingDevice(native, device, simulated);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const install = process.platform === 'win32'
    ? 'Install Azure Kinect SDK 1.4.x (its Windows installer) or, for Orbbec Femto Bolt/Mega, unpack the Orbbec K4A wrapper\'s ' +
      'Windows release at C:\\; or point --sdk / K4SYNC_K4A_LIBRARY at k4a.dll.'
    : 'Install Azure Kinect SDK 1.4.x (libk4a1.4 and libk4arecord, from Microsoft\'s package repository) or, for Orbbec ' +
      'Femto Bolt/Mega, the Orbbec K4A wrapper; or point --sdk / K4SYNC_K4A_LIBRARY at libk4a.';
  throw new SdkMissingError(`No Azure Kinect SDK could be loaded (${errors.join('; ')}). ${install} To try k4sync without sensors: --simulate rig.json.`);
}
