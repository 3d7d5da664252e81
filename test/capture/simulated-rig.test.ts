import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRig, parseRig, RigError, rigToSimText, startOrder } from '../../src/capture/simulated-rig.js';

const master = { serial: '000000000001', role: 'master', syncIn: null, crystalPpm: 0 };
const sub = (serial: string, syncIn: string | null = '000000000001') => ({ serial, role: 'subordinate', syncIn, crystalPpm: 4.5 });
const daisyChain = { sensors: [master, sub('000000000002'), sub('000000000003', '000000000002')] };

/** The RigError parseRig throws for `input`, so a test can look at its field and message. */
function refusal(input: unknown): RigError {
  try {
    parseRig(input);
  } catch (e) {
    if (e instanceof RigError) return e;
    throw e;
  }
  throw new Error('the rig was accepted');
}

describe('parseRig', () => {
  it('applies the defaults', () => {
    const rig = parseRig({ sensors: [master] });
    expect(rig).toEqual({
      fps: 30,
      color: 'MJPG_720P',
      depth: 'NFOV_UNBINNED',
      imu: true,
      imuRateHz: 1666,
      jitterTicks: 2,
      clockOriginUs: 0,
      seed: 1,
      sync: { source: 'master' },
      generator: { switchOn: 'after-arming', ltc: true, timecodeStart: '10:00:00:00', timecodeRate: undefined },
      host: { stepMs: 50, ppm: 0, usbLatencyMs: 25, usbJitterMs: 0.2, audioPpm: 0, audioSampleRate: 48000 },
      usbBudgetMBps: 0,
      diskMBps: 0,
      sensors: [
        {
          ...master,
          syncInDead: false,
          clockOriginUs: null,
          subordinateDelayUs: 0,
          depthDelayUs: 0,
          firmware: { color: '1.6.110', depth: '1.6.80' },
          startupDrops: null,
          unlockAtFrame: null,
          disconnectAtFrame: null,
          drops: [],
        },
      ],
    });
    expect(parseRig({ sync: { source: 'generator', rateHz: 30 }, sensors: [sub('A', 'generator')] }).sync).toEqual({
      source: 'generator',
      rateHz: 30,
      ppm: 0,
    });
  });

  it('accepts rigs that are well formed but wired wrong', () => {
    expect(() => parseRig({ sensors: [master, sub('000000000002', null)] })).not.toThrow();
    expect(() => parseRig({ sensors: [master, { ...master, serial: '000000000002' }] })).not.toThrow();
    expect(() => parseRig({ sensors: [{ ...master, syncIn: '000000000002' }, sub('000000000002')] })).not.toThrow();
    expect(() => parseRig({ sync: { source: 'generator', rateHz: 29.97 }, sensors: [master] })).not.toThrow();
    expect(() => parseRig({ ...daisyChain, startOrder: ['000000000001', '000000000002', '000000000003'] })).not.toThrow();
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['an unknown top-level field', { ...daisyChain, colour: 'OFF' }, 'colour', /colour is not a known field/],
    ['an unknown sensor field', { sensors: [{ ...master, ppm: 3 }] }, 'sensors[0].ppm', /sensors\[0\]\.ppm is not a known field/],
    ['a clock origin whose start offset in ns would not fit 64 bits', { clockOriginUs: 2 ** 63, sensors: [master] }, 'clockOriginUs', /clockOriginUs must be an integer/],
    ['a negative sensor clock origin', { sensors: [{ ...master, clockOriginUs: -1 }] }, 'sensors[0].clockOriginUs', /sensors\[0\]\.clockOriginUs must be an integer/],
    [
      'crystalPpm as a string',
      { sensors: [master, { ...sub('000000000002'), crystalPpm: '12' }] },
      'sensors[1].crystalPpm',
      /^rig\.json: sensors\[1\]\.crystalPpm must be a number .*, got the string "12"$/,
    ],
    [
      'syncIn to a serial that is not in the rig',
      { sensors: [master, sub('000000000002', '000000000009')] },
      'sensors[1].syncIn',
      /got the string "000000000009", which no sensor in the rig has/,
    ],
    ['syncIn to the sensor itself', { sensors: [master, sub('000000000002', '000000000002')] }, 'sensors[1].syncIn', /own serial/],
    ['duplicate serials', { sensors: [master, sub('000000000001')] }, 'sensors[1].serial', /must be unique, but sensors\[0\] has it too/],
    ['a serial that syncIn reserves', { sensors: [{ ...master, serial: 'generator' }] }, 'sensors[0].serial', /must not be "generator"/],
    [
      'startOrder that is not a permutation',
      { ...daisyChain, startOrder: ['000000000002', '000000000002', '000000000001'] },
      'startOrder',
      /misses 000000000003, repeats 000000000002/,
    ],
    ['a bad fps', { ...daisyChain, fps: 25 }, 'fps', /fps must be one of 5, 15 or 30, got the number 25/],
    ['NV12 at 1080P', { ...daisyChain, color: 'NV12_1080P' }, 'color', /NV12 exists only at 720P/],
    ['3072P at 30 fps', { ...daisyChain, color: 'BGRA_3072P' }, 'color', /BGRA_3072P needs fps 5 or 15, got fps 30/],
    ['WFOV_UNBINNED at 30 fps', { ...daisyChain, depth: 'WFOV_UNBINNED' }, 'depth', /WFOV_UNBINNED needs fps 5 or 15, got fps 30/],
    [
      'a negative drop count',
      { sensors: [{ ...master, drops: [{ frame: 100, count: -3 }] }] },
      'sensors[0].drops[0].count',
      /count must be an integer >= 1, got the number -3/,
    ],
    ['a generator rate of 0', { sync: { source: 'generator', rateHz: 0 }, sensors: [master] }, 'sync.rateHz', /greater than 0/],
    ['a generator with no rate', { sync: { source: 'generator' }, sensors: [master] }, 'sync.rateHz', /but it is missing/],
    ['an unknown sync source', { sync: { source: 'ltc' }, sensors: [master] }, 'sync.source', /got the string "ltc"/],
    ['a generator procedure without a generator', { ...daisyChain, generator: { switchOn: 'before-arming' } }, 'generator', /sync\.source is "master"/],
    ['a dead cable that is not plugged in', { sensors: [{ ...master, syncInDead: true }] }, 'sensors[0].syncInDead', /syncIn is null/],
    ['a bad firmware version', { sensors: [{ ...master, firmware: { color: '1.6' } }] }, 'sensors[0].firmware.color', /major\.minor\.iteration/],
    ['no sensors', { sensors: [] }, 'sensors', /1 to 16 sensors, got an empty list/],
    ['a fractional jitter', { ...daisyChain, jitterTicks: 1.5 }, 'jitterTicks', /integer from 0 to 1000/],
    ['not an object', [], '', /^rig\.json: the rig must be an object, got an empty list$/],
  ];
  it.each(cases)('refuses %s, naming the field', (_, input, field, message) => {
    const e = refusal(input);
    expect(e.code).toBe('K4S_BAD_RIG');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('names the source file and lists every problem', () => {
    try {
      parseRig({ fps: 7, sensors: [{ ...master, role: 'boss' }] }, 'take-7/rig.json');
      expect.unreachable();
    } catch (e) {
      expect((e as RigError).message).toBe(
        'take-7/rig.json: fps must be one of 5, 15 or 30, got the number 7; ' +
          'sensors[0].role must be one of "master", "subordinate" or "standalone", got the string "boss"',
      );
    }
  });
});

describe('loadRig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k4sync-rig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and validates a file', () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, `\uFEFF${JSON.stringify(daisyChain)}`);
    expect(loadRig(path).sensors).toHaveLength(3);
  });

  it.each([
    ['a token V8 gives no position for', '{\n  "fps": 30,\n  "imu": tru\n}', 'line 3, column 13 (character 27)'],
    ['a trailing comma', '{\n  "fps": 30,\n}', 'line 3, column 1 (character 15)'],
    ['a truncated file', '{"sensors": [', 'line 1, column 14 (character 13)'],
  ])('refuses bad JSON with %s, giving its position', (_, text, where) => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, text);
    try {
      loadRig(path);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RigError);
      expect((e as RigError).field).toBe('');
      expect((e as RigError).message).toContain(`${path} is not valid JSON at ${where}: `);
    }
  });

  it('names the file in schema errors', () => {
    const path = join(dir, 'rig.json');
    writeFileSync(path, JSON.stringify({ ...daisyChain, fps: 60 }));
    expect(() => loadRig(path)).toThrow(`${path}: fps must be`);
  });
});

describe('startOrder', () => {
  it('defaults to subordinates in file order, then standalone, then masters', () => {
    const rig = parseRig({
      sensors: [master, { ...master, serial: 'S', role: 'standalone' }, sub('B'), { ...master, serial: 'M2' }, sub('A')],
    });
    expect(startOrder(rig)).toEqual(['B', 'A', 'S', '000000000001', 'M2']);
  });

  it('keeps an explicit order, even a wrong one', () => {
    const order = ['000000000001', '000000000003', '000000000002'];
    expect(startOrder(parseRig({ ...daisyChain, startOrder: order }))).toEqual(order);
  });
});

describe('rigToSimText', () => {
  it('writes the rig line and one line per sensor', () => {
    const rig = parseRig({
      name: 'generator rig',
      seed: 42,
      jitterTicks: 0,
      sync: { source: 'generator', rateHz: 29.97, ppm: -1.5 },
      host: { stepMs: 1.1, ppm: 3, usbLatencyMs: 0.5 },
      usbBudgetMBps: 300,
      diskMBps: 120.5,
      sensors: [
        {
          serial: 'A-1',
          role: 'subordinate',
          syncIn: 'generator',
          crystalPpm: 12.25,
          firmware: { color: '1.6.108', depth: '1.6.79' },
          startupDrops: 7,
          unlockAtFrame: 900,
          drops: [
            { frame: 100, count: 3 },
            { frame: 250, count: 1 },
          ],
        },
        { serial: 'B_2', role: 'subordinate', syncIn: 'A-1', syncInDead: true, crystalPpm: -0.0001, disconnectAtFrame: 1200 },
      ],
    });
    expect(rigToSimText(rig, 'realistic').split('\n')).toEqual([
      'rig seed=42 jitter_ticks=0 payload=realistic host_step_us=1100 host_ppm=3 usb_latency_us=500 usb_jitter_us=200 usb_budget_mbps=300 disk_mbps=120.5 imu_rate_hz=1666 generator_rate_hz=29.97 generator_ppm=-1.5',
      'sensor serial=A-1 sync_in=generator sync_in_dead=0 ppm=12.25 clock_origin_us=0 color_fw=1.6.108 depth_fw=1.6.79 startup_drops=7 unlock_at=900 disconnect_at=-1 drops=100:3,250:1',
      'sensor serial=B_2 sync_in=A-1 sync_in_dead=1 ppm=-0.0001 clock_origin_us=0 color_fw=1.6.110 depth_fw=1.6.80 startup_drops=-1 unlock_at=-1 disconnect_at=1200 drops=',
      '',
    ]);
  });

  it('leaves the generator out of a master rig', () => {
    expect(rigToSimText(parseRig(daisyChain), 'tiny').split('\n')[0]).toBe(
      'rig seed=1 jitter_ticks=2 payload=tiny host_step_us=50000 host_ppm=0 usb_latency_us=25000 usb_jitter_us=200 usb_budget_mbps=0 disk_mbps=0 imu_rate_hz=1666',
    );
  });

  // What rig_config.cpp accepts: strtoll for integers (no exponent, no fraction), strtod for the rest.
  const INTEGER = /^-?\d+$/;
  const DOUBLE = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;
  const serial = fc.stringMatching(/^[0-9A-Za-z_-]{1,32}$/).filter((s) => s !== 'none' && s !== 'generator');
  // Subnormals and -0 are written as 0 (a test below), so the property draws plain zeros instead.
  const double = (min: number, max: number) =>
    fc.double({ min, max, noNaN: true }).map((x) => (Math.abs(x) < 2 ** -1022 ? 0 : x));
  const ppm = double(-99_999.999, 99_999.999);
  const hostMs = fc.integer({ min: 0, max: 60_000_000 }).map((us) => us / 1000);
  const frame = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
  const sensorFacts = fc.record({
    crystalPpm: ppm,
    syncInDead: fc.boolean(),
    subordinateDelayUs: fc.integer({ min: 0, max: 0xffff_ffff }),
    depthDelayUs: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    startupDrops: fc.option(fc.integer({ min: 0, max: 999 })),
    unlockAtFrame: fc.option(frame),
    disconnectAtFrame: fc.option(frame),
    drops: fc.array(fc.record({ frame, count: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }), { maxLength: 5 }),
    role: fc.constantFrom('master', 'subordinate', 'standalone'),
    wiring: fc.nat(),
  });
  const rigInput = fc
    .record({
      serials: fc.uniqueArray(serial, { minLength: 1, maxLength: 16 }),
      facts: fc.array(sensorFacts, { minLength: 16, maxLength: 16 }),
      seed: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      jitterTicks: fc.integer({ min: 0, max: 1000 }),
      // Host times as a crew writes them, in ms with up to three decimals: each must become a whole µs.
      host: fc.record({ stepMs: hostMs, ppm, usbLatencyMs: hostMs }),
      usbBudgetMBps: double(0, 1e300),
      diskMBps: double(0, 1e300),
      sync: fc.option(fc.record({ source: fc.constant('generator'), rateHz: double(1e-300, 999.999), ppm })),
    })
    .map(({ serials, facts, sync, ...rest }) => ({
      ...rest,
      sync: sync ?? { source: 'master' },
      sensors: serials.map((s, i) => {
        const { wiring, syncInDead, ...f } = facts[i]!;
        const choices = [null, 'generator', ...serials.filter((other) => other !== s)];
        const syncIn = choices[wiring % choices.length] ?? null;
        return { ...f, serial: s, syncIn, syncInDead: syncIn !== null && syncInDead };
      }),
    }));

  it('writes a subnormal as 0, which strtod would report as out of range', () => {
    const rig = parseRig({ host: { ppm: 5e-324 }, sensors: [{ ...master, crystalPpm: -1e-310 }] });
    const text = rigToSimText(rig, 'tiny');
    expect(text).toContain(' host_ppm=0 ');
    expect(text).toContain(' ppm=0 ');
  });

  it('writes every value so that the C++ parser reads back the same number', () => {
    fc.assert(
      fc.property(rigInput, (input) => {
        const rig = parseRig(input);
        const lines = rigToSimText(rig, 'tiny').trimEnd().split('\n');
        const parsed = lines.map((line) => new Map(line.split(' ').slice(1).map((w) => w.split('=') as [string, string])));
        const [rigLine, ...sensorLines] = parsed;
        expect(sensorLines).toHaveLength(rig.sensors.length);

        const int = (m: Map<string, string> | undefined, key: string): number => {
          const v = m?.get(key) ?? '';
          expect(v, key).toMatch(INTEGER);
          return Number(v);
        };
        const dbl = (m: Map<string, string> | undefined, key: string): number => {
          const v = m?.get(key) ?? '';
          expect(v, key).toMatch(DOUBLE);
          return Number(v);
        };
        expect(int(rigLine, 'seed')).toBe(rig.seed);
        expect(int(rigLine, 'jitter_ticks')).toBe(rig.jitterTicks);
        expect(dbl(rigLine, 'host_ppm')).toBe(rig.host.ppm);
        expect(dbl(rigLine, 'usb_budget_mbps')).toBe(rig.usbBudgetMBps);
        expect(dbl(rigLine, 'disk_mbps')).toBe(rig.diskMBps);
        expect(dbl(rigLine, 'host_step_us')).toBe(Math.round(rig.host.stepMs * 1000));
        expect(dbl(rigLine, 'usb_latency_us')).toBe(Math.round(rig.host.usbLatencyMs * 1000));
        if (rig.sync.source === 'generator') {
          expect(dbl(rigLine, 'generator_rate_hz')).toBe(rig.sync.rateHz);
          expect(dbl(rigLine, 'generator_ppm')).toBe(rig.sync.ppm);
        } else expect(rigLine?.has('generator_rate_hz')).toBe(false);

        rig.sensors.forEach((s, i) => {
          const line = sensorLines[i];
          expect(line?.get('serial')).toBe(s.serial);
          expect(line?.get('sync_in')).toBe(s.syncIn ?? 'none');
          expect(line?.get('sync_in_dead')).toBe(s.syncInDead ? '1' : '0');
          expect(dbl(line, 'ppm')).toBe(s.crystalPpm);
          expect(int(line, 'startup_drops')).toBe(s.startupDrops ?? -1);
          expect(int(line, 'unlock_at')).toBe(s.unlockAtFrame ?? -1);
          expect(int(line, 'disconnect_at')).toBe(s.disconnectAtFrame ?? -1);
          const drops = line?.get('drops') ?? '';
          const pairs = drops === '' ? [] : drops.split(',').map((p) => p.split(':'));
          expect(pairs.flat().every((n) => INTEGER.test(n))).toBe(true);
          expect(pairs.map(([f, c]) => ({ frame: Number(f), count: Number(c) }))).toEqual(s.drops);
        });
      }),
      { numRuns: 200 },
    );
  });
});
