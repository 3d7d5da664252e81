/** The device receives delays as whole 90 kHz ticks, truncated toward zero: 160 µs becomes 155.56 µs. */
export function quantizeUs(us: number): number {
  return (Math.trunc((us * 9) / 100) * 100) / 9;
}

/** Expected device-time offset of a sensor's colour (or depth) frames from the pulse that triggered them. */
export function triggerDelayUs(role: string, subordinateDelayUs: number, depthDelayUs: number, track: 'COLOR' | 'DEPTH'): number {
  const sub = role === 'subordinate' ? quantizeUs(subordinateDelayUs) : 0;
  return track === 'DEPTH' ? sub + quantizeUs(depthDelayUs) : sub;
}
