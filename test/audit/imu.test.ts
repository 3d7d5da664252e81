import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditTake, DEFAULT_THRESHOLDS, sensorInput } from '../../src/audit/index.js';
import { MemorySource, readRecordingFrom } from '../../src/recording/index.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { buildK4a, buildRecording } from '../helpers/mkv-builder.js';
import { auditDir } from './helpers.js';

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');
const dirs = (root: string) => readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(root, d.name));

describe('the imu check: samples missing from the IMU stream', () => {
  it('finds samples taken out of a recording, with their device times, and warns with a remedy', () => {
    const { spec, truth } = buildK4a({ frames: 150, imuLacing: 'none', serial: '000000000042' });
    const imuTrack = spec.tracks.findIndex((t) => t.name === 'IMU') + 1;
    const gone = [truth.imu[2000]!, truth.imu[2001]!, truth.imu[2002]!, truth.imu[5000]!];
    spec.items = spec.items.filter((it) => it.track !== imuTrack || !gone.includes(it.timeUs));
    const rec = readRecordingFrom(new MemorySource(buildRecording(spec).bytes), 'gaps.mkv', { imuSamples: false });
    const audit = auditTake([sensorInput('gaps.mkv', rec)], { take: 'gaps', thresholds: DEFAULT_THRESHOLDS, version: 'test' });
    const sensor = audit.sensors[0]!;
    expect(sensor.imu).toEqual({
      samples: truth.imu.length - 4,
      rateHz: 1666.667,
      missing: 4,
      gaps: [
        { deviceTimestampUs: gone[0], count: 3, durationUs: 4 * 600 },
        { deviceTimestampUs: gone[3], count: 1, durationUs: 2 * 600 },
      ],
    });
    const check = audit.checks.find((c) => c.id === 'imu')!;
    expect(check).toMatchObject({ status: 'WARN', sensor: '000000000042', value: 4, threshold: 0 });
    expect(check.message).toContain(`3 samples at ${(gone[0]! / 1e6).toFixed(3)} s`);
    expect(check.message).toContain(`1 sample at ${(gone[3]! / 1e6).toFixed(3)} s`);
    expect(check.remedy).toMatch(/USB/);
    expect(audit.verdict).toBe('WARN');
  });

  it('passes a continuous stream and leaves a sensor without IMU unmeasured, never worse', () => {
    const take = (imu: boolean, serial: string) => {
      const rec = readRecordingFrom(new MemorySource(buildK4a({ frames: 60, imu, serial }).built.bytes), `${serial}.mkv`, { imuSamples: false });
      return sensorInput(`${serial}.mkv`, rec);
    };
    const audit = auditTake([take(true, '000000000001'), take(false, '000000000002')], { take: 't', thresholds: DEFAULT_THRESHOLDS, version: 'test' });
    const imu = audit.checks.filter((c) => c.id === 'imu');
    expect(imu.map((c) => [c.sensor, c.status])).toEqual([['000000000001', 'PASS'], ['000000000002', 'NOT_MEASURABLE']]);
    expect(audit.sensors[1]!.imu).toBeNull();
  });

  it('no false gap in the sample takes nor in the takes the SDK wrote', () => {
    for (const dir of [...dirs(SAMPLES), ...dirs(SDK_WRITTEN)]) {
      const audit = auditDir(dir);
      for (const s of audit.sensors) {
        const check = audit.checks.find((c) => c.id === 'imu' && c.sensor === s.serial)!;
        if (s.imu === null) {
          expect(check.status, `${dir} ${s.serial}`).toBe('NOT_MEASURABLE');
        } else {
          expect(check.status, `${dir} ${s.serial}: ${check.message}`).toBe('PASS');
          expect(s.imu.rateHz).toBeCloseTo(1666, 0);
        }
      }
    }
  });
});
