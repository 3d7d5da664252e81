import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { K4sError } from '../../src/errors.js';
import { recordTake, type RecordOptions } from '../../src/capture/record.js';
import { openSimulatedRig, simulatedCrew } from '../../src/capture/simulated-device.js';
import { loadRig, parseRig } from '../../src/capture/simulated-rig.js';
import { readManifest } from '../../src/take/index.js';
import { isRecordingError, readRecording } from '../../src/recording/index.js';
import { auditDir } from '../audit/helpers.js';
import { linuxOnly } from '../helpers/platform.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/bin/k4sync.js');
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** Options for a take on the simulated rig; `leavesGeneratorOn` plays a crew that leaves the generator running. */
function options(rigJson: object, extra: Partial<RecordOptions> = {}, crew: { leavesGeneratorOn?: boolean } = {}): RecordOptions {
  const rig = parseRig(rigJson);
  const device = openSimulatedRig(rig, 'tiny');
  return {
    device,
    operator: simulatedCrew(device, crew),
    out: join(tmp, `take-${n++}`),
    mode: { fps: rig.fps, color: rig.color, depth: rig.depth, imu: rig.imu },
    frames: 600,
    generator: rig.sync.source === 'generator',
    firstFrameTimeoutMs: 2000,
    flushIntervalMs: 1000,
    ...extra,
  };
}

const sub = (serial: string, syncIn: string | null, crystalPpm: number) => ({ serial, role: 'subordinate', syncIn, crystalPpm });
const daisy = { imu: false, sensors: [{ serial: 'M1', role: 'master', syncIn: null, crystalPpm: 3 }, sub('S2', 'M1', -11), sub('S3', 'S2', 17)] };
const star = { imu: false, sensors: [{ serial: 'M1', role: 'master', syncIn: null, crystalPpm: -6 }, sub('S2', 'M1', 12), sub('S3', 'M1', -20)] };
const generator = { imu: false, sync: { source: 'generator', rateHz: 30 }, sensors: [sub('G1', 'generator', 9), sub('G2', 'G1', -14), sub('G3', 'G2', 5)] };

describe('k4sync record on the simulated rig', () => {
  it('a sensor that never delivers a frame: the take is a fault, and its empty file is never called finalized', async () => {
    // S3 is unplugged before its first frame.
    const r = await recordTake(options({ imu: false, sensors: [{ serial: 'M1', role: 'master', syncIn: null, crystalPpm: 3 }, sub('S2', 'M1', -11), { ...sub('S3', 'S2', 17), disconnectAtFrame: 0 }] }));
    expect(r.outcome).toBe('fault');
    expect(r.message).toMatch(/^S3: /);
    expect(r.message).toMatch(/S3\.mkv received no frame before the stop and could not be finalized/);
    expect(r.message).not.toMatch(/Every file was finalized/);
    expect(readRecording(join(r.dir, 'S3.mkv')).finalized).toBe(false);
    const manifest = readManifest(join(r.dir, 'take.json'));
    expect(manifest.incidents!.some((i) => /S3\.mkv received no frame/.test(i.what))).toBe(true);
    expect(manifest.stopReason).toMatch(/^fault: /);
  });

  for (const [name, rig] of [['daisy chain', daisy], ['star', star], ['generator', generator]] as const) {
    it(`a ${name} rig records and audits PASS, every subordinate locked`, async () => {
      const r = await recordTake(options(rig));
      expect(r.outcome).toBe('complete');
      const a = auditDir(r.dir);
      expect(a.verdict).toBe('PASS');
      for (const s of a.sensors.filter((x) => x.role === 'subordinate')) expect(s.locked).toBe(true);
      const manifest = readManifest(join(r.dir, 'take.json'));
      expect(manifest.sensors.map((s) => s.serial).sort()).toEqual(rig.sensors.map((s) => s.serial).sort());
      // The planned stagger: depth cameras 160 µs apart, jacks and firmware as the sensors reported them.
      expect(manifest.sensors.map((s) => s.depthDelayUs).sort((a, b) => a! - b!)).toEqual([0, 160, 320]);
      expect(manifest.sensors.every((s) => s.jacks && s.firmware?.color === '1.6.110')).toBe(true);
      // Subordinates before the master: the master's cameras start last.
      const starts = manifest.timeline.filter((e) => e.event === 'cameras started').map((e) => e.serial);
      if (name !== 'generator') expect(starts[starts.length - 1]).toBe('M1');
    });
  }

  it('the generator rig is judged locked from the host clock', async () => {
    const r = await recordTake(options(generator));
    const a = auditDir(r.dir);
    for (const s of a.sensors) expect([s.locked, s.lockEvidence]).toEqual([true, 'host-clock']);
  });

  it('a subordinate without its Sync In cable is named by pre-flight and nothing is recorded', async () => {
    const broken = { ...generator, sensors: [generator.sensors[0], sub('G2', null, -14), generator.sensors[2]] };
    await expect(recordTake(options(broken))).rejects.toThrow(K4sError);
    await expect(recordTake(options(broken))).rejects.toThrow(/G2 has no Sync In cable/);
  });

  it('a generator already running when the sensors are armed stops the take before it starts', async () => {
    const r = await recordTake(options(generator, {}, { leavesGeneratorOn: true }));
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(/pulses are already flowing/);
  });

  it('a sensor unplugged mid-take: every file finalized up to the fault, the incident in take.json', async () => {
    const rig = { ...daisy, sensors: [daisy.sensors[0], { ...sub('S2', 'M1', -11), disconnectAtFrame: 150 }, daisy.sensors[2]] };
    const r = await recordTake(options(rig));
    expect(r.outcome).toBe('fault');
    expect(r.message).toMatch(/S2/);
    for (const f of r.files) expect(readRecording(f).finalized).toBe(true);
    expect(readRecording(join(r.dir, 'S2.mkv')).color).toHaveLength(150);
    const manifest = JSON.parse(readFileSync(join(r.dir, 'take.json'), 'utf8'));
    expect(manifest.stopReason).toMatch(/fault/);
    expect(manifest.incidents).toEqual([expect.objectContaining({ serial: 'S2' })]);
  });

  it('a wrong start order, simulated on purpose, is what the audit then catches', async () => {
    const r = await recordTake(options(daisy, { startOrder: ['M1', 'S2', 'S3'] }));
    const a = auditDir(r.dir);
    expect(a.checks.filter((c) => c.id === 'offset' && c.status === 'FAIL').map((c) => c.sensor).sort()).toEqual(['S2', 'S3']);
  });

  linuxOnly('prlimit caps the file size, and SIGXFSZ is a POSIX signal')('a full disk: the take stops with a fault and every file reads up to it', () => {
    const out = join(tmp, 'full-disk');
    const script = `
      process.on('SIGXFSZ', () => {});
      const { recordTake } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/capture/record.js')).href)});
      const { openSimulatedRig, simulatedCrew } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/capture/simulated-device.js')).href)});
      const { parseRig } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/capture/simulated-rig.js')).href)});
      const device = openSimulatedRig(parseRig(${JSON.stringify(daisy)}), 'tiny');
      const r = await recordTake({ device, operator: simulatedCrew(device), out: ${JSON.stringify(out)}, mode: { fps: 30, color: 'MJPG_720P', depth: 'NFOV_UNBINNED', imu: false }, frames: 100000,
        generator: false, firstFrameTimeoutMs: 2000, flushIntervalMs: 200 });
      console.log(JSON.stringify({ outcome: r.outcome, message: r.message }));
    `;
    // Files may not grow past 2 MB: the writer meets EFBIG as it would meet a full disk.
    const r = spawnSync('prlimit', ['--fsize=2000000', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result.outcome).toBe('fault');
    for (const serial of ['M1', 'S2', 'S3']) {
      const rec = readRecording(join(out, `${serial}.mkv`));
      expect(rec.color!.length).toBeGreaterThan(50);
    }
  });

  linuxOnly('SIGINT sent to a child process, which Windows cannot deliver (it ends the child)')('Ctrl-C finalizes every file and exits 1 (a second Ctrl-C does not cut it short)', async () => {
    const out = join(tmp, 'interrupted');
    const rigFile = join(ROOT, 'samples/daisy-chain/rig.json');
    const serials = loadRig(rigFile).sensors.map((s) => s.serial);
    const child = spawn(process.execPath, [CLI, 'record', '--simulate', rigFile, '--frames', '10000000', '--out', out, '--yes'], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Listened for from the spawn on: a recorder that ends early (a fault before the first frame) fails the test at
    // once instead of leaving it waiting for a signal that never comes.
    let running = true;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => ((running = false), r(code))));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const ended = (what: string) => new Error(`the recorder exited before ${what}:\n${stderr}`);
    // Ready: every sensor's file, read back as the unfinalized recording it is, already holds more than 10 colour
    // frames. The files are polled (nothing announces a flush); no fixed delay decides anything.
    const colorFrames = (serial: string) => {
      try {
        return readRecording(join(out, `${serial}.mkv`)).color?.length ?? 0;
      } catch (e) {
        if (isRecordingError(e) || (e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw e;
      }
    };
    while (!serials.every((s) => colorFrames(s) > 10)) {
      if (!running) throw ended('its files held 10 frames');
      await new Promise((r) => setTimeout(r, 25));
    }
    // The second Ctrl-C only once the first is acknowledged: the recorder is finalizing, and must go on doing so.
    const acknowledged = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', () => stderr.includes('Stopping: finalizing every file') && resolve());
      child.on('exit', () => reject(ended('it acknowledged Ctrl-C')));
    });
    child.kill('SIGINT');
    await acknowledged;
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(1);
    for (const serial of serials) {
      const rec = readRecording(join(out, `${serial}.mkv`));
      expect(rec.finalized).toBe(true);
      expect(rec.color!.length).toBeGreaterThan(10);
    }
  });
});
