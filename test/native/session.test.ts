// The capture session of native/addon on the simulated rig: every sample the device delivered reaches the file (IMU
// included) whatever the fps, payload or flush rate; a full queue loses captures only as incidents; failures say why.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeBinding, SIMULATED_RIG_LIBRARY, type NativeIncident, type NativeSensorPlan, type NativeSensorStats, type NativeSessionOptions } from '../../src/capture/native.js';
import { parseRig, rigToSimText, type Rig } from '../../src/capture/simulated-rig.js';
import { readRecording } from '../../src/recording/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-session-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The system's words for a missing folder: strerror(ENOENT) on Linux, ERROR_PATH_NOT_FOUND's message on Windows (Wine's wording too). */
const NO_SUCH_FOLDER = process.platform === 'win32' ? 'The system cannot find the path specified|Path not found' : 'No such file or directory';

const FPS_ENUM: Record<number, number> = { 5: 0, 15: 1, 30: 2 };
const IMU_RATE_HZ = 1666;

/** A master and three daisy-chained subordinates, depth delays 160 µs apart (the positive delay puts depth after colour). */
function fourSensorRig(fps: 5 | 15 | 30): Rig {
  const serials = ['000700000001', '000700000002', '000700000003', '000700000004'];
  return parseRig({
    name: `four-${fps}`,
    fps,
    color: 'MJPG_720P',
    depth: 'NFOV_UNBINNED',
    imu: true,
    jitterTicks: 2,
    seed: 7,
    sync: { source: 'master' },
    sensors: serials.map((serial, i) => ({
      serial,
      role: i === 0 ? 'master' : 'subordinate',
      syncIn: i === 0 ? null : serials[i - 1],
      crystalPpm: [12, -7, 3, 5][i],
      depthDelayUs: 160 * i,
    })),
  });
}

interface SimTruthSensor {
  serial: string;
  frames: { colorUs: number[]; depthUs: number[] };
  imuFirstUs: number;
  imuSamples: number;
}

interface Run {
  dir: string;
  truth: SimTruthSensor[];
  stats: NativeSensorStats[];
  incidents: NativeIncident[];
}

/** Records a take through the native session: subordinates armed before the master, IMU after the cameras. */
async function record(name: string, rig: Rig, payload: 'tiny' | 'realistic', options: NativeSessionOptions): Promise<Run> {
  const native = nativeBinding();
  native.openLibrary(SIMULATED_RIG_LIBRARY);
  native.simConfigure(rigToSimText(rig, payload));
  const dir = join(tmp, name);
  const plans: NativeSensorPlan[] = rig.sensors.map((s, index) => ({
    index,
    path: join(dir, `${s.serial}.mkv`),
    colorFormat: 0,
    colorResolution: 1,
    depthMode: 2,
    fps: FPS_ENUM[rig.fps]!,
    depthDelayUs: s.depthDelayUs,
    syncMode: s.role === 'master' ? 1 : 2,
    subordinateDelayUs: 0,
    imu: true,
  }));
  mkdirSync(dir, { recursive: true });
  const session = new native.Session(plans, options);
  try {
    session.open();
    const order = [...rig.sensors.keys()].sort((a, b) => (rig.sensors[a]!.role === 'master' ? 1 : 0) - (rig.sensors[b]!.role === 'master' ? 1 : 0));
    for (const i of order) {
      session.startCameras(i);
      session.startImu(i);
    }
    session.startThreads();
    await session.watch(() => {}, 20);
  } finally {
    session.close();
  }
  const truth = (JSON.parse(native.simTruth()) as { sensors: SimTruthSensor[] }).sensors;
  return { dir, truth, stats: session.stats(), incidents: session.incidents() };
}

/** The IMU stream the rig handed over: 1666 Hz from the first frame's colour time (sim/rig/rig_model.cpp). */
function imuTruth(t: SimTruthSensor): number[] {
  return Array.from({ length: t.imuSamples }, (_, k) => t.imuFirstUs + Math.floor((k * 1e6) / IMU_RATE_HZ));
}

function expectEverySample(run: Run): void {
  for (const t of run.truth) {
    const rec = readRecording(join(run.dir, `${t.serial}.mkv`), { imuSamples: true });
    expect(rec.finalized, t.serial).toBe(true);
    expect(Array.from(rec.color ?? []), `${t.serial} colour`).toEqual(t.frames.colorUs);
    expect(Array.from(rec.depth ?? []), `${t.serial} depth`).toEqual(t.frames.depthUs);
    expect(Array.from(rec.ir ?? []), `${t.serial} IR`).toEqual(t.frames.depthUs);
    expect(t.imuSamples, `${t.serial} IMU delivered`).toBeGreaterThan(0);
    expect(Array.from(rec.imu?.accTimestampsUs ?? []), `${t.serial} IMU`).toEqual(imuTruth(t));
  }
  for (const s of run.stats) {
    const t = run.truth.find((x) => x.serial === s.serial)!;
    expect(s.frames, s.serial).toBe(t.frames.colorUs.length);
    expect(s.imuSamples, s.serial).toBe(t.imuSamples);
    expect(s.lostInQueue, s.serial).toBe(0);
    expect(s.queueHighWater, s.serial).toBeLessThanOrEqual(s.queueCapacity);
    expect(s.state, s.serial).toBe('done');
  }
  expect(run.incidents).toEqual([]);
}

function logErrors(dir: string): string[] {
  const path = join(dir, 'k4arecord.log');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => / error: /.test(l)) : [];
}

describe('native session: the writer drops nothing', () => {
  // Flushing after every batch is the hardest case: each flush makes final everything written so far.
  for (const fps of [5, 15, 30] as const) {
    it(`${fps} fps, tiny payloads, 4 sensors, flushed after every batch: every frame and IMU sample of the truth`, async () => {
      const run = await record(`tiny-${fps}`, fourSensorRig(fps), 'tiny', { maxFrames: fps * 10, flushIntervalMs: 0, logFile: join(tmp, `tiny-${fps}`, 'k4a.log') });
      expectEverySample(run);
      expect(logErrors(run.dir)).toEqual([]);
      expect(run.stats.every((s) => s.flushes > 1)).toBe(true);
    });

    it(`${fps} fps, realistic payloads, 4 sensors, flushed every 100 ms: every frame and IMU sample of the truth`, async () => {
      const run = await record(`real-${fps}`, fourSensorRig(fps), 'realistic', { maxFrames: fps * 4, flushIntervalMs: 100, logFile: join(tmp, `real-${fps}`, 'k4a.log') });
      expectEverySample(run);
      expect(logErrors(run.dir)).toEqual([]);
      rmSync(run.dir, { recursive: true, force: true });
    });
  }

  it('a long tiny take keeps its order over thousands of clusters and many flushes', async () => {
    const run = await record('long', fourSensorRig(30), 'tiny', { maxFrames: 6000, flushIntervalMs: 50 });
    expectEverySample(run);
    expect(run.stats.every((s) => s.flushes > 2)).toBe(true);
  }, 120_000);
});

describe('native session: the queue between capture and writer thread', () => {
  it('holds 3 s of frames by default and records its high-water mark', async () => {
    const run = await record('capacity', fourSensorRig(15), 'tiny', { maxFrames: 30, flushIntervalMs: 1000 });
    expect(run.stats.map((s) => s.queueCapacity)).toEqual([45, 45, 45, 45]);
    expect(run.stats.every((s) => s.queueHighWater >= 1 && s.queued === 0)).toBe(true);
  });

  it('a full queue loses captures as a queue-overflow incident with its device time; the file is still finalized', async () => {
    // Two places, and the writer starts only once ten captures were offered: captures 3 to 10 find the queue full.
    const run = await record('overflow', fourSensorRig(30), 'tiny', { maxFrames: 40, flushIntervalMs: 1000, queueCapacity: 2, queueFull: 'drop', writerHoldCaptures: 10 });
    for (const t of run.truth) {
      const stats = run.stats.find((s) => s.serial === t.serial)!;
      const overflows = run.incidents.filter((i) => i.serial === t.serial);
      expect(stats.queueCapacity).toBe(2);
      expect(stats.lostInQueue).toBeGreaterThanOrEqual(8);
      expect(overflows.every((i) => i.kind === 'queue-overflow')).toBe(true);
      // The first run starts at the third frame delivered.
      expect(overflows[0]!.deviceUs).toBe(t.frames.colorUs[2]);
      expect(overflows[0]!.detail).toMatch(/^\d+ captures lost: the writer queue \(2 captures\) was full/);
      const counted = overflows.reduce((n, i) => n + Number(/^(\d+)/.exec(i.detail)![1]), 0);
      expect(counted).toBe(stats.lostInQueue);

      const rec = readRecording(join(run.dir, `${t.serial}.mkv`), { imuSamples: true });
      expect(rec.finalized).toBe(true);
      const written = Array.from(rec.color ?? []);
      expect(written.length + stats.lostInQueue).toBe(t.frames.colorUs.length);
      expect(written.slice(0, 2)).toEqual(t.frames.colorUs.slice(0, 2));
      expect(written).not.toContain(t.frames.colorUs[2]);
      // Samples travel beside the captures: none is lost with them.
      expect(Array.from(rec.imu?.accTimestampsUs ?? [])).toEqual(imuTruth(t));
    }
  });
});

describe('native session: failures say why', () => {
  it('a recording that cannot be created names the reason and is a create-failed incident; the error lands in the log, not on stdout', async () => {
    const logDir = join(tmp, 'create-log');
    mkdirSync(logDir, { recursive: true });
    const rig = fourSensorRig(30);
    const native = nativeBinding();
    native.openLibrary(SIMULATED_RIG_LIBRARY);
    native.simConfigure(rigToSimText(rig, 'tiny'));
    const path = join(tmp, 'no-such-dir', 'x.mkv');
    const session = new native.Session(
      [{ index: 0, path, colorFormat: 0, colorResolution: 1, depthMode: 2, fps: 2, depthDelayUs: 0, syncMode: 1, subordinateDelayUs: 0, imu: true }],
      { maxFrames: 1, flushIntervalMs: 1000, logFile: join(logDir, 'k4a.log') },
    );
    try {
      expect(() => session.open()).toThrow(new RegExp(`cannot create .*x\\.mkv: .*(${NO_SUCH_FOLDER})`));
    } finally {
      session.close();
    }
    expect(session.incidents()).toEqual([
      { serial: rig.sensors[0]!.serial, kind: 'create-failed', deviceUs: null, detail: expect.stringMatching(new RegExp(`(${NO_SUCH_FOLDER}).*k4arecord\\.log`)) },
    ]);
    expect(logErrors(logDir).join('\n')).toMatch(/Unable to open recording file .*x\.mkv/);
    expect(process.env.K4A_ENABLE_LOG_TO_STDOUT).toBe('0');
  });
});
