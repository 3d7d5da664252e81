/**
 * rig.json: the user's description of a simulated rig, validated with zod, and its conversion to the flat
 * text that native/sim parses (rig_config.cpp). The schema refuses only malformed input; a rig that is well
 * formed but wired wrong (no Sync In cable on a subordinate, two masters, a generator nobody is wired to)
 * is accepted, because simulating those mistakes is what the simulated rig is for.
 */
import { z } from 'zod';
import { describeValue, JsonFileError, readJsonFile, validate } from '../json-file.js';
import { LTC_RATES } from '../timecode/rates.js';
import { CAMERA_FPS, COLOR_FORMATS, COLOR_MODES, COLOR_RESOLUTIONS, DEPTH_MODES, modeLimits } from '../recording/modes.js';

/** rig.json is malformed; `field` is the first offending one, e.g. "sensors[2].syncIn" ('' for the file as a whole). */
export class RigError extends JsonFileError {
  override readonly name = 'RigError';
}

const RIG_JSON = { code: 'K4S_BAD_RIG', subject: 'the rig', docs: 'docs/rig-json.md', phrases: true } as const;

// Every schema below carries one phrase saying what it expects, used for every way the value can be wrong
// (type or range), so that a message reads "<field> must be <phrase>, got <what arrived>".

function oneOf(values: readonly (string | number)[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return `one of ${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

function int(min: number, max = Number.MAX_SAFE_INTEGER, alternative = '') {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  const error = `an integer ${range}${alternative}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

function number(min: number, max: number, bounds: 'inclusive' | 'exclusive') {
  if (bounds === 'exclusive') {
    const error = `a number greater than ${min} and less than ${max}`;
    return z.number({ error }).gt(min, { error }).lt(max, { error });
  }
  const error = max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

function text(pattern: RegExp, error: string) {
  return z.string({ error }).regex(pattern, { error });
}

function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: 'an object' });
}

const ROLES = ['master', 'subordinate', 'standalone'] as const;
const SWITCH_ON = ['after-arming', 'before-arming'] as const;
const SYNC_SOURCES = ['master', 'generator', 'none'] as const;

// rig_config.cpp's bound on a crystal, kept for every ppm: a ppm scales a period by (1 + ppm·1e-6).
const ppm = () => number(-1e5, 1e5, 'exclusive');
// A control call or a USB transfer over a minute long is a typo, and the bound keeps the µs value finite.
const hostMs = () => number(0, 60_000, 'inclusive');
const megabytesPerSecond = () => number(0, Infinity, 'inclusive').default(0);
const frameOrNull = () => int(0, Number.MAX_SAFE_INTEGER, ' or null').nullable().default(null);
// Up to 2^62 ns: the start offset the writer derives from it (ns) must fit a signed 64-bit integer.
const clockOrigin = () => int(0, Math.floor(2 ** 62 / 1000));
const firmware = () => text(/^\d+\.\d+\.\d+$/, 'a version major.minor.iteration such as "1.6.110"');

// "none" and "generator" mean no cable and the generator in syncIn and in the library's text form.
const RESERVED_SERIALS = new Set(['none', 'generator']);

const SensorSchema = strictObject({
  serial: text(/^[0-9A-Za-z_-]{1,32}$/, '1 to 32 characters from 0-9, A-Z, a-z, "_" and "-"'),
  role: z.enum(ROLES, { error: oneOf(ROLES) }),
  syncIn: z.string({ error: `null, "generator" or another sensor's serial` }).nullable(),
  syncInDead: z.boolean({ error: 'true or false' }).default(false),
  crystalPpm: ppm(),
  // What its device clock reads at its zero, µs (overrides the rig's clockOriginUs): a sensor whose reset failed.
  clockOriginUs: clockOrigin().nullable().default(null),
  subordinateDelayUs: int(0, 0xffff_ffff).default(0),
  depthDelayUs: int(-(2 ** 31), 2 ** 31 - 1).default(0),
  firmware: strictObject({
    color: firmware().default('1.6.110'),
    depth: firmware().default('1.6.80'),
  }).prefault({}),
  startupDrops: int(0, 999, ' or null').nullable().default(null),
  unlockAtFrame: frameOrNull(),
  disconnectAtFrame: frameOrNull(),
  drops: z
    .array(strictObject({ frame: int(0), count: int(1) }), { error: 'a list of { "frame", "count" } entries' })
    .default([]),
});

const SyncSchema = z.discriminatedUnion(
  'source',
  [
    strictObject({ source: z.literal('master') }),
    strictObject({ source: z.literal('generator'), rateHz: number(0, 1000, 'exclusive'), ppm: ppm().default(0) }),
    strictObject({ source: z.literal('none') }),
  ],
  {
    // zod reports a value that is not an object at all with the same issue as an unknown source.
    error: (issue) =>
      typeof issue.input === 'object' && issue.input !== null
        ? oneOf(SYNC_SOURCES)
        : 'an object such as { "source": "master" }',
  },
);

const RigShape = strictObject({
  name: z.string({ error: 'a string' }).optional(),
  fps: z.literal(CAMERA_FPS, { error: oneOf(CAMERA_FPS) }).default(30),
  color: z
    .enum(COLOR_MODES, {
      error:
        `"OFF" or FORMAT_RESOLUTION, with FORMAT ${COLOR_FORMATS.join('|')} ` +
        `and RESOLUTION ${COLOR_RESOLUTIONS.join('|')}`,
    })
    .default('MJPG_720P'),
  depth: z.enum(DEPTH_MODES, { error: oneOf(DEPTH_MODES) }).default('NFOV_UNBINNED'),
  imu: z.boolean({ error: 'true or false' }).default(true),
  // 1666 Hz on Azure Kinect; Orbbec's K4A wrapper runs a Femto's accelerometer and gyro at 500 Hz.
  imuRateHz: number(1, 10000, 'inclusive').default(1666),
  jitterTicks: int(0, 1000).default(2),
  // What the device clocks read at their zero, µs: 0 on Azure Kinect; Unix time (µs) on Orbbec Femto sensors whose
  // K4A wrapper sets their clocks from the host's (1730796756988167 is 2024-11-05 08:52:36 UTC).
  clockOriginUs: clockOrigin().default(0),
  seed: int(0).default(1),
  sync: SyncSchema.default({ source: 'master' }),
  startOrder: z.array(z.string({ error: 'a serial' }), { error: 'a list of serials' }).optional(),
  generator: strictObject({
    switchOn: z.enum(SWITCH_ON, { error: oneOf(SWITCH_ON) }).default('after-arming'),
    // The generator's LTC, phase-locked to its pulses, as a host audio input records it (ltc.wav beside the take).
    ltc: z.boolean({ error: 'true or false' }).default(true),
    timecodeStart: z
      .string({ error: 'a timecode HH:MM:SS:FF' })
      .regex(/^\d\d:[0-5]\d:[0-5]\d[:;]\d\d$/, { error: 'a timecode HH:MM:SS:FF' })
      .default('10:00:00:00'),
    timecodeRate: z.enum(LTC_RATES, { error: oneOf(LTC_RATES) }).optional(),
  }).optional(),
  host: strictObject({
    stepMs: hostMs().default(50),
    ppm: ppm().default(0),
    usbLatencyMs: hostMs().default(25),
    // Spread of host arrival times on top of the latency: USB and scheduling.
    usbJitterMs: hostMs().default(0.2),
    // The audio interface recording LTC runs on its own crystal.
    audioPpm: ppm().default(0),
    audioSampleRate: z.union([z.literal(44100), z.literal(48000), z.literal(96000)], { error: '44100, 48000 or 96000' }).default(48000),
  }).prefault({}),
  usbBudgetMBps: megabytesPerSecond(),
  diskMBps: megabytesPerSecond(),
  sensors: z
    .array(SensorSchema, { error: 'a list of 1 to 16 sensors' })
    .min(1, { error: 'a list of 1 to 16 sensors' })
    .max(16, { error: 'a list of 1 to 16 sensors' }),
});

type Issue = { path: (string | number)[]; message: string };

// What the SDK itself refuses (k4a.c validate_configuration) and what the file contradicts itself on.
// Wiring is deliberately not judged here.
function consistencyIssues(rig: z.output<typeof RigShape>): Issue[] {
  const issues: Issue[] = [];
  const add = (path: Issue['path'], message: string) => issues.push({ path, message });

  for (const limit of modeLimits(rig)) add([limit.field], `is refused by the SDK: ${limit.message}`);

  const serials = rig.sensors.map((s) => s.serial);
  rig.sensors.forEach((s, i) => {
    const first = serials.indexOf(s.serial);
    if (RESERVED_SERIALS.has(s.serial))
      add(['sensors', i, 'serial'], `must not be "${s.serial}": syncIn gives that word another meaning`);
    else if (first < i) add(['sensors', i, 'serial'], `must be unique, but sensors[${first}] has it too`);
    if (s.syncIn === s.serial)
      add(['sensors', i, 'syncIn'], "must not be the sensor's own serial: its Sync Out cannot feed its own Sync In");
    else if (s.syncIn !== null && s.syncIn !== 'generator' && !serials.includes(s.syncIn))
      add(
        ['sensors', i, 'syncIn'],
        `must be null, "generator" or another sensor's serial, ` +
          `got ${describeValue(s.syncIn)}, which no sensor in the rig has`,
      );
    if (s.syncInDead && s.syncIn === null)
      add(['sensors', i, 'syncInDead'], 'says a dead cable is plugged into Sync In, but syncIn is null (no cable)');
  });

  const order = rig.startOrder;
  if (order) {
    const missing = serials.filter((s) => !order.includes(s));
    const unknown = order.filter((s) => !serials.includes(s));
    const repeated = [...new Set(order.filter((s, i) => order.indexOf(s) !== i))];
    const faults = [
      missing.length > 0 ? `misses ${missing.join(', ')}` : '',
      unknown.length > 0 ? `names ${unknown.join(', ')}, not in the rig` : '',
      repeated.length > 0 ? `repeats ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    if (faults.length > 0)
      add(['startOrder'], `must list every sensor's serial exactly once, but it ${faults.join(', ')}`);
  }
  if (rig.generator && rig.sync.source !== 'generator')
    add(['generator'], `describes switching on a generator, but sync.source is "${rig.sync.source}"`);
  return issues;
}

export const RigSchema = RigShape.superRefine((rig, ctx) => {
  for (const issue of consistencyIssues(rig)) ctx.addIssue({ code: 'custom', ...issue });
}).transform((rig) => ({
  ...rig,
  generator: rig.generator ?? { switchOn: 'after-arming' as const, ltc: true, timecodeStart: '10:00:00:00', timecodeRate: undefined },
}));

export type Rig = z.output<typeof RigSchema>;

/** Validates a parsed rig.json and applies its defaults; throws a RigError naming every faulty field. */
export function parseRig(input: unknown, source = 'rig.json'): Rig {
  return asRigError(() => validate(RigSchema, input, source, RIG_JSON));
}

export function loadRig(path: string): Rig {
  return asRigError(() => readJsonFile(path, RigSchema, RIG_JSON));
}

function asRigError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof JsonFileError && !(e instanceof RigError)) throw new RigError(e.code, e.message, e.field);
    throw e;
  }
}

/** The order the cameras are started in: the file's own, or the correct one (subordinates, standalone, masters). */
export function startOrder(rig: Rig): string[] {
  if (rig.startOrder) return [...rig.startOrder];
  const rank = { subordinate: 0, standalone: 1, master: 2 } as const;
  return [...rig.sensors].sort((a, b) => rank[a.role] - rank[b.role]).map((s) => s.serial);
}

// A decimal shift, not ms * 1000, so that 1.1 ms is written 1100 and not 1100.0000000000002.
function msToUs(ms: number): number {
  const [mantissa, exponent = '0'] = String(ms).split('e');
  return Number(`${mantissa}e${Number(exponent) + 3}`);
}

// String() gives the shortest text that strtod reads back to the same double, and writes every safe
// integer without an exponent, as strtoll needs. strtod flags a subnormal as out of range, and
// rig_config.cpp then refuses it: such a value is 0 to the simulation anyway.
const num = (n: number): string => (Math.abs(n) < 2 ** -1022 ? '0' : String(n));

/**
 * The flat text k4sim_configure parses (native/sim/rig/rig_config.cpp): the hardware facts only. Roles,
 * modes and delays reach the library through k4a_device_start_cameras, as on a real rig.
 */
export function rigToSimText(rig: Rig, payload: 'tiny' | 'realistic'): string {
  const rigFields: [string, string][] = [
    ['seed', num(rig.seed)],
    ['jitter_ticks', num(rig.jitterTicks)],
    ['payload', payload],
    ['host_step_us', num(msToUs(rig.host.stepMs))],
    ['host_ppm', num(rig.host.ppm)],
    ['usb_latency_us', num(msToUs(rig.host.usbLatencyMs))],
    ['usb_jitter_us', num(msToUs(rig.host.usbJitterMs))],
    ['usb_budget_mbps', num(rig.usbBudgetMBps)],
    ['disk_mbps', num(rig.diskMBps)],
    ['imu_rate_hz', num(rig.imuRateHz)],
  ];
  if (rig.sync.source === 'generator')
    rigFields.push(['generator_rate_hz', num(rig.sync.rateHz)], ['generator_ppm', num(rig.sync.ppm)]);
  const lines = [`rig ${rigFields.map(([k, v]) => `${k}=${v}`).join(' ')}`];
  for (const s of rig.sensors) {
    const fields: [string, string][] = [
      ['serial', s.serial],
      ['sync_in', s.syncIn ?? 'none'],
      ['sync_in_dead', s.syncInDead ? '1' : '0'],
      ['ppm', num(s.crystalPpm)],
      ['clock_origin_us', num(s.clockOriginUs ?? rig.clockOriginUs)],
      ['color_fw', s.firmware.color],
      ['depth_fw', s.firmware.depth],
      ['startup_drops', num(s.startupDrops ?? -1)],
      ['unlock_at', num(s.unlockAtFrame ?? -1)],
      ['disconnect_at', num(s.disconnectAtFrame ?? -1)],
      ['drops', s.drops.map((d) => `${num(d.frame)}:${num(d.count)}`).join(',')],
    ];
    lines.push(`sensor ${fields.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
