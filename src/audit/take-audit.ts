import type { SourceClock } from '../take/index.js';
import { analyzeCadence, isNominal, MIN_RATE_FRAMES, TICK_US } from './cadence.js';
import { clockReading, takeClocks, type ClockOrigin } from './clock-origin.js';
import { quantizeUs } from './delays.js';
import { median } from './fit.js';
import type { SensorInput } from './input.js';
import { hostRate, judgeLock, type HostRate } from './lock.js';
import { corroborateShifts, onReferenceClock, pairOffset, type PairResult, type SensorTiming } from './offsets.js';
import { rigChecks } from './rig-checks.js';
import { placeOnTimecode, type TimecodeLine } from './timecode-line.js';
import { buildTimeline, type TakeTimeline } from './timeline.js';
import { framesToTimecode } from '../timecode/index.js';
import { AUDIT_SCHEMA, type Check, type ImuAudit, type SensorAudit, type Status, type TakeAudit, type Thresholds } from './types.js';
import { IMU_NOMINAL_PERIOD_US } from '../recording/index.js';

export interface AuditOptions {
  take: string;
  /** The generator's timecode as the host saw it (ltc.wav and take.json), when the take has one. */
  timecode?: TimecodeLine | null;
  /** Why the take's timecode could not be read, when it has ltc.wav but it did not decode. */
  timecodeProblem?: string | null;
  /** Something about the take's LTC the crew should fix though it decoded (a level too low). */
  timecodeWarning?: string | null;
  /** What the take's state means (take-state checks, from judgeTake): they come first, before the files' checks. */
  stateChecks?: Check[];
  thresholds: Thresholds;
  /** Serial of the sensor offsets are measured against; default the master, else the first serial. */
  reference?: string;
  /** Clocks measured on the whole take a trimmed take was cut from (take.json's trim record), by serial. */
  sourceClocks?: Map<string, SourceClock>;
  version: string;
  now?: Date;
}

function medianHostRate(rates: (HostRate | null)[]): HostRate | null {
  const known = rates.filter((r): r is HostRate => r !== null);
  if (known.length < 2) return null;
  const periodUs = median(known.map((r) => r.periodUs));
  // The median of n rates is about as uncertain as one of them over sqrt(n): keep the largest for safety.
  return { periodUs, stdErrUs: Math.max(...known.map((r) => r.stdErrUs)) / Math.sqrt(known.length) };
}

/** A generator this far off its nominal rate shows on every sensor; crystals are tens of ppm. */
const GENERATOR_RATE_TOLERANCE_PPM = 100;

function check(id: string, status: Check['status'], sensor: string | null, message: string, remedy: string | null = null, value: Check['value'] = null, threshold: Check['threshold'] = null): Check {
  return { id, status, sensor, value, threshold, message, remedy };
}

function toleranceUs(fps: number, t: Thresholds): number {
  return fps === 15 ? t.offsetToleranceUs[15] : fps === 5 ? t.offsetToleranceUs[5] : t.offsetToleranceUs[30];
}

function timingOf(input: SensorInput, nominalUs: number, known: SourceClock | undefined): SensorTiming | null {
  const track = input.color && input.color.length >= 3 ? 'COLOR' : input.depth && input.depth.length >= 3 ? 'DEPTH' : null;
  if (!track) return null;
  const times = (track === 'COLOR' ? input.color : input.depth)!;
  const cadence = analyzeCadence(times, nominalUs, known?.track === track ? known : null);
  if (!cadence) return null;
  let host: Float64Array | null = null;
  if (input.hostDeviceUs && input.hostUs) {
    const byDevice = new Map<number, number>();
    input.hostDeviceUs.forEach((d, i) => byDevice.set(d, input.hostUs![i]!));
    host = Float64Array.from(times, (t) => byDevice.get(t) ?? NaN);
  }
  return { input, track, cadence, host };
}

/** The depth track of a sensor timed by colour, sharing colour's host times where the capture times agree. */
function depthTiming(t: SensorTiming, nominalUs: number, known: SourceClock | undefined): SensorTiming | null {
  const depth = t.input.depth;
  if (!depth || depth.length < 3) return null;
  // Depth is stamped by the same crystal as colour: the source's colour clock holds for it.
  const cadence = analyzeCadence(depth, nominalUs, known ? { ...known, track: 'DEPTH' } : null);
  if (!cadence) return null;
  let host: Float64Array | null = null;
  if (t.host) {
    // A capture's host time is stamped at its colour time; depth of the same capture sits within a frame of it.
    const colour = t.cadence.times;
    host = Float64Array.from(depth, (d) => {
      let lo = 0;
      let hi = colour.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (colour[mid]! < d) lo = mid + 1;
        else hi = mid;
      }
      const j = lo > 0 && Math.abs(colour[lo - 1]! - d) < Math.abs(colour[lo]! - d) ? lo - 1 : lo;
      return Math.abs(colour[j]! - d) < nominalUs / 2 ? t.host![j]! : NaN;
    });
  }
  return { input: t.input, track: 'DEPTH', cadence, host };
}

function emptyAudit(input: SensorInput): SensorAudit {
  return {
    serial: input.serial, file: input.file, role: input.role, error: input.error, fps: input.fps, colorMode: input.colorMode,
    depthMode: input.depthMode, firmware: { color: input.colorFirmware, depth: input.depthFirmware }, deviceFamily: input.family,
    depthDelayUs: input.depthDelayUs, subordinateDelayUs: input.subordinateDelayUs, frames: 0,
    firstDeviceTimestampUs: null, lastDeviceTimestampUs: null, drops: [], imu: imuAudit(input), clockRatePpm: null, clockRateStdErrPpm: null, clockRateSource: null,
    rateSegments: [], jitterTicks: null, locked: null, lockEvidence: 'none', lockLostAtFrame: null,
    hostRateVsReferencePpm: null, colorToDepth: null, offset: null, depthOffset: null, window: null, series: null,
    timecodeIn: null, timecodeOut: null, driftVsTimecodePpm: null,
    fileInfo: input.facts,
  };
}

/**
 * Every frame of a sensor on the generator's timecode line: timecode in and out, drops by timecode, drift. Returns the
 * timecode frame number of each of its frames (NaN where unknown), or null when they could not be placed.
 */
function timecodeChecks(line: TimecodeLine, timing: SensorTiming, a: SensorAudit, checks: Check[]): Float64Array | null {
  if (!timing.host) return null;
  const placed = placeOnTimecode(line, timing.cadence.index, timing.cadence.times, timing.host);
  if (!placed) {
    checks.push(check('timecode', 'NOT_MEASURABLE', a.serial, `${a.serial}'s frames fall outside the recorded LTC.`, null));
    return null;
  }
  a.timecodeIn = placed.timecodeIn;
  a.timecodeOut = placed.timecodeOut;
  a.driftVsTimecodePpm = placed.driftVsTimecodePpm;
  const index = timing.cadence.index;
  for (const d of a.drops) {
    const before = [...index.keys()].reverse().find((i) => index[i]! < d.frameIndex && !Number.isNaN(placed.frames[i]!));
    if (before !== undefined) d.timecode = framesToTimecode(placed.frames[before]! + (d.frameIndex - index[before]!), line.rate);
  }
  const drift = `clock ${placed.driftVsTimecodePpm.toFixed(2)} ppm against timecode`;
  checks.push(placed.offLine === 0
    ? check('timecode', 'PASS', a.serial, `${a.serial} is on the timecode line: in ${placed.timecodeIn}, out ${placed.timecodeOut}; ${drift}.`, null, placed.driftVsTimecodePpm, null)
    : check('timecode', 'WARN', a.serial, `${placed.offLine} frames of ${a.serial} do not advance with the generator's timecode (in ${placed.timecodeIn}, out ${placed.timecodeOut}; ${drift}): it is not following the generator for part of the take.`,
        `Check ${a.serial}'s Sync In cable; its frames drift against the timecode.`, placed.offLine, 0));
  return placed.frames;
}

/** The IMU's gaps as the audit lists drops: where the first missing sample would have been, and how many. */
function imuAudit(input: SensorInput): ImuAudit | null {
  const c = input.imu;
  if (!c) return null;
  const period = c.periodUs ?? IMU_NOMINAL_PERIOD_US;
  const gaps = c.gaps.map((g) => ({ deviceTimestampUs: Math.round(g.lastUs + period), count: g.missing, durationUs: g.nextUs - g.lastUs }));
  return {
    samples: c.samples,
    rateHz: c.periodUs === null ? null : Math.round((1e6 / c.periodUs) * 1000) / 1000,
    missing: gaps.reduce((n, g) => n + g.count, 0),
    gaps,
  };
}

/** Samples missing from the ~1.6 kHz IMU stream, judged like dropped frames; a sensor whose IMU was off has nothing to judge. */
function imuCheck(input: SensorInput, imu: ImuAudit | null, checks: Check[]): void {
  const s = input.serial;
  if (!imu) {
    checks.push(check('imu', 'NOT_MEASURABLE', s, `${s} recorded no IMU track (its IMU was off): there is no IMU stream to check.`));
  } else if (imu.samples === 0) {
    checks.push(check('imu', 'WARN', s, `${s} has an IMU track without a single sample.`,
      'Check that the IMU was started with the cameras, and the recorder\'s log for writer errors.', 0, null));
  } else if (imu.missing === 0) {
    const rate = imu.rateHz === null ? '' : ` at ${imu.rateHz.toFixed(1)} Hz`;
    checks.push(check('imu', 'PASS', s, `No IMU sample missing among ${imu.samples}${rate}.`, null, 0, 0));
  } else {
    const text = (g: ImuAudit['gaps'][number]) => `${g.count === 1 ? '1 sample' : `${g.count} samples`} at ${(g.deviceTimestampUs / 1e6).toFixed(3)} s`;
    const list = imu.gaps.slice(0, 5).map(text).join(', ') + (imu.gaps.length > 5 ? `, and ${imu.gaps.length - 5} more gaps` : '');
    checks.push(check('imu', 'WARN', s, `${imu.missing} of ${imu.samples + imu.missing} IMU samples missing: ${list}. Motion data is missing there; frames are not affected.`,
      'IMU samples are lost on the USB link or by the recorder: give each sensor its own USB controller, record to a faster disk, and check the recorder\'s log for writer errors ("has already been written to disk").',
      imu.missing, 0));
  }
}

/** Charts need the shape, not every frame: at most this many points per series, drops always kept. */
const SERIES_POINTS = 1500;

function seriesOf(t: SensorTiming, residuals: Float64Array | null): SensorAudit['series'] {
  const { index, times } = t.cadence;
  const stride = Math.max(1, Math.ceil(times.length / SERIES_POINTS));
  const out: NonNullable<SensorAudit['series']> = { frameIndex: [], intervalUs: [], offsetResidualUs: [] };
  for (let i = 1; i < times.length; i++) {
    const dropAfter = index[i]! - index[i - 1]! > 1;
    if (i % stride !== 0 && !dropAfter) continue;
    out.frameIndex.push(index[i]!);
    out.intervalUs.push(times[i]! - times[i - 1]!);
    const r = residuals?.[i];
    out.offsetResidualUs.push(r === undefined || Number.isNaN(r) ? null : Math.round(r * 100) / 100);
  }
  return out;
}

function dropText(d: { frameIndex: number; deviceTimestampUs: number; count: number }): string {
  const frames = d.count === 1 ? `frame ${d.frameIndex}` : `frames ${d.frameIndex}–${d.frameIndex + d.count - 1}`;
  return `${frames} at ${(d.deviceTimestampUs / 1e6).toFixed(3)} s`;
}

/** Colour against depth on one sensor: depth must sit at colour plus the quantized depth delay; IR equals depth. */
function colorDepthChecks(input: SensorInput, audit: SensorAudit, t: Thresholds, checks: Check[]): void {
  const { color, depth, ir } = input;
  if (depth && ir) {
    const same = depth.length === ir.length && depth.every((v, i) => v === ir[i]);
    if (!same) {
      checks.push(check('depth-ir', 'FAIL', input.serial, 'Depth and IR timestamps differ; an Azure Kinect stamps both images of a depth capture with one time.',
        'Check where the file came from: it was edited or written by a tool that re-timed the IR track.', depth.length - ir.length, 0));
    }
  }
  if (!color || !depth || color.length < 2 || depth.length < 2) return;
  const expected = quantizeUs(input.depthDelayUs);
  const diffs: number[] = [];
  let j = 0;
  for (const c of color) {
    while (j + 1 < depth.length && Math.abs(depth[j + 1]! - c - expected) < Math.abs(depth[j]! - c - expected)) j++;
    diffs.push(depth[j]! - c);
  }
  const measured = median(diffs);
  audit.colorToDepth = { measuredUs: measured, expectedUs: expected };
  const off = Math.abs(measured - expected);
  checks.push(off > t.colorDepthToleranceUs
    ? check('color-depth', 'FAIL', input.serial, `Depth sits ${measured.toFixed(1)} µs after colour; the configured depth delay says ${expected.toFixed(2)} µs.`,
        'Set one manual exposure once per take (auto exposure, or setting exposure every frame, shifts colour against depth).', measured, expected)
    : check('color-depth', 'PASS', input.serial, `Depth sits ${measured.toFixed(1)} µs after colour, as the depth delay (${expected.toFixed(2)} µs on the 90 kHz grid) says.`, null, measured, expected));
}

/** The audit's verdict on a take's frames. */
export function auditTake(inputs: SensorInput[], opts: AuditOptions): TakeAudit {
  return assessFrames(inputs, opts).audit;
}

/** The audit of a take's frames, and those frames placed on the reference clock for post-processing. */
export function assessFrames(inputs: SensorInput[], opts: AuditOptions): { audit: TakeAudit; timeline: TakeTimeline | null } {
  const t = opts.thresholds;
  const checks: Check[] = [...(opts.stateChecks ?? [])];
  const readable = inputs.filter((i) => i.error === null);
  const audits = new Map<SensorInput, SensorAudit>(inputs.map((i) => [i, emptyAudit(i)]));
  for (const i of inputs) {
    if (i.error) {
      checks.push(check('file', 'FAIL', i.serial, `${i.file}: ${i.error.code}: ${i.error.message}`, 'Copy the file again from the recording machine; audit the sensor\'s other copies.', i.error.code));
    } else if (i.truncatedAt !== null || !i.finalized) {
      const past = i.framesPastIndex ? `, including ${i.framesPastIndex} written after its last flush` : '';
      const why = i.truncatedAt !== null ? `is cut short at byte ${i.truncatedAt}` : 'was not finalized (its recorder did not close it)';
      checks.push(check('file', 'WARN', i.serial, `${i.file} ${why}; every complete frame was read${past}${i.startOffsetSource === 'none' ? ', but its timestamps are relative (no start offset)' : ''}.`,
        'Check the recorder\'s log and the disk; copy the file again if it was cut short in transfer.', i.truncatedAt));
    }
  }
  const fps = Number(Object.entries(readable.reduce<Record<string, number>>((m, i) => ({ ...m, [String(i.fps)]: (m[String(i.fps)] ?? 0) + 1 }), {}))
    .sort((a, b) => b[1] - a[1])[0]?.[0]) || null;
  const nominalUs = fps ? 1e6 / fps : 1e6 / 30;
  const tolerance = toleranceUs(fps ?? 30, t);
  if (readable.length > 0) checks.push(...rigChecks(readable, t));

  const timings = new Map<SensorInput, SensorTiming>();
  for (const i of readable) {
    const timing = timingOf(i, i.fps ? 1e6 / i.fps : nominalUs, opts.sourceClocks?.get(i.serial));
    if (timing) timings.set(i, timing);
    else checks.push(check('frames', 'FAIL', i.serial, `${i.file} holds fewer than 3 colour or depth frames: nothing to audit.`, 'Record again; check that the sensor streamed.', 0, 3));
  }
  const masters = readable.filter((i) => i.role === 'master');
  const subs = readable.filter((i) => i.role === 'subordinate');
  const syncSource: TakeAudit['syncSource'] =
    masters.length === 1 && subs.length + 1 === readable.length ? 'master'
    : masters.length === 0 && subs.length === readable.length && subs.length > 0 ? 'generator'
    : readable.every((i) => i.role === 'standalone') ? 'none' : 'mixed';
  const generatorRig = syncSource === 'generator';

  // Sensors whose clocks count from another origin than the rig's cannot be paired with it by time at all.
  const preferred = [...timings.keys()].find((i) => i.serial === opts.reference) ?? null;
  const knownOrigin = [...(opts.sourceClocks?.values() ?? [])].find((c) => c.origin)?.origin ?? null;
  const clocks = takeClocks(new Map([...timings].map(([i, t]) => [i, t.cadence.times[0]!])), preferred, knownOrigin);
  const clock = clocks.clock;
  const candidates = [...timings.keys()].filter((i) => clocks.shared.has(i)).sort((a, b) => a.serial.localeCompare(b.serial));
  // Without a master, measure against a sensor that plainly follows the pulses: one rate, off nominal.
  const plainlyLocked = (i: SensorInput) => {
    const segs = timings.get(i)!.cadence.segments;
    return segs.length === 1 && !isNominal(segs[0]!.ratePpm, segs[0]!.stdErrPpm);
  };
  const reference =
    candidates.find((i) => i.serial === opts.reference) ??
    candidates.find((i) => i.role === 'master') ??
    candidates.find(plainlyLocked) ??
    candidates[0] ??
    null;
  if (opts.reference && reference?.serial !== opts.reference) {
    checks.push(check('reference', 'WARN', null, `--reference ${opts.reference} is not a readable sensor of this take; ${reference?.serial ?? 'none'} was used.`, 'Pass the serial of one of the take\'s sensors.'));
  }
  const refTiming = reference ? timings.get(reference)! : null;
  // Host-clock rates are compared with the master's, or, without one, with the median of the rig: then the reference
  // sensor is tested like every other.
  const hostRates = new Map([...timings].map(([i, t]) => [i, hostRate(t)] as const));
  const master = [...timings.keys()].find((i) => i.role === 'master');
  const hostReference: HostRate | null = master ? hostRates.get(master) ?? null : medianHostRate([...hostRates.values()]);

  const paired = new Map<SensorInput, PairResult | null>();
  for (const [input, timing] of timings) {
    const pairable = refTiming && timing !== refTiming && clocks.shared.has(input);
    paired.set(input, pairable ? pairOffset(timing, refTiming, nominalUs, tolerance, clock) : null);
  }
  if (refTiming) checks.push(...originChecks(clocks.unrelated, refTiming, clock));
  // A subordinate delivers its first frame ~220-250 ms after its first pulse, a master ~66 ms after starting: their
  // first frames sit that many periods apart in a shared time base (spec §5.4).
  const startupFrames = (i: SensorInput) => (i.role === 'subordinate' ? Math.ceil(0.22 * (fps ?? 30)) : Math.round((fps ?? 30) / 15));
  const inputOf = new Map([...paired].flatMap(([i, p]) => (p ? [[p.offset, i] as const] : [])));
  corroborateShifts([...inputOf.keys()], tolerance, (o) => (reference ? startupFrames(inputOf.get(o)!) - startupFrames(reference) : 0));
  const timecodeFrames = new Map<SensorInput, Float64Array>();
  for (const [input, timing] of timings) {
    const a = audits.get(input)!;
    const c = timing.cadence;
    a.frames = c.times.length;
    a.firstDeviceTimestampUs = c.times[0]!;
    a.lastDeviceTimestampUs = c.times[c.times.length - 1]!;
    a.drops = c.drops;
    // An unmeasured rate is reported as unknown, though pairing goes on with the nominal period.
    a.clockRatePpm = c.rateSource === 'too-few-frames' ? null : c.ratePpm;
    a.clockRateStdErrPpm = c.rateSource === 'too-few-frames' ? null : c.rateStdErrPpm;
    a.clockRateSource = c.rateSource;
    a.rateSegments = c.segments;
    a.jitterTicks = c.jitterTicks;
    const pair = paired.get(input) ?? null;
    a.offset = pair?.offset ?? null;
    const depthOf = (x: SensorTiming) => (x.track === 'DEPTH' ? x : depthTiming(x, nominalUs, opts.sourceClocks?.get(x.input.serial)));
    const [sd, rd] = refTiming && timing !== refTiming && timing.track === 'COLOR' && clocks.shared.has(input) ? [depthOf(timing), depthOf(refTiming)] : [null, null];
    a.depthOffset = sd && rd ? pairOffset(sd, rd, nominalUs, tolerance, clock).offset : null;
    a.series = seriesOf(timing, pair?.residuals ?? null);
    const lock = judgeLock(timing, input === master ? null : hostRates.get(input) ?? null, hostReference, generatorRig, a.offset);
    a.locked = lock.locked;
    a.lockEvidence = lock.evidence;
    a.lockLostAtFrame = lock.lostAtFrame;
    a.hostRateVsReferencePpm = lock.hostRatePpm;
    sensorChecks(input, timing, a, lock.message, t, tolerance, generatorRig, checks, opts);
    const onTimecode = opts.timecode ? timecodeChecks(opts.timecode, timing, a, checks) : null;
    if (onTimecode) timecodeFrames.set(input, onTimecode);
    colorDepthChecks(input, a, t, checks);
  }
  for (const input of readable) imuCheck(input, audits.get(input)!.imu, checks);

  if (generatorRig) {
    const rates = subs.map((s) => audits.get(s)!.clockRatePpm).filter((r): r is number => r !== null);
    const m = median(rates);
    if (rates.length > 0 && Math.abs(m) > GENERATOR_RATE_TOLERANCE_PPM) {
      const hz = (fps ?? 30) / (1 + m * 1e-6);
      checks.push(check('generator-rate', 'FAIL', null, `Every sensor measures the pulses ${m.toFixed(0)} ppm off the nominal ${fps} fps: the generator runs at about ${hz.toFixed(3)} Hz, not ${fps}.`,
        `Set the generator to exactly ${fps} Hz (not ${hz.toFixed(2)}); Azure Kinects need exactly 30, 15 or 5 Hz.`, Math.round(hz * 1000) / 1000, fps));
    } else if (rates.length > 0) {
      checks.push(check('generator-rate', 'PASS', null, `The sensors measure the generator within ${Math.abs(m).toFixed(1)} ppm of ${fps} Hz (their crystals).`, null, m, GENERATOR_RATE_TOLERANCE_PPM));
    }
  }

  const window = commonWindow(timings, refTiming, audits, nominalUs, tolerance, clock);
  if (window) {
    const outside = [...audits.values()].filter((a) => a.window && (a.window.framesBefore || a.window.framesAfter));
    checks.push(check('window', 'PASS', null, `Common window: ${window.frames} frames (${((window.endUs - window.startUs) / 1e6).toFixed(2)} s) that every aligned sensor covers` +
      (outside.length ? `; outside it: ${outside.map((a) => `${a.serial} ${a.window!.framesBefore} before, ${a.window!.framesAfter} after`).join('; ')} (start-up and stop frames, not drops).` : '.'), null, window.frames));
  }
  if (opts.timecodeWarning) checks.push(check('timecode', 'WARN', null, opts.timecodeWarning, 'Raise the gain of the host audio input the generator\'s LTC is recorded on (aim for -20 to -6 dBFS).'));
  if (opts.timecodeProblem) checks.push(check('timecode', 'WARN', null, opts.timecodeProblem, 'Check the LTC cable into the host audio input and its level; the frames are still audited without timecode.'));
  const placed = [...audits.values()].filter((a) => a.timecodeIn !== null);
  const timecode = opts.timecode && placed.length > 0
    ? { rate: opts.timecode.rate, source: 'ltc.wav', in: placed.map((a) => a.timecodeIn!).sort()[0]!, out: placed.map((a) => a.timecodeOut!).sort().at(-1)! }
    : null;
  const anyHost = readable.some((i) => i.hostUs !== null);
  if (!anyHost && readable.length > 0) {
    checks.push(check('host-clock', 'NOT_MEASURABLE', null, 'The files carry no host arrival times (not recorded by k4sync): lock is judged from device timestamps only.', null));
  }

  const statuses = checks.map((c) => c.status);
  const verdict: Status = statuses.includes('FAIL') ? 'FAIL' : statuses.includes('WARN') ? 'WARN' : 'PASS';
  const timeline = buildTimeline({
    take: opts.take, inputs, timings, reference: refTiming, offsets: new Map([...audits].map(([i, a]) => [i, a.offset])),
    timecode: timecodeFrames, timecodeRate: opts.timecode?.rate ?? null, window, fps, sourceClocks: opts.sourceClocks, clock,
    unrelated: new Set(clocks.unrelated.map((u) => u.input)),
  });
  const audit: TakeAudit = {
    schema: AUDIT_SCHEMA,
    k4syncVersion: opts.version,
    auditedAt: (opts.now ?? new Date()).toISOString(),
    take: opts.take,
    verdict,
    fps,
    syncSource,
    reference: reference?.serial ?? null,
    window,
    sensors: inputs.map((i) => audits.get(i)!),
    timecode,
    audio: [],
    checks,
    thresholds: t,
  };
  return { audit, timeline };
}

function sensorChecks(input: SensorInput, timing: SensorTiming, a: SensorAudit, lockMessage: string, t: Thresholds, tolerance: number, generatorRig: boolean, checks: Check[], opts: AuditOptions): void {
  const s = input.serial;
  const c = timing.cadence;
  const dropped = c.drops.reduce((n, d) => n + d.count, 0);
  const expected = dropped + c.times.length;
  if (dropped === 0) {
    checks.push(check('drops', 'PASS', s, `No frame missing among ${c.times.length} (${timing.track}).`, null, 0, 0));
  } else {
    const list = c.drops.slice(0, 5).map(dropText).join(', ') + (c.drops.length > 5 ? `, and ${c.drops.length - 5} more` : '');
    const longest = Math.max(...c.drops.map((d) => d.count));
    const fail = dropped > t.dropFailFraction * expected || longest * (timing.input.fps ? 1e6 / timing.input.fps : 33333) >= 1e6;
    checks.push(check('drops', fail ? 'FAIL' : 'WARN', s, `${dropped} of ${expected} frames missing: ${list}.`,
      'Dropped frames come from USB, host or disk load: one host controller per two sensors, a faster disk, fewer sensors per PC, usbcore.usbfs_memory_mb raised on Linux.', dropped, fail ? Math.floor(t.dropFailFraction * expected) : 0));
  }
  if (c.jitterTicks.max > t.jitterWarnTicks) {
    checks.push(check('jitter', 'WARN', s, `Frame times wander up to ${c.jitterTicks.max.toFixed(1)} ticks (${(c.jitterTicks.max * TICK_US).toFixed(0)} µs) from a straight line (rms ${c.jitterTicks.rms.toFixed(1)}).`,
      'Look for auto exposure or a cable that drops pulses; the device clock itself steps in 11.1 µs ticks.', c.jitterTicks.max, t.jitterWarnTicks));
  }
  const known = opts.sourceClocks?.get(s);
  if (c.rateSource === 'too-few-frames') {
    checks.push(check('clock-rate', 'NOT_MEASURABLE', s, `${c.times.length} frames are too few to measure a clock rate (${MIN_RATE_FRAMES} needed): the nominal period is used to pair its frames, and its offsets carry an unmeasured crystal's uncertainty.`, null, null, MIN_RATE_FRAMES));
  } else if (c.rateSource === 'source-take' && known) {
    checks.push(check('clock-rate', 'PASS', s, `Clock rate ${c.ratePpm.toFixed(2)} ± ${c.rateStdErrPpm.toFixed(2)} ppm, as measured over ${known.frames} frames of ${known.take}, the take this one was trimmed from (a window measures a rate less well than its source).`, null, c.ratePpm, t.implausibleRatePpm));
  } else if (Math.abs(c.ratePpm) > t.implausibleRatePpm && !(input.role === 'subordinate' && generatorRig)) {
    checks.push(check('clock-rate', 'WARN', s, `Its clock runs ${c.ratePpm.toFixed(1)} ppm off nominal, beyond any crystal: it is not following pulses at the rig's rate.`, 'Check the sync source feeding it and the recording tool (timestamps may have been rewritten).', c.ratePpm, t.implausibleRatePpm));
  } else {
    checks.push(check('clock-rate', 'PASS', s, `Clock rate ${c.ratePpm.toFixed(2)} ± ${c.rateStdErrPpm.toFixed(2)} ppm against the nominal ${timing.input.fps} fps of its sync source.`, null, c.ratePpm, t.implausibleRatePpm));
  }
  if (input.role === 'subordinate') {
    const status = a.locked === true ? 'PASS' : a.locked === false ? 'FAIL' : a.lockEvidence === 'heuristic' || a.lockEvidence === 'rate-change' ? 'WARN' : 'NOT_MEASURABLE';
    const remedy = a.locked === true ? null
      : a.lockLostAtFrame !== null ? `${s} stopped receiving sync around frame ${a.lockLostAtFrame}: check its Sync In cable and the cable before it in the chain; frames after that are not synchronized.`
      : `${s} may not be receiving sync: check its Sync In cable (tip carries the pulse) and the device feeding it.`;
    checks.push(check('lock', status, s, `${s} ${lockMessage}.`, remedy, a.locked === null ? 'unknown' : a.locked ? 'locked' : 'not locked', null));
  }
  const o = a.offset;
  if (o) {
    const fps = input.fps ?? 30;
    if (o.measuredUs === null) {
      checks.push(check('offset', 'NOT_MEASURABLE', s, `${s} and ${o.reference} share too few frames to compare.`, null));
    } else if (o.aligned === null && o.uncertaintyUs !== null && o.uncertaintyUs > tolerance) {
      checks.push(check('offset', 'NOT_MEASURABLE', s, `${s} sits ${o.measuredUs.toFixed(0)} µs from ${o.reference} (${o.expectedUs.toFixed(2)} expected), but that cannot be judged: their clock rates are known only to within ${o.uncertaintyUs.toFixed(0)} µs at these device times, beyond the ${tolerance} µs tolerance` +
        `${timing.cadence.rateSource === 'too-few-frames' ? ` (${timing.cadence.times.length} frames are too few to measure a rate)` : ''}. No whole-frame shift is seen.`,
        'Audit the whole take these frames came from, or trim it with k4sync (its take.json then carries the source\'s clock rates).', Math.round(o.uncertaintyUs), tolerance));
    } else if (o.aligned) {
      checks.push(check('offset', 'PASS', s, `${s} sits ${o.measuredUs.toFixed(1)} µs from ${o.reference} (${o.track}; expected ${o.expectedUs.toFixed(2)} µs from the delays), every frame within ${tolerance} µs` +
        (o.rawDivergenceUs !== null && Math.abs(o.rawDivergenceUs) > 1 ? `; raw device times diverge ${o.rawDivergenceUs.toFixed(0)} µs over the take, which is clock rate, not misalignment.` : '.') +
        (o.frameShift === null ? ' Whole frame periods cannot be checked: the files carry no host times and the recordings did not stop together.' : ''),
        null, Math.round(o.maxResidualUs! * 100) / 100, tolerance));
    } else if (a.lockLostAtFrame !== null) {
      checks.push(check('offset', 'FAIL', s, `${s} sits in step with ${o.reference} until it loses sync around frame ${a.lockLostAtFrame}, then drifts away at its own crystal's pace (worst ${o.maxResidualUs!.toFixed(0)} µs against a ${tolerance} µs tolerance).`,
        `${s} is not receiving sync after frame ${a.lockLostAtFrame}: check its Sync In cable and the one before it in the chain.`, Math.round(o.maxResidualUs!), tolerance));
    } else if (offsetFault(o, tolerance) === 'start-order') {
      const evidence = o.pairedBy === 'host-time' ? 'frames that arrived together' : 'the ends of the recordings';
      checks.push(check('offset', 'FAIL', s, `${s} is ${o.frameShift} frame period(s) (${((o.frameShift ?? 0) * 1e3 / fps).toFixed(1)} ms) off ${o.reference} by ${evidence}: the time bases do not match: its clock was zeroed by a different pulse, a start-order fault (subordinate started after the master, or restarted).`,
        'Start every subordinate before the master (or arm all sensors before switching the generator on), and never restart one mid-take.', o.frameShift, 0));
    } else if (offsetFault(o, tolerance) === 'drift') {
      checks.push(check('offset', 'FAIL', s, `${s} drifts away from ${o.reference} at ${o.trendUsPerMinute!.toFixed(1)} µs per minute and leaves the ${tolerance} µs tolerance (worst ${o.maxResidualUs!.toFixed(0)} µs): it is not following the same pulses.`,
        `${s} is not receiving sync for (part of) the take: check its Sync In cable.`, Math.round(o.maxResidualUs!), tolerance));
    } else {
      const how = o.hostGapUs !== null && o.hostGapUs >= 5000
        ? `its frames reach the host ${(o.hostGapUs / 1000).toFixed(1)} ms away from ${o.reference}'s: they are not triggered by the same pulses`
        : `matched frames sit ${o.measuredUs.toFixed(0)} µs apart against ${o.expectedUs.toFixed(2)} expected (tolerance ${tolerance} µs)`;
      checks.push(check('offset', 'FAIL', s, `${s} and ${o.reference} do not share a time base: ${how}.`,
        'Wire the sensors with sync cables (master Sync Out to subordinate Sync In), start subordinates first, and record them as one take.', Math.round(o.maxResidualUs!), tolerance));
    }
  }
}

/**
 * A sensor whose clock counts from another origin than the rig's: a timestamp reset (or host time sync) that failed
 * on it. Its frames may well have followed the pulses; no time can tell which of its frames goes with which.
 */
function originChecks(unrelated: { input: SensorInput; firstUs: number }[], ref: SensorTiming, clock: ClockOrigin): Check[] {
  const refFirst = ref.cadence.times[0]!;
  return unrelated.map(({ input, firstUs }) => {
    const apart = Math.abs(firstUs - refFirst) / 1e6;
    const gap = apart >= 3600 ? `${(apart / 3600).toFixed(1)} h` : apart >= 60 ? `${(apart / 60).toFixed(1)} min` : `${apart.toFixed(1)} s`;
    const rig = clock.epoch ? 'the rig\'s clocks count from the Unix epoch, set together' : 'the rig\'s clocks count from their start';
    return check('clock-origin', 'FAIL', input.serial,
      `${input.serial}'s device clock does not count from the rig's origin: its first frame reads ${clockReading(firstUs)} on its clock, ${ref.input.serial}'s ${clockReading(refFirst)} (${gap} apart; ${rig}). Its timestamp reset failed, so its frames cannot be paired with the others' by time.`,
      `Reset every sensor's device clock together before the next take (the same clock sync mode on all; power-cycle ${input.serial} if its reset keeps failing) and record again.`,
      Math.round(firstUs - refFirst), null);
  });
}

/**
 * Why a pair is not aligned. Whole frame periods with the right fraction: clocks zeroed by different pulses of the
 * same train (start order). Right offset on average but leaving the tolerance along a trend: one of them stopped
 * following the pulses. Anything else: time bases that have nothing to do with each other.
 */
function offsetFault(o: NonNullable<SensorAudit['offset']>, tolerance: number): 'start-order' | 'drift' | 'unrelated' {
  const fractionOk = o.measuredUs !== null && Math.abs(o.measuredUs - o.expectedUs) <= tolerance + (o.uncertaintyUs ?? 0) && (o.hostGapUs === null || o.hostGapUs < 5000);
  if (fractionOk && o.frameShift !== null && o.frameShift !== 0) return 'start-order';
  const trend = o.trendUsPerMinute;
  const significant = trend !== null && o.trendStdErrUsPerMinute !== null && Math.abs(trend) > Math.max(1, 4 * o.trendStdErrUsPerMinute);
  if (fractionOk && o.frameShift === 0 && significant) return 'drift';
  return 'unrelated';
}

function commonWindow(
  timings: Map<SensorInput, SensorTiming>,
  ref: SensorTiming | null,
  audits: Map<SensorInput, SensorAudit>,
  nominalUs: number,
  tolerance: number,
  clock: ClockOrigin,
): TakeAudit['window'] {
  if (!ref) return null;
  const onRef = new Map<SensorInput, Float64Array>([[ref.input, ref.cadence.times]]);
  for (const [input, timing] of timings) {
    const o = audits.get(input)!.offset;
    if (timing !== ref && o?.aligned) onRef.set(input, onReferenceClock(timing, ref, o, nominalUs, clock));
  }
  let start = -Infinity;
  let end = Infinity;
  for (const times of onRef.values()) {
    start = Math.max(start, times[0]!);
    end = Math.min(end, times[times.length - 1]!);
  }
  if (!(end >= start)) return null;
  for (const [input, times] of onRef) {
    let before = 0;
    let after = 0;
    for (const v of times) {
      if (v < start - tolerance) before++;
      else if (v > end + tolerance) after++;
    }
    audits.get(input)!.window = { framesBefore: before, framesAfter: after };
  }
  return { startUs: start, endUs: end, frames: Math.round((end - start) / nominalUs) + 1 };
}

