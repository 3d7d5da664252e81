import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Device, DeviceSession, Incident, SessionOptions } from '../../src/capture/device.js';
import { LtcInputError, startLtcCapture } from '../../src/capture/ltc-capture.js';
import { recordTake, type LtcSource, type Operator, type RecordOptions } from '../../src/capture/record.js';
import { openSimulatedRig, simulatedCrew } from '../../src/capture/simulated-device.js';
import { parseRig } from '../../src/capture/simulated-rig.js';
import { readManifest, type TakeManifest } from '../../src/take/index.js';
import { childrenOf } from '../e2e/files.js';
import { linuxOnly } from '../helpers/platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-seam-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const sub = (serial: string, syncIn: string | null) => ({ serial, role: 'subordinate', syncIn, crystalPpm: 4 });
const daisy = { imu: false, sensors: [{ serial: 'M1', role: 'master', syncIn: null, crystalPpm: 3 }, sub('S2', 'M1'), sub('S3', 'S2')] };
const generator = { imu: false, sync: { source: 'generator', rateHz: 30 }, generator: { ltc: false }, sensors: [sub('G1', 'generator'), sub('G2', 'G1')] };

function take(rigJson: object, extra: Partial<RecordOptions> = {}): RecordOptions {
  const device = openSimulatedRig(parseRig(rigJson), 'tiny');
  return {
    device, operator: simulatedCrew(device), out: join(tmp, `take-${n++}`), mode: { fps: 30, color: 'MJPG_720P', depth: 'NFOV_UNBINNED', imu: false },
    frames: 90, generator: 'sync' in rigJson, firstFrameTimeoutMs: 2000, flushIntervalMs: 1000, ...extra,
  };
}

/**
 * The device as it is, but its sessions also report incidents: `lists[k]` is the whole list the native layer gives at
 * the k-th call (the last one from then on), as a list that only grows and updates a run still going in place.
 */
function reporting(inner: Device, lists: Incident[][]): Device & { options: SessionOptions[] } {
  const options: SessionOptions[] = [];
  return {
    library: inner.library, simulated: inner.simulated, rigName: inner.rigName, timing: inner.timing, options,
    list: () => inner.list(),
    openSession(plans, opts) {
      options.push(opts);
      const s = inner.openSession(plans, opts);
      let call = 0;
      const session: DeviceSession = {
        open: () => s.open(), startCameras: (i) => s.startCameras(i), startImu: (i) => s.startImu(i), startThreads: () => s.startThreads(),
        stop: () => s.stop(), stats: () => s.stats(), watch: (f, ms) => s.watch(f, ms), close: () => s.close(),
        incidents: () => [...s.incidents(), ...lists[Math.min(call++, lists.length - 1)]!],
      };
      return session;
    },
  };
}

const onDisk = (dir: string): TakeManifest => readManifest(join(dir, 'take.json'));

describe('recordTake through the device seam', () => {
  it('asks the operator to switch the generator off, then on, with take.json already saying "armed"; the simulated crew flips the generator', async () => {
    const asked: { on: boolean; manifest: TakeManifest | null }[] = [];
    const said: string[] = [];
    const opts = take(generator);
    const tell: Operator = {
      switchGenerator: async (on) => void asked.push({ on, manifest: existsSync(join(opts.out, 'take.json')) ? onDisk(opts.out) : null }),
      say: (m) => void said.push(m),
    };
    const device = opts.device as ReturnType<typeof openSimulatedRig>;
    const r = await recordTake({ ...opts, operator: simulatedCrew(device, { tell }) });
    expect(r.outcome).toBe('complete');
    expect(asked.map((a) => a.on)).toEqual([false, true]);
    // When asked to switch it on, every sensor was armed, and a recorder killed then leaves a take the audit calls unfinished.
    const armed = asked[1]!.manifest!;
    expect(armed.stopReason).toBe('recording');
    expect(armed.timeline.map((e) => e.event)).toContain('armed');
    expect(said).toEqual(['All 2 sensors are armed and waiting for sync.']);
    expect(device.truth().generator.on).toBe(true);
    expect(onDisk(r.dir).stopReason).toBe('90 frames recorded');
  });

  it('every incident the native layer reports lands in take.json with its times; a loss is told, a write failure is a fault', async () => {
    const opts = take(daisy);
    const overflow: Incident = { kind: 'queue-overflow', serial: 'S2', hostUs: 5, deviceUs: 1_000_000, detail: 'the writer queue was full: 1 capture lost' };
    // The run goes on: the same incident, a later count.
    const longer = { ...overflow, detail: 'the writer queue was full: 4 captures lost' };
    const device = reporting(opts.device, [[overflow], [longer]]);
    const r = await recordTake({ ...opts, device });
    expect(device.options[0]!.logFile).toBe(join(r.dir, 'k4a.log'));
    expect(r.incidents).toEqual([longer]);
    expect(r.outcome).toBe('complete');
    expect(r.message).toMatch(/1 loss of data recorded as incidents in take\.json/);
    expect(onDisk(r.dir).incidents).toEqual([{ hostUs: 5, serial: 'S2', kind: 'queue-overflow', deviceUs: 1_000_000, what: 'queue-overflow: the writer queue was full: 4 captures lost (device time 1000000 µs)' }]);
    // The queue's high-water mark, per sensor.
    for (const s of onDisk(r.dir).sensors) expect(s.writerQueue, s.serial).toEqual({ capacity: expect.any(Number), highWater: expect.any(Number), lost: 0 });

    const failing = take(daisy, { frames: 0 });
    const writeFailed: Incident = { kind: 'write-failed', serial: 'S3', hostUs: 7, deviceUs: null, detail: 'k4a_record_write_capture failed' };
    const f = await recordTake({ ...failing, device: reporting(failing.device, [[], [], [writeFailed]]) });
    expect(f.outcome).toBe('fault');
    expect(f.message).toMatch(/^S3: k4a_record_write_capture failed\./);
    const manifest = onDisk(f.dir);
    expect(manifest.stopReason).toMatch(/^fault: S3: k4a_record_write_capture failed/);
    expect(manifest.incidents).toContainEqual({ hostUs: 7, serial: 'S3', kind: 'write-failed', deviceUs: null, what: 'write-failed: k4a_record_write_capture failed' });
  });

  it('a sensor the SDK refuses to start is a typed refusal, and pre-flight refuses the take', async () => {
    const opts = take(daisy);
    const wrong = { generator: false, startOrder: ['S2', 'S3', 'M1'], sensors: [['M1', 'master'], ['S2', 'subordinate'], ['S3', 'master']].map(([serial, role], index) => ({ index, serial: serial!, role: role as 'master' | 'subordinate', depthDelayUs: index * 160, subordinateDelayUs: 0 })) };
    const r = await recordTake({ ...opts, rigPlan: wrong });
    expect(r.outcome).toBe('refused');
    expect(r.refusals).toEqual([{ step: 'cameras', serial: 'S3', hostUs: expect.any(Number), detail: expect.stringMatching(/sync out/i) }]);
    expect(r.error).toMatchObject({ code: 'K4S_PREFLIGHT', message: expect.stringMatching(/^Cannot record: S3 refused to start: /) });
    expect(onDisk(r.dir).stopReason).toMatch(/^refused: Cannot record: S3 refused to start/);
    for (const f of r.files) expect(existsSync(f)).toBe(true);
  });

  it('an LTC input that cannot start refuses the take inside the guarded section: take.json says so', async () => {
    const opts = take(daisy);
    const ltc: LtcSource = { start: async () => Promise.reject(new LtcInputError('ffmpeg could not record from alsa:nothing')) };
    const r = await recordTake({ ...opts, ltc });
    expect(r.outcome).toBe('refused');
    expect(r.error).toBeInstanceOf(LtcInputError);
    expect(onDisk(r.dir).stopReason).toBe('refused: ffmpeg could not record from alsa:nothing');
  });

  it('the LTC recording is stopped and described in take.json however the take ends (here: a sensor unplugged)', async () => {
    const opts = take({ ...daisy, sensors: [daisy.sensors[0], { ...sub('S2', 'M1'), disconnectAtFrame: 30 }, daisy.sensors[2]] });
    const stops: string[] = [];
    const ltc: LtcSource = { start: async (dir) => ({ stop: async () => (stops.push(dir), { file: 'ltc.wav', channel: 0, sampleRate: 48000, rate: null, hostStartUs: 1, anchors: [] }) }) };
    const r = await recordTake({ ...opts, ltc });
    expect(r.outcome).toBe('fault');
    expect(stops).toEqual([r.dir]);
    const manifest = JSON.parse(readFileSync(join(r.dir, 'take.json'), 'utf8')) as TakeManifest;
    expect(manifest.ltc).toMatchObject({ file: 'ltc.wav', hostStartUs: 1 });
    expect(manifest.incidents).toEqual([expect.objectContaining({ serial: 'S2', what: expect.stringMatching(/^unplugged: /) })]);
  });
});

describe('startLtcCapture', () => {
  linuxOnly('the child processes are listed from /proc')('an ffmpeg that has not begun recording within the start-up timeout is stopped and refused', async () => {
    const dir = mkdtempSync(join(tmp, 'ltc-'));
    const never = startLtcCapture('lavfi:sine=frequency=1000:sample_rate=48000', dir, 1);
    await expect(never).rejects.toThrow(LtcInputError);
    await expect(never).rejects.toThrow(/did not begin recording from lavfi:sine=frequency=1000:sample_rate=48000 within 0\.001 s/);
    expect(childrenOf(process.pid).filter((c) => c.comm === 'ffmpeg')).toEqual([]);
  });
});
