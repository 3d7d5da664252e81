import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/index.js';
import { readManifest } from '../../src/take/index.js';
import { k4sync } from './cli.js';
import { colorFrames, DAISY_RIG, expectError, scratch, start, waitFor } from './files.js';
import { linuxOnly } from '../helpers/platform.js';

const dir = scratch('record-command');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const out = () => join(dir, `take-${n++}`);

describe('record refuses the modes the SDK refuses, before any sensor is opened', () => {
  const cases: [string[], RegExp][] = [
    [['--color', 'MJPG_3072P', '--fps', '30'], /MJPG_3072P needs fps 5 or 15, got fps 30/],
    [['--depth', 'WFOV_UNBINNED', '--fps', '30'], /WFOV_UNBINNED needs fps 5 or 15, got fps 30/],
    [['--color', 'NV12_1080P'], /NV12 exists only at 720P, got NV12_1080P/],
  ];
  for (const [flags, limit] of cases) {
    it(`record ${flags.join(' ')}: exit 2, K4S_PREFLIGHT naming the limit, no take folder`, () => {
      const take = out();
      const r = k4sync('record', '--simulate', DAISY_RIG, '--yes', '--frames', '30', ...flags, '--out', take);
      expectError(r, 2, 'K4S_PREFLIGHT');
      expect(r.stderr).toMatch(limit);
      expect(existsSync(take)).toBe(false);
    });
  }

  it('a flag that makes the rig\'s own settings impossible is refused the same way (rig at 15 fps with WFOV_UNBINNED, --fps 30)', () => {
    const rig = join(dir, 'wfov-rig.json');
    writeFileSync(rig, JSON.stringify({ ...JSON.parse(readFileSync(DAISY_RIG, 'utf8')), fps: 15, depth: 'WFOV_UNBINNED' }));
    const r = k4sync('record', '--simulate', rig, '--yes', '--frames', '30', '--fps', '30', '--out', out());
    expectError(r, 2, 'K4S_PREFLIGHT');
    expect(r.stderr).toMatch(/WFOV_UNBINNED needs fps 5 or 15, got fps 30/);
  });
});

it('record --simulate --ltc-input: a flag error (the simulated generator writes its own LTC), no take folder', () => {
  const take = out();
  const r = k4sync('record', '--simulate', DAISY_RIG, '--yes', '--frames', '30', '--ltc-input', 'alsa:hw:1,0', '--out', take);
  expectError(r, 2, 'K4S_BAD_FLAG');
  expect(existsSync(take)).toBe(false);
});

describe('record --simulate uses the rig\'s camera settings unless flags override them, and says which', () => {
  const rig = join(dir, 'rig-15.json');
  writeFileSync(rig, JSON.stringify({ ...JSON.parse(readFileSync(DAISY_RIG, 'utf8')), fps: 15, color: 'MJPG_1080P', depth: 'WFOV_2X2BINNED', imu: false }));

  it('without flags: the rig\'s 15 fps, MJPG_1080P, WFOV_2X2BINNED, IMU off, in take.json and in the files', () => {
    const take = out();
    const r = k4sync('record', '--simulate', rig, '--yes', '--frames', '30', '--out', take);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('camera settings from rig.json: 15 fps, MJPG_1080P, WFOV_2X2BINNED, IMU off\n');
    expect(readManifest(join(take, 'take.json')).modes).toEqual({ fps: 15, color: 'MJPG_1080P', depth: 'WFOV_2X2BINNED', imu: false, exposureUs: null });
    const rec = readRecording(join(take, '000100000001.mkv'));
    expect(rec.configuration).toMatchObject({ cameraFps: 15, colorFormat: 'MJPG', colorResolution: '1080P', depthMode: 'WFOV_2X2BINNED', imuTrackEnabled: false });
  });

  it('flags override what they name, and the line says so', () => {
    const take = out();
    const r = k4sync('record', '--simulate', rig, '--yes', '--frames', '30', '--fps', '30', '--imu', '--out', take);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('camera settings from rig.json, overridden by --fps, --imu: 30 fps, MJPG_1080P, WFOV_2X2BINNED, IMU on\n');
    expect(readManifest(join(take, 'take.json')).modes).toMatchObject({ fps: 30, imu: true });
  });

  it('every setting given as a flag: "from flags"', () => {
    const take = out();
    const r = k4sync('record', '--simulate', rig, '--yes', '--frames', '30', '--fps', '30', '--color', 'MJPG_720P', '--depth', 'NFOV_UNBINNED', '--no-imu', '--out', take);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('camera settings from flags: 30 fps, MJPG_720P, NFOV_UNBINNED, IMU off\n');
  });
});

describe('a recorder killed mid-take', () => {
  linuxOnly('the test kills the recorder with SIGKILL and reads that signal back')('SIGKILL leaves take.json saying "recording", and the audit FAILs the take as unfinished', async () => {
    const take = out();
    const run = start(['record', '--simulate', DAISY_RIG, '--yes', '--frames', '10000000', '--out', take]);
    const files = ['000100000001.mkv', '000100000002.mkv', '000100000003.mkv'].map((f) => join(take, f));
    // Ready: take.json says every sensor streams, and every file, read back while it is written, holds frames.
    const streaming = () => existsSync(join(take, 'take.json')) && readManifest(join(take, 'take.json')).timeline.some((e) => e.event === 'recording: every sensor streaming');
    await waitFor(run, 'frames in every recording', () => streaming() && files.every((f) => colorFrames(f) > 0));
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const manifest = readManifest(join(take, 'take.json'));
    expect(manifest.stopReason).toBe('recording');
    expect(manifest.timeline.map((e) => e.event)).toContain('armed');
    const audit = k4sync('audit', take);
    expect(audit.status, audit.stderr).toBe(1);
    expect(audit.stdout).toMatch(/FAIL\s+take-state\s+take\.json still says "recording"/);
  });
});
