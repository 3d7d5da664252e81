import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkModes, recordTake } from '../../src/capture/record.js';
import type { Device } from '../../src/capture/device.js';
import { K4sError } from '../../src/errors.js';
import { COLOR_MODES, DEPTH_MODES, modeLimits, parseColorMode } from '../../src/recording/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'k4sync-modes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the SDK\'s camera modes: one table', () => {
  it('names every format at every resolution (syntax), and OFF', () => {
    expect(COLOR_MODES).toHaveLength(1 + 4 * 6);
    expect(COLOR_MODES).toEqual(expect.arrayContaining(['OFF', 'MJPG_3072P', 'NV12_1080P', 'BGRA_720P']));
    expect(DEPTH_MODES).toEqual(['OFF', 'NFOV_2X2BINNED', 'NFOV_UNBINNED', 'WFOV_2X2BINNED', 'WFOV_UNBINNED', 'PASSIVE_IR']);
    expect(parseColorMode('YUY2_720P')).toEqual({ format: 'YUY2', resolution: '720P' });
    expect(parseColorMode('OFF')).toBeNull();
    expect(parseColorMode('MJPG_720P_X')).toBeNull();
  });

  const accepted: [number, string, string][] = [
    [30, 'MJPG_2160P', 'NFOV_UNBINNED'], [15, 'MJPG_3072P', 'WFOV_UNBINNED'], [5, 'BGRA_3072P', 'PASSIVE_IR'],
    [30, 'NV12_720P', 'WFOV_2X2BINNED'], [30, 'YUY2_720P', 'OFF'], [30, 'BGRA_1536P', 'NFOV_2X2BINNED'], [30, 'OFF', 'PASSIVE_IR'],
  ];
  for (const [fps, color, depth] of accepted) {
    it(`accepts ${color} + ${depth} at ${fps} fps`, () => expect(modeLimits({ fps, color, depth })).toEqual([]));
  }

  const refused: [number, string, string, { field: string; message: RegExp }[]][] = [
    [30, 'MJPG_3072P', 'NFOV_UNBINNED', [{ field: 'color', message: /^MJPG_3072P needs fps 5 or 15, got fps 30$/ }]],
    [30, 'MJPG_720P', 'WFOV_UNBINNED', [{ field: 'depth', message: /^WFOV_UNBINNED needs fps 5 or 15, got fps 30$/ }]],
    [15, 'NV12_1080P', 'OFF', [{ field: 'color', message: /^NV12 exists only at 720P, got NV12_1080P$/ }]],
    [5, 'YUY2_2160P', 'OFF', [{ field: 'color', message: /^YUY2 exists only at 720P/ }]],
    [30, 'NV12_3072P', 'WFOV_UNBINNED', [
      { field: 'color', message: /NV12 exists only at 720P/ }, { field: 'color', message: /NV12_3072P needs fps 5 or 15/ }, { field: 'depth', message: /WFOV_UNBINNED needs fps 5 or 15/ },
    ]],
  ];
  for (const [fps, color, depth, limits] of refused) {
    it(`refuses ${color} + ${depth} at ${fps} fps, naming the limit`, () => {
      expect(modeLimits({ fps, color, depth })).toEqual(limits.map((l) => ({ field: l.field, message: expect.stringMatching(l.message) })));
    });
  }

  it('record\'s pre-flight refuses them with K4S_PREFLIGHT, before the take folder exists or a sensor is opened', async () => {
    expect(() => checkModes({ fps: 30, color: 'MJPG_3072P', depth: 'NFOV_UNBINNED', imu: true })).toThrow(/MJPG_3072P needs fps 5 or 15, got fps 30/);
    // A device that fails the test if pre-flight so much as lists its sensors.
    const touched: string[] = [];
    const device: Device = {
      library: 'none', simulated: false, rigName: null, timing: { statsIntervalMs: 10, armedCheckMs: 10, pollMs: 10 },
      list: () => (touched.push('list'), []),
      openSession: () => {
        touched.push('openSession');
        throw new Error('opened');
      },
    };
    const out = join(tmp, 'refused');
    const take = recordTake({
      device, operator: { switchGenerator: async () => {}, say: () => {} }, out, mode: { fps: 30, color: 'MJPG_720P', depth: 'WFOV_UNBINNED', imu: false },
      frames: 10, generator: false, firstFrameTimeoutMs: 1000, flushIntervalMs: 1000,
    });
    await expect(take).rejects.toThrow(K4sError);
    await expect(take).rejects.toMatchObject({ code: 'K4S_PREFLIGHT', message: expect.stringMatching(/WFOV_UNBINNED needs fps 5 or 15, got fps 30/) });
    expect(touched).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
