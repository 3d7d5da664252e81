import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REAL, sdkWrittenRecordings } from '../fixtures.js';
import { buildCrashed, buildK4a } from '../helpers/mkv-builder.js';
import { k4sync } from './cli.js';
import { tool } from '../helpers/platform.js';

/** A take whose recorder was killed after a flush at 2.272 s (k4arecord's layout), and the same take cut short. */
function crashedFiles(): { killed: string; cut: string; truth: ReturnType<typeof buildCrashed> } {
  const dir = mkdtempSync(join(tmpdir(), 'k4sync-e2e-crashed-'));
  const truth = buildCrashed({ frames: 90 }, 2_272_000, 'k4arecord');
  const killed = join(dir, 'killed.mkv');
  const cut = join(dir, 'cut.mkv');
  writeFileSync(killed, truth.bytes);
  const { built } = buildK4a({ frames: 90 });
  writeFileSync(cut, built.bytes.subarray(0, built.blockOffsets.at(-10)!.offset + 5));
  return { killed, cut, truth };
}

function officialColumn(csv: string, name: string): string[] {
  const [head, ...rows] = csv.trim().split('\n');
  const at = head!.split(',').indexOf(name);
  return rows.map((r) => r.split(',')[at]!).filter((v) => v !== '');
}

function ours(csv: string, track: string): string[] {
  return csv.trim().split('\n').slice(1).map((r) => r.split(',')).filter((r) => r[0] === track).map((r) => r[2]!);
}

describe('k4sync timestamps', () => {
  for (const f of sdkWrittenRecordings()) {
    it(`${f.name}: every timestamp of the official SDK reader, track by track, in order`, () => {
      const r = k4sync('timestamps', f.mkv);
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n', 1)[0]).toBe('track,index,device_timestamp_us');
      const playback = readFileSync(f.csv, 'utf8');
      const imu = readFileSync(f.imuCsv, 'utf8');
      expect(ours(r.stdout, 'COLOR')).toEqual(officialColumn(playback, 'color_device_ts_us'));
      expect(ours(r.stdout, 'DEPTH')).toEqual(officialColumn(playback, 'depth_device_ts_us'));
      expect(ours(r.stdout, 'IR')).toEqual(officialColumn(playback, 'ir_device_ts_us'));
      expect(ours(r.stdout, 'IMU')).toEqual(officialColumn(imu, 'acc_timestamp_usec'));
      // Tracks in the order COLOR, DEPTH, IR, IMU, each indexed from 0 in file order.
      const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
      const order = [...new Set(rows.map((x) => x[0]))];
      expect(order).toEqual(['COLOR', 'DEPTH', 'IR', 'IMU']);
      expect(rows.filter((x) => x[0] === 'DEPTH').map((x) => Number(x[1]))).toEqual([...Array(ours(r.stdout, 'DEPTH').length).keys()]);
    });
  }

  it('--track keeps one track', () => {
    const f = sdkWrittenRecordings()[0]!;
    const r = k4sync('timestamps', f.mkv, '--track', 'imu');
    expect(r.status).toBe(0);
    const tracks = new Set(r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[0]));
    expect([...tracks]).toEqual(['IMU']);
  });

  it('a file not finalized or cut short: every frame listed, and one warning line on stderr saying which', () => {
    const { killed, cut, truth } = crashedFiles();
    const r = k4sync('timestamps', killed);
    expect(r.status).toBe(0);
    expect(ours(r.stdout, 'COLOR')).toEqual(truth.truth.color.map(String));
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^k4sync: warning: .*killed\\.mkv was not finalized.*${truth.past.frames} frames past its last index`))]);
    const short = k4sync('timestamps', cut);
    expect(short.status).toBe(0);
    expect(short.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^k4sync: warning: .*cut\.mkv is cut short at byte \d+/)]);
    const whole = k4sync('timestamps', sdkWrittenRecordings()[0]!.mkv);
    expect(whole.stderr).toBe('');
  });

  it('a bad --track or a missing file is bad input (exit 2) with the reason', () => {
    const f = sdkWrittenRecordings()[0]!;
    const bad = k4sync('timestamps', f.mkv, '--track', 'AUDIO');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/COLOR, DEPTH, IR, IMU/);
    const missing = k4sync('timestamps', join(tmpdir(), 'no-such-take.mkv'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/K4S_UNREADABLE/);
  });
});

describe('k4sync info', () => {
  for (const f of sdkWrittenRecordings()) {
    it(`${f.name}: --json reports the tag values and configuration of the official reader`, () => {
      const r = k4sync('info', f.mkv, '--json');
      expect(r.status).toBe(0);
      const info = JSON.parse(r.stdout);
      const official = JSON.parse(readFileSync(f.json, 'utf8'));
      expect(info.tags).toEqual(official.tags);
      expect(info.startOffset.us).toBe(official.record_configuration.start_timestamp_offset_usec);
      expect(info.configuration.wiredSyncMode).toBe(official.record_configuration.wired_sync_mode);
      expect(info.configuration.depthDelayOffColorUs).toBe(official.record_configuration.depth_delay_off_color_usec);
      expect(info.recordingLengthUs).toBe(official.recording_length_usec);
      expect(info.finalized).toBe(true);
      const color = info.tracks.find((t: { builtin: string }) => t.builtin === 'COLOR');
      expect(color.frames).toBe(officialColumn(readFileSync(f.csv, 'utf8'), 'color_device_ts_us').length);
    });
  }

  it('tells a file its writer closed from one readable to its end after its last flush, in text and --json', () => {
    const { killed, truth } = crashedFiles();
    const json = JSON.parse(k4sync('info', killed, '--json').stdout);
    expect(json.finalized).toBe(false);
    expect(json.ending).toEqual({ state: 'after-flush', segmentSize: 'stale', cues: false, startOffsetTag: true });
    expect(json.pastIndex).toEqual({ fromByte: truth.fromByte, ...truth.past });
    const text = k4sync('info', killed).stdout;
    expect(text).toMatch(/ending +NOT finalized: stopped after its last flush, readable to its end \(Segment size from an earlier flush, no Cues after the last cluster\)/);
    expect(text).toContain(`${truth.past.frames} frames and ${truth.past.imuSamples} IMU samples past the last index (from byte ${truth.fromByte})`);
    const closed = sdkWrittenRecordings()[0]!.mkv;
    expect(JSON.parse(k4sync('info', closed, '--json').stdout).ending.state).toBe('closed');
    expect(k4sync('info', closed).stdout).toMatch(/ending +finalized: closed by its writer/);
  });

  it('pyk4a-recording.mkv reads with start offset 336277 µs and its one capture at the right time', () => {
    const r = k4sync('info', join(REAL, 'pyk4a-recording.mkv'), '--json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.startOffset).toEqual({ ns: '336277000', us: 336277, source: 'tag' });
    const ts = k4sync('timestamps', join(REAL, 'pyk4a-recording.mkv'));
    // The capture's blocks sit at 0.463945 s of block time; device time adds the offset.
    expect(ts.stdout.trim().split('\n').slice(1)).toEqual([
      'COLOR,0,800222', 'DEPTH,0,800222', 'IR,0,800222', 'IMU,0,336277',
    ]);
  });

  it('the human summary names the role, modes, serial and frame counts', () => {
    const r = k4sync('info', join(REAL, 'pyk4a-recording.mkv'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/STANDALONE/);
    expect(r.stdout).toMatch(/MJPG 720P/);
    expect(r.stdout).toMatch(/001514394512/);
    expect(r.stdout).toMatch(/5 fps/);
  });

  it('the pre-release SDK file is read as legacy, not a crash', () => {
    const r = k4sync('info', join(REAL, 'k4asdk-playback_test_input-prerelease.mkv'), '--json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.legacy).toBe(true);
    expect(info.warnings.map((w: { code: string }) => w.code)).toContain('K4S_LEGACY');
    expect(info.tracks.map((t: { builtin: string }) => t.builtin)).toEqual(['COLOR', 'DEPTH', 'IR', 'IMU']);
  });

  it('an ordinary video MKV (made by ffmpeg) is refused with K4S_NOT_K4A; the other files are still read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-e2e-'));
    const video = join(dir, 'holiday.mkv');
    const made = spawnSync(tool('ffmpeg'), ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-c:v', 'mpeg4', video]);
    expect(made.status, 'ffmpeg is needed for this test (apt-get install ffmpeg)').toBe(0);
    const r = k4sync('info', video, join(REAL, 'pyk4a-recording.mkv'), '--json');
    expect(r.status).toBe(2);
    const [bad, good] = JSON.parse(r.stdout);
    expect(bad.error.code).toBe('K4S_NOT_K4A');
    expect(bad.error.message).toMatch(/not an Azure Kinect recording/);
    expect(good.device.serial).toBe('001514394512');
  });
});
