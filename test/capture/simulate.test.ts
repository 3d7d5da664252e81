import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTake } from '../../src/capture/simulate.js';
import { loadRig, parseRig } from '../../src/capture/simulated-rig.js';
import { imuTimesUs, type Truth } from '../../src/capture/truth.js';
import { readRecording } from '../../src/recording/index.js';
import { toolComplaints } from './take-tools.js';
import { auditDir } from '../audit/helpers.js';
import { linuxOnly } from '../helpers/platform.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = join(ROOT, 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const samples = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

function expectMatchesTruth(dir: string, truth: Truth): void {
  for (const s of truth.sensors) {
    const rec = readRecording(join(dir, s.file));
    expect(Array.from(rec.color ?? []), `${s.serial} colour`).toEqual(s.frames.colorUs);
    expect(Array.from(rec.depth ?? []), `${s.serial} depth`).toEqual(s.frames.depthUs);
    expect(Array.from(rec.ir ?? []), `${s.serial} IR`).toEqual(s.frames.depthUs);
    expect(rec.device.serial).toBe(s.serial);
    expect(rec.finalized).toBe(true);
    // An epoch clock's start offset is beyond what Microsoft's reader holds: said, and nothing else.
    const wide = rec.startOffset.ns >= BigInt(2 ** 32) * 1000n;
    expect(rec.warnings.map((w) => w.code)).toEqual(wide ? ['K4S_WIDE_START_OFFSET'] : []);
  }
}

describe('samples/: small simulated takes with their truth', () => {
  it('has the takes the audit is tested on, under 16 MB together', () => {
    expect(samples).toEqual(expect.arrayContaining(['daisy-chain', 'generator-sync-lost', 'star-wrong-order', 'standalone-pair', 'femto-epoch']));
    let bytes = 0;
    for (const s of samples) for (const f of readdirSync(join(SAMPLES, s))) bytes += readFileSync(join(SAMPLES, s, f)).length;
    expect(bytes).toBeLessThan(16 * 1024 * 1024);
  });

  for (const name of samples) {
    describe(name, () => {
      const dir = join(SAMPLES, name);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;

      it('reads back exactly the device timestamps of truth.json', () => {
        expectMatchesTruth(dir, truth);
      });

      it('opens in ffprobe and mkvinfo without an error or warning', () => {
        for (const s of truth.sensors) expect(toolComplaints(join(dir, s.file)), s.file).toEqual([]);
      });

      it('is what its rig.json simulates today (the committed take is not stale)', async () => {
        const out = join(tmp, name);
        const frames = truth.sensors[0]!.frames.index.length;
        const again = await simulateTake(loadRig(join(dir, 'rig.json')), { out, frames, payload: 'tiny' });
        expect(again.truth.sensors.map((s) => s.frames.colorUs)).toEqual(truth.sensors.map((s) => s.frames.colorUs));
        expect(again.truth.sensors.map((s) => s.drops)).toEqual(truth.sensors.map((s) => s.drops));
      });
    });
  }

  it('the daisy chain shares one time base and drops the burst it was told to', () => {
    const truth = JSON.parse(readFileSync(join(SAMPLES, 'daisy-chain/truth.json'), 'utf8')) as Truth;
    expect(truth.sensors.map((s) => s.zeroPulse)).toEqual([0, 0, 0]);
    expect(truth.sensors[1]!.drops).toEqual([expect.objectContaining({ frameIndex: 120, count: 3, cause: 'scheduled' })]);
    expect(truth.sensors[1]!.rateSegments[0]!.ratePpm).toBeCloseTo(-19, 2);
  });

  it('the star started in the wrong order zeroes the late subordinate on a later pulse', () => {
    const truth = JSON.parse(readFileSync(join(SAMPLES, 'star-wrong-order/truth.json'), 'utf8')) as Truth;
    const late = truth.sensors.find((s) => s.serial === '000300000003')!;
    expect(late.zeroPulse).toBeGreaterThan(0);
  });
});

describe('the simulated rig', () => {
  it('a realistic file is read from its headers: under 1% of its bytes', async () => {
    const rig = parseRig({ sensors: [{ serial: '000500000001', role: 'standalone', syncIn: null, crystalPpm: 3 }] });
    const take = await simulateTake(rig, { out: join(tmp, 'realistic'), frames: 60, payload: 'realistic' });
    const rec = readRecording(take.files[0]!);
    expect(rec.fileSize).toBeGreaterThan(60 * 737_280 * 2);
    expect(rec.color).toHaveLength(60);
    expect(rec.bytesRead / rec.fileSize).toBeLessThan(0.01);
    expect(toolComplaints(take.files[0]!)).toEqual([]);
  });

  it('a USB budget or a disk slower than the rig needs loses frames, and the audit finds every one', async () => {
    for (const budget of [{ usbBudgetMBps: 90 }, { diskMBps: 90 }]) {
      const rig = parseRig({ imu: false, ...budget, sensors: [{ serial: 'B1', role: 'master', syncIn: null, crystalPpm: 0 }, { serial: 'B2', role: 'subordinate', syncIn: 'B1', crystalPpm: 8, depthDelayUs: 160 }] });
      const out = join(tmp, `budget-${Object.keys(budget)[0]}`);
      const take = await simulateTake(rig, { out, frames: 150, payload: 'tiny' });
      const lost = take.truth.sensors.flatMap((s) => s.drops);
      expect(lost.length).toBeGreaterThan(0);
      expect(lost.every((d) => d.cause === (('usbBudgetMBps' in budget) ? 'usb' : 'disk'))).toBe(true);
      // Two sensors need ~98 MB/s (NFOV depth and IR, MJPEG colour); at 90 a frame in twelve or so is lost.
      const audit = auditDir(out);
      for (const t of take.truth.sensors) {
        const rec = readRecording(join(out, t.file));
        expect(Array.from(rec.color!)).toEqual(t.frames.colorUs);
        const found = audit.sensors.find((s) => s.serial === t.serial)!.drops;
        // Frames lost before the first one in the file are not drops; the audit counts from the file's first frame.
        const first = t.frames.index[0]!;
        expect(found.map((d) => [d.frameIndex, d.count])).toEqual(t.drops.filter((d) => d.frameIndex > first).map((d) => [d.frameIndex - first, d.count]));
      }
    }
  });

  for (const fps of [5, 15, 30] as const) {
    it(`${fps} fps, realistic payloads, 4 sensors: every frame and every IMU sample of truth.json is in the files`, async () => {
      const sensors = [
        { serial: `00080000000${fps % 10}1`, role: 'master', syncIn: null, crystalPpm: 4 },
        ...[2, 3, 4].map((n) => ({ serial: `00080000000${fps % 10}${n}`, role: 'subordinate', syncIn: `00080000000${fps % 10}${n - 1}`, crystalPpm: n * 3 - 10, depthDelayUs: (n - 1) * 160 })),
      ];
      const take = await simulateTake(parseRig({ fps, sensors }), { out: join(tmp, `every-sample-${fps}`), frames: fps * 3, payload: 'realistic' });
      for (const t of take.truth.sensors) {
        const rec = readRecording(join(take.dir, t.file), { imuSamples: true });
        expect(rec.finalized, t.serial).toBe(true);
        expect(Array.from(rec.color!), `${t.serial} colour`).toEqual(t.frames.colorUs);
        expect(Array.from(rec.depth!), `${t.serial} depth`).toEqual(t.frames.depthUs);
        expect(t.imu, t.serial).not.toBeNull();
        expect(Array.from(rec.imu!.accTimestampsUs), `${t.serial} IMU`).toEqual(imuTimesUs(t.imu!));
      }
      // No writer error was logged: the SDK's log of the take holds nothing at warning level or above.
      expect(readFileSync(join(take.dir, 'k4arecord.log'), 'utf8')).toBe('');
    });
  }

  it('a rig wired wrong is simulated: the subordinate without a Sync In cable refuses to start, the others record', async () => {
    const rig = parseRig({
      sensors: [
        { serial: '000600000001', role: 'master', syncIn: null, crystalPpm: 0 },
        { serial: '000600000002', role: 'subordinate', syncIn: '000600000001', crystalPpm: 5 },
        { serial: '000600000003', role: 'subordinate', syncIn: null, crystalPpm: 5 },
      ],
    });
    const take = await simulateTake(rig, { out: join(tmp, 'wired-wrong'), frames: 30, payload: 'tiny' });
    const bad = take.truth.sensors[2]!;
    expect(bad.started).toBe(false);
    expect(bad.startError).toMatch(/sync in cable/);
    expect(take.truth.sensors[1]!.frames.colorUs).toHaveLength(30);
  });

  linuxOnly('the child kills itself with SIGKILL and the test reads that signal back')('a recording killed mid-take still reads, with every frame up to the last flush', async () => {
    const rigJson = {
      sensors: [
        { serial: '000700000001', role: 'master', syncIn: null, crystalPpm: 2 },
        { serial: '000700000002', role: 'subordinate', syncIn: '000700000001', crystalPpm: -4 },
      ],
    };
    const full = await simulateTake(parseRig(rigJson), { out: join(tmp, 'whole'), frames: 3000, payload: 'tiny' });
    const out = join(tmp, 'killed');
    // The child flushes after every write and kills itself (SIGKILL: no cleanup of any kind) once 200 frames have left
    // the writer queue (delivered, minus those still queued or lost) on every sensor.
    const child = `
      import { simulateTake } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/capture/simulate.js')).href)};
      import { parseRig } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/capture/simulated-rig.js')).href)};
      await simulateTake(parseRig(${JSON.stringify(rigJson)}), { out: ${JSON.stringify(out)}, frames: 1000000, payload: 'tiny', flushIntervalMs: 0,
        onProgress: (stats) => { if (stats.every((s) => s.frames - s.queued - s.lostInQueue >= 200)) process.kill(process.pid, 'SIGKILL'); } });
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    for (const [i, s] of full.truth.sensors.entries()) {
      const rec = readRecording(join(out, s.file));
      const n = rec.color!.length;
      expect(n, `sensor ${i} frames kept`).toBeGreaterThanOrEqual(190);
      expect(Array.from(rec.color!)).toEqual(s.frames.colorUs.slice(0, n));
      expect(Array.from(rec.depth!)).toEqual(s.frames.depthUs.slice(0, rec.depth!.length));
      expect(rec.startOffset.source).toBe('tag');
    }
  });
});
