import { analyzeCadence } from '../audit/cadence.js';
import { loadTimecode } from '../audit/timecode-input.js';
import { placeOnTimecode } from '../audit/timecode-line.js';
import { TakeManifestSchema } from '../take/index.js';
import { framesToTimecode } from '../timecode/smpte.js';
import type { LoadedTake } from './take.js';

/**
 * Each sensor frame's timecode, from the take's ltc.wav and host arrival times (as the audit places them), for the
 * frame index and the preview labels. Undefined when the take has no timecode line.
 */
export async function timecodeOf(take: LoadedTake): Promise<((serial: string, deviceUs: number) => string | null) | undefined> {
  const { line } = await loadTimecode(take.dir, TakeManifestSchema.safeParse(take.manifest).data ?? null);
  if (!line) return undefined;
  const bySerial = new Map<string, Map<number, string>>();
  for (const s of take.sensors) {
    const rec = s.recording;
    const times = rec?.color ?? rec?.depth;
    if (!rec?.hostTimes || !times || times.length < 3 || !s.input.fps) continue;
    const cadence = analyzeCadence(times, 1e6 / s.input.fps);
    if (!cadence) continue;
    const hostByDevice = new Map<number, number>();
    rec.hostTimes.deviceUs.forEach((d, i) => hostByDevice.set(d, rec.hostTimes!.hostUs[i]!));
    const host = Float64Array.from(times, (t) => hostByDevice.get(t) ?? NaN);
    const placed = placeOnTimecode(line, cadence.index, times, host);
    if (!placed) continue;
    const map = new Map<number, string>();
    times.forEach((t, i) => {
      const f = placed.frames[i]!;
      if (!Number.isNaN(f)) map.set(t, framesToTimecode(f, line.rate));
    });
    bySerial.set(s.serial, map);
  }
  return (serial, deviceUs) => bySerial.get(serial)?.get(deviceUs) ?? null;
}
