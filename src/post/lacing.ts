/**
 * The lace header for frames of these sizes, and the flag bits to go with it: fixed-size lacing when the frames are
 * all the same size (what libmatroska picks for IMU samples), Xiph lacing otherwise. One frame needs no lacing.
 */
export function laceHeader(sizes: readonly number[]): { flagsLacing: number; header: Uint8Array } {
  if (sizes.length === 0) throw new RangeError('no frames to lace');
  if (sizes.length > 256) throw new RangeError(`${sizes.length} frames do not fit one laced block (256 at most)`);
  if (sizes.length === 1) return { flagsLacing: 0, header: new Uint8Array(0) };
  const count = sizes.length - 1;
  if (sizes.every((s) => s === sizes[0])) return { flagsLacing: 2 << 1, header: Uint8Array.of(count) };
  const bytes: number[] = [count];
  for (const s of sizes.slice(0, -1)) {
    let rest = s;
    while (rest >= 255) {
      bytes.push(255);
      rest -= 255;
    }
    bytes.push(rest);
  }
  return { flagsLacing: 1 << 1, header: Uint8Array.from(bytes) };
}
