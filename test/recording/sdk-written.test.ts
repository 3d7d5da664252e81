import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRecording, summarize } from '../../src/recording/index.js';
import { sdkWrittenRecordings } from '../fixtures.js';

/** One column of the official reader's capture CSV, empty cells (images a capture lacks) left out. */
function column(csv: string, name: string): number[] {
  const [head, ...rows] = csv.trim().split('\n');
  const at = head!.split(',').indexOf(name);
  return rows.map((r) => r.split(',')[at]!).filter((v) => v !== '').map(Number);
}

const FORMATS = ['MJPG', 'NV12', 'YUY2', 'BGRA32'];
const RESOLUTIONS = [null, '720P', '1080P', '1440P', '1536P', '2160P', '3072P'];
const DEPTH_MODES = [null, 'NFOV_2X2BINNED', 'NFOV_UNBINNED', 'WFOV_2X2BINNED', 'WFOV_UNBINNED', 'PASSIVE_IR'];
const FPS = [5, 15, 30];

const fixtures = sdkWrittenRecordings();

describe('recordings written by the SDK read exactly as the SDK reads them', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const f of fixtures) {
    describe(f.name, () => {
      const rec = readRecording(f.mkv);
      const csv = readFileSync(f.csv, 'utf8');
      const official = JSON.parse(readFileSync(f.json, 'utf8'));

      it('has every COLOR, DEPTH and IR timestamp of the official reader, in order', () => {
        expect(Array.from(rec.color!)).toEqual(column(csv, 'color_device_ts_us'));
        expect(Array.from(rec.depth!)).toEqual(column(csv, 'depth_device_ts_us'));
        expect(Array.from(rec.ir!)).toEqual(column(csv, 'ir_device_ts_us'));
      });

      it('has every IMU sample of the official reader, in order', () => {
        const imu = readFileSync(f.imuCsv, 'utf8');
        expect(Array.from(rec.imu!.accTimestampsUs)).toEqual(column(imu, 'acc_timestamp_usec'));
        expect(Array.from(rec.imu!.gyroTimestampsUs)).toEqual(column(imu, 'gyro_timestamp_usec'));
        expect(rec.imu!.accTimestampsUs.length).toBe(official.imu_samples_read);
      });

      it('reports the tags and record configuration of the official reader', () => {
        const s = summarize(rec);
        expect(s.tags).toEqual(official.tags);
        const c = official.record_configuration;
        expect(rec.configuration).toEqual({
          colorFormat: FORMATS[c.color_format],
          colorResolution: RESOLUTIONS[c.color_resolution],
          depthMode: DEPTH_MODES[c.depth_mode],
          cameraFps: FPS[c.camera_fps],
          colorTrackEnabled: c.color_track_enabled,
          depthTrackEnabled: c.depth_track_enabled,
          irTrackEnabled: c.ir_track_enabled,
          imuTrackEnabled: c.imu_track_enabled,
          depthDelayOffColorUs: c.depth_delay_off_color_usec,
          wiredSyncMode: c.wired_sync_mode,
          subordinateDelayOffMasterUs: c.subordinate_delay_off_master_usec,
          startTimestampOffsetUs: c.start_timestamp_offset_usec,
        });
        expect(rec.recordingLengthUs).toBe(official.recording_length_usec);
      });

      it('is a finalized, whole file with its calibration, read without touching payloads', () => {
        expect(rec.finalized).toBe(true);
        expect(rec.truncatedAt).toBeNull();
        expect(rec.warnings).toEqual([]);
        expect(rec.startOffset.source).toBe('tag');
        expect(rec.calibration?.json).toBeTypeOf('object');
        // Payloads here are tiny (3.8 KB JPEGs, 16-byte depth), so this bound is loose; the IMU records
        // (40 bytes each) are the only data that must be read.
        const imuBytes = rec.imu!.accTimestampsUs.length * 40;
        expect(rec.bytesRead).toBeLessThan(imuBytes + 0.25 * rec.fileSize);
      });
    });
  }
});

describe('K4A tags come typed', () => {
  it('take-A s1: a subordinate with a 160 µs depth delay and its track UIDs', () => {
    const f = fixtures.find((x) => x.name === 'take-A-s1.mkv')!;
    const rec = readRecording(f.mkv);
    const official = JSON.parse(readFileSync(f.json, 'utf8'));
    expect(rec.k4aTags).toMatchObject({
      colorMode: 'MJPG_720P', depthMode: 'NFOV_UNBINNED', irMode: 'ACTIVE', imuMode: 'ON',
      depthDelayNs: 160_000n, wiredSyncMode: 'SUBORDINATE', subordinateDelayNs: 0n,
      colorFirmwareVersion: '1.6.110', depthFirmwareVersion: '1.6.80', deviceSerialNumber: '000011110002',
      calibrationFile: 'calibration.json', startOffsetNs: BigInt(official.tags.K4A_START_OFFSET_NS),
    });
    expect(rec.k4aTags.trackUids.COLOR).toBe(BigInt(official.tags.K4A_COLOR_TRACK));
    expect(rec.tracks.find((t) => t.builtin === 'IMU')!.uid).toBe(BigInt(official.tags.K4A_IMU_TRACK));
    // The calibration attachment is found through the tag that targets its UID.
    const tag = rec.tags.find((t) => t.name === 'K4A_CALIBRATION_FILE')!;
    expect(tag.target.kind).toBe('attachment');
  });
});
