import { nativeBinding, SIMULATED_RIG_LIBRARY, type NativeBinding } from './native.js';
import { rigToSimText, type Rig } from './simulated-rig.js';
import { K4sError } from '../errors.js';

export class SdkMissingError extends K4sError {
  /** The message says what to do; `remedy` only when it does not. */
  constructor(message: string, remedy?: string) {
    super('K4S_NO_SDK', message, remedy ?? '');
  }
}

/** Where the Azure Kinect SDK (or Orbbec's K4A wrapper, which keeps its names) installs its libraries. */
const DEFAULT_LIBRARIES: [string, string][] = process.platform === 'win32'
  ? [['k4a.dll', 'k4arecord.dll']]
  : [['libk4a.so.1.4', 'libk4arecord.so.1.4'], ['libk4a.so', 'libk4arecord.so']];

export interface LoadedSdk {
  native: NativeBinding;
  simulated: boolean;
  library: string;
}

/**
 * Loads the device API at run time: the simulated rig for `--simulate`, else `--sdk PATH`, else
 * K4SYNC_K4A_LIBRARY, else the SDK's usual library names. k4sync is never linked against the SDK.
 */
export function loadSdk(opts: { sdk?: string; simulate?: { rig: Rig; payload: 'tiny' | 'realistic' } }): LoadedSdk {
  const native = nativeBinding();
  if (opts.simulate) {
    native.openLibrary(SIMULATED_RIG_LIBRARY);
    native.simConfigure(rigToSimText(opts.simulate.rig, opts.simulate.payload));
    return { native, simulated: true, library: SIMULATED_RIG_LIBRARY };
  }
  const explicit = opts.sdk ?? process.env.K4SYNC_K4A_LIBRARY;
  // The SDK splits the API over libk4a and libk4arecord (side by side); the simulated rig exports both from one file.
  const sibling = explicit?.replace(/k4a(\.dll|\.so|\.dylib)/, 'k4arecord$1');
  const candidates: [string, string | undefined][] = explicit
    ? [...(sibling && sibling !== explicit ? [[explicit, sibling] as [string, string]] : []), [explicit, undefined]]
    : DEFAULT_LIBRARIES;
  const errors: string[] = [];
  for (const [device, record] of candidates) {
    try {
      const { simulated } = native.openLibrary(device, record);
      return { native, simulated, library: device };
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new SdkMissingError(
    `No Azure Kinect SDK could be loaded (${errors.join('; ')}). Install Azure Kinect SDK 1.4.x (libk4a1.4 and ` +
      'libk4arecord, from Microsoft\'s package repository) or, for Orbbec Femto Bolt/Mega, the Orbbec K4A wrapper; or point ' +
      '--sdk / K4SYNC_K4A_LIBRARY at libk4a. To try k4sync without sensors: --simulate rig.json.',
  );
}
