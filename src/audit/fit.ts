/**
 * Least-squares lines over (frame index, device time), the only statistics the audit needs. Sums are kept as
 * prefix sums so that every split point of a take can be tried in one pass (a change of lock state part-way is a
 * change of slope), and the data are detrended by the nominal period first so that the sums stay small enough for
 * float64 to be exact where it matters.
 */

export interface LineFit {
  n: number;
  intercept: number;
  slope: number;
  /** Residual sum of squares. */
  rss: number;
  residualStd: number;
  slopeStdErr: number;
}

export class PrefixSums {
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  private readonly sxx: Float64Array;
  private readonly sxy: Float64Array;
  private readonly syy: Float64Array;

  /** `y` should already be detrended (device time minus the nominal line) so that the squares stay small. */
  readonly length: number;

  constructor(x: ArrayLike<number>, y: ArrayLike<number>) {
    const n = x.length;
    this.length = n;
    this.sx = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.sxx = new Float64Array(n + 1);
    this.sxy = new Float64Array(n + 1);
    this.syy = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const yi = y[i]!;
      this.sx[i + 1] = this.sx[i]! + xi;
      this.sy[i + 1] = this.sy[i]! + yi;
      this.sxx[i + 1] = this.sxx[i]! + xi * xi;
      this.sxy[i + 1] = this.sxy[i]! + xi * yi;
      this.syy[i + 1] = this.syy[i]! + yi * yi;
    }
  }

  /** The least-squares line over points [from, to). */
  fit(from: number, to: number): LineFit {
    const n = to - from;
    const sx = this.sx[to]! - this.sx[from]!;
    const sy = this.sy[to]! - this.sy[from]!;
    const cxx = this.sxx[to]! - this.sxx[from]! - (sx * sx) / n;
    const cxy = this.sxy[to]! - this.sxy[from]! - (sx * sy) / n;
    const cyy = this.syy[to]! - this.syy[from]! - (sy * sy) / n;
    const slope = cxx > 0 ? cxy / cxx : 0;
    const intercept = (sy - slope * sx) / n;
    const rss = Math.max(0, cyy - slope * cxy);
    const dof = Math.max(1, n - 2);
    const residualStd = Math.sqrt(rss / dof);
    return { n, intercept, slope, rss, residualStd, slopeStdErr: cxx > 0 ? residualStd / Math.sqrt(cxx) : Infinity };
  }

  /** Raw sums over [from, to), for models other than a single line. */
  totals(from: number, to: number): { sx: number; sy: number; sxx: number; sxy: number; syy: number } {
    return {
      sx: this.sx[to]! - this.sx[from]!,
      sy: this.sy[to]! - this.sy[from]!,
      sxx: this.sxx[to]! - this.sxx[from]!,
      sxy: this.sxy[to]! - this.sxy[from]!,
      syy: this.syy[to]! - this.syy[from]!,
    };
  }
}

export interface Hinge {
  /** First point after the bend. */
  at: number;
  /** Slopes before and after the bend, with their standard errors. */
  slopeBefore: number;
  slopeAfter: number;
  stdErrBefore: number;
  stdErrAfter: number;
  /** How much better the bent line explains the points than a straight one (F statistic, 1 extra parameter). */
  f: number;
}

/** x minus its mean; y minus its mean and `slope` times centred x. */
function centred(x: ArrayLike<number>, y: ArrayLike<number>, slope: number): [Float64Array, Float64Array] {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  const cx = Float64Array.from(x, (v) => v - mx);
  const cy = Float64Array.from(y, (v, i) => v - my - slope * cx[i]!);
  return [cx, cy];
}

/**
 * Solves the symmetric 3x3 system [[a, b, c], [b, d, e], [c, e, f]]·x = v by Cramer's rule (the matrices here are
 * small and well conditioned), in scalars: it runs once per candidate bend of every track.
 */
function solveSymmetric3(a: number, b: number, c: number, d: number, e: number, f: number, v0: number, v1: number, v2: number): [number, number, number] | null {
  const m11 = d * f - e * e;
  const m12 = b * f - e * c;
  const m13 = b * e - d * c;
  const det = a * m11 - b * m12 + c * m13;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  const x0 = (v0 * m11 - b * (v1 * f - e * v2) + c * (v1 * e - d * v2)) / det;
  const x1 = (a * (v1 * f - e * v2) - v0 * m12 + c * (b * v2 - v1 * c)) / det;
  const x2 = (a * (d * v2 - v1 * e) - b * (b * v2 - v1 * c) + v0 * m13) / det;
  return [x0, x1, x2];
}

/**
 * The best continuous bend of the line: the rate changes at one frame and time carries on from there, which is what a
 * sensor does when it stops (or starts) following pulses. Tries every bend point leaving at least `minSegment` points
 * on each side; null when there are too few.
 */
export function bestHinge(xRaw: ArrayLike<number>, yRaw: ArrayLike<number>, minSegment: number): Hinge | null {
  const n = xRaw.length;
  if (n < 2 * minSegment) return null;
  // The bent line contains any straight one: fitting the residuals of the whole-take line against centred frame
  // numbers gives the same bend, with sums small enough that an hour of frames keeps float64 exact where it matters.
  const line = new PrefixSums(xRaw, yRaw).fit(0, n);
  const [x, y] = centred(xRaw, yRaw, line.slope);
  const sums = new PrefixSums(x, y);
  const whole = sums.fit(0, n);
  const tot = sums.totals(0, n);
  let best: { at: number; rss: number; b: number[] } | null = null;
  for (let at = minSegment; at <= n - minSegment; at++) {
    const c = x[at - 1]!;
    const t = sums.totals(at, n);
    const m = n - at;
    // Columns: 1, x, h = x - c beyond the bend. Sums of h follow from the sums of x over the tail.
    const sh = t.sx - m * c;
    const shh = t.sxx - 2 * c * t.sx + m * c * c;
    const sxh = t.sxx - c * t.sx;
    const shy = t.sxy - c * t.sy;
    const b = solveSymmetric3(n, tot.sx, sh, tot.sxx, sxh, shh, tot.sy, tot.sxy, shy);
    if (!b) continue;
    const rss = tot.syy - (b[0]! * tot.sy + b[1]! * tot.sxy + b[2]! * shy);
    if (!best || rss < best.rss) best = { at, rss, b };
  }
  if (!best) return null;
  const rss = Math.max(best.rss, 0);
  const before = sums.fit(0, best.at);
  const after = sums.fit(best.at - 1, n);
  const sigma = Math.sqrt(rss / Math.max(1, n - 3));
  const f = rss > 0 ? (whole.rss - rss) / (rss / Math.max(1, n - 3)) : Infinity;
  return {
    at: best.at,
    slopeBefore: line.slope + best.b[1]!,
    slopeAfter: line.slope + best.b[1]! + best.b[2]!,
    stdErrBefore: before.slopeStdErr * (sigma / Math.max(before.residualStd, 1e-12)),
    stdErrAfter: after.slopeStdErr * (sigma / Math.max(after.residualStd, 1e-12)),
    f,
  };
}

/**
 * Where a line bends into (or out of) slope zero, for data detrended by the nominal period: a sensor that stops
 * following pulses steps exactly the nominal period afterwards, and fixing that slope locates the bend far better
 * than a free bend does. Returns the index of the first point on the flat side's far end of the bend.
 */
export function bestBendToFlat(xRaw: ArrayLike<number>, yRaw: ArrayLike<number>, flatAfter: boolean, minSegment: number): number | null {
  const n = xRaw.length;
  if (n < 2 * minSegment) return null;
  // Slope zero must stay slope zero here, so only the means are taken out.
  const [x, y] = centred(xRaw, yRaw, 0);
  const sums = new PrefixSums(x, y);
  const tot = sums.totals(0, n);
  let best: { at: number; rss: number } | null = null;
  for (let at = minSegment; at <= n - minSegment; at++) {
    // The regressor is min(x, c) (flat after) or max(x, c) (flat before), c the last point of the sloped side.
    const c = flatAfter ? x[at - 1]! : x[at]!;
    const sloped = flatAfter ? sums.totals(0, at) : sums.totals(at, n);
    const flat = flatAfter ? sums.totals(at, n) : sums.totals(0, at);
    const nFlat = flatAfter ? n - at : at;
    const sm = sloped.sx + nFlat * c;
    const smm = sloped.sxx + nFlat * c * c;
    const smy = sloped.sxy + c * flat.sy;
    const det = n * smm - sm * sm;
    if (Math.abs(det) < 1e-12) continue;
    const b = (n * smy - sm * tot.sy) / det;
    const a = (tot.sy - b * sm) / n;
    const rss = tot.syy - a * tot.sy - b * smy;
    if (!best || rss < best.rss) best = { at, rss };
  }
  return best ? best.at : null;
}

export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}
