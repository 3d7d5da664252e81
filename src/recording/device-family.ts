/**
 * Which kind of sensor wrote a recording, from what the recorder wrote about the device: Microsoft's Azure Kinect DK
 * or an Orbbec Femto Bolt/Mega behind Orbbec's K4A wrapper (same API, same files, different clocks and limits).
 */
export type DeviceFamily = 'azure-kinect' | 'orbbec-femto' | 'unknown';

/** Azure Kinect DK serial numbers are 12 digits ("000011110001"). */
const AZURE_SERIAL = /^\d{12}$/;
/** Orbbec's are letters and digits and start with letters ("CL8F25300A1"). */
const ORBBEC_SERIAL = /^[A-Z]{2}[A-Z0-9]{5,14}$/;

export function deviceFamily(serial: string | null, colorFirmware: string | null, depthFirmware: string | null): DeviceFamily {
  const s = serial?.trim().toUpperCase() ?? '';
  if (AZURE_SERIAL.test(s)) return 'azure-kinect';
  if (ORBBEC_SERIAL.test(s)) return 'orbbec-femto';
  // Without a telling serial: Azure Kinect's colour and depth firmware are separate 1.5/1.6 builds (1.6.110, 1.6.80);
  // the wrapper reports the Femto's one firmware version for both.
  if (colorFirmware && depthFirmware) {
    if (/^1\.[56]\./.test(colorFirmware) && colorFirmware !== depthFirmware) return 'azure-kinect';
    if (colorFirmware === depthFirmware) return 'orbbec-femto';
  }
  return 'unknown';
}

export function familyName(f: DeviceFamily): string {
  return f === 'azure-kinect' ? 'Azure Kinect DK' : f === 'orbbec-femto' ? 'Orbbec Femto (K4A wrapper)' : 'unknown device';
}

/**
 * Microsoft's playback library (k4a_playback_*, and the Azure Kinect viewer built on it) keeps the start offset in
 * 32 bits of µs: from 2^32 µs (71.6 minutes) on, the offset it applies, and every device time it returns, is wrong.
 * Femto clocks counting from the Unix epoch are far beyond it.
 */
export const OFFICIAL_READER_START_OFFSET_LIMIT_US = 2 ** 32;

/** No clock started at zero counts this high (µs since 1970 on 2001-09-09): such a clock counts from the epoch. */
export const EPOCH_CLOCK_MIN_US = 1e15;

/** An epoch clock's reading as the date it is (ISO 8601, UTC, to the millisecond). */
export function epochDate(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}
