import { audit, DEFAULT_THRESHOLDS } from '../audit/index.js';
import { startLtcCapture } from '../capture/ltc-capture.js';
import { loadPlan } from '../capture/plan.js';
import { checkModes, recordTake, type CameraMode, type LtcSource, type Operator } from '../capture/record.js';
import { loadSdk } from '../capture/sdk.js';
import { openSimulatedRig, simulatedCrew, simulatedGeneratorLtc } from '../capture/simulated-device.js';
import { loadRig, type Rig } from '../capture/simulated-rig.js';
import type { Device } from '../capture/device.js';
import { renderTerminal } from '../report/terminal.js';
import { isK4sError, K4sError } from '../errors.js';
import { checkNewTakeFolder } from '../output/index.js';
import { requireTerminal, terminalOperator } from './operator.js';
import { statusLine } from './status-line.js';

export interface RecordFlags {
  out: string;
  plan?: string;
  frames?: number;
  duration?: number;
  /** Undefined when not given: the rig's setting (--simulate) or the default applies. */
  fps?: 5 | 15 | 30;
  color?: string;
  depth?: string;
  imu?: boolean;
  exposure?: number;
  generator?: boolean;
  ltcInput?: string;
  simulate?: string;
  payload: 'tiny' | 'realistic';
  sdk?: string;
  yes?: boolean;
  firstFrameTimeout: number;
}

type Settings = Pick<CameraMode, 'fps' | 'color' | 'depth' | 'imu'>;

const DEFAULT_SETTINGS: Settings = { fps: 30, color: 'MJPG_720P', depth: 'NFOV_UNBINNED', imu: true };

/**
 * The camera settings of the take: each flag given, else the simulated rig's setting, else the default; and where
 * they came from, in one line for the operator ("camera settings from rig.json: 15 fps, ...").
 */
export function cameraSettings(flags: Pick<RecordFlags, keyof Settings>, rig?: Rig): { settings: Settings; line: string } {
  const keys = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];
  const base: Settings = rig ? { fps: rig.fps, color: rig.color, depth: rig.depth, imu: rig.imu } : DEFAULT_SETTINGS;
  const given = keys.filter((k) => flags[k] !== undefined);
  const settings = { ...base, ...Object.fromEntries(given.map((k) => [k, flags[k]])) } as Settings;
  const overridden = given.map((k) => (k === 'imu' ? (settings.imu ? '--imu' : '--no-imu') : `--${k}`)).join(', ');
  const from = given.length === keys.length ? 'flags'
    : !rig ? (given.length === 0 ? 'defaults' : `flags (${overridden}) and defaults`)
    : given.length === 0 ? 'rig.json' : `rig.json, overridden by ${overridden}`;
  const line = `camera settings from ${from}: ${settings.fps} fps, ${settings.color}, ${settings.depth}, IMU ${settings.imu ? 'on' : 'off'}`;
  return { settings, line };
}

/**
 * `k4sync record`: exit 0 for a complete take, 1 for a fault or a stop, 2 when pre-flight refuses. The take is
 * written in place, never under a temporary name: a recording is never thrown away, so Ctrl-C, SIGTERM or a fault
 * finalizes every file instead.
 */
export async function runRecord(flags: RecordFlags): Promise<number> {
  // Before anything else, TTY or not: a take is never recorded over.
  checkNewTakeFolder(flags.out, '--out');
  if (flags.simulate && flags.ltcInput) {
    throw new K4sError('K4S_BAD_FLAG', '--ltc-input records a real audio input; with --simulate the simulated generator\'s LTC is written instead.', 'Give one of --simulate and --ltc-input.');
  }
  const rig = flags.simulate ? loadRig(flags.simulate) : undefined;
  const { settings, line } = cameraSettings(flags, rig);
  const mode: CameraMode = { ...settings, ...(flags.exposure ? { exposureUs: flags.exposure } : {}), powerlineHz: 50 };
  // What the SDK would refuse, refused before any sensor is opened.
  checkModes(mode);
  // The generator procedure asks the operator to switch it off, then on: refuse now rather than with sensors open.
  if (flags.generator && !flags.yes) requireTerminal('to switch the sync generator off and on');
  if (rig) process.stderr.write(`${line}\n`);
  const terminal = terminalOperator(flags.yes === true);
  let device: Device;
  let operator: Operator;
  let ltc: LtcSource | undefined;
  if (rig) {
    const simulated = openSimulatedRig(rig, flags.payload);
    device = simulated;
    operator = simulatedCrew(simulated, { tell: terminal });
    ltc = simulatedGeneratorLtc(simulated) ?? undefined;
  } else {
    device = loadSdk(flags.sdk ? { sdk: flags.sdk } : {});
    operator = terminal;
    const input = flags.ltcInput;
    if (input) ltc = { start: (dir) => startLtcCapture(input, dir) };
  }
  const abort = new AbortController();
  let interrupts = 0;
  const onStop = () => {
    interrupts++;
    process.stderr.write(interrupts === 1 ? '\nStopping: finalizing every file...\n' : '\nStill finalizing the files; they will be readable. Please wait.\n');
    abort.abort();
  };
  // A shutdown, a job scheduler or `timeout` sends SIGTERM: the files are finalized exactly as on Ctrl-C.
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    const frames = flags.frames ?? (flags.duration ? Math.round(flags.duration * mode.fps) : 0);
    const status: { line?: ReturnType<typeof statusLine> } = {};
    const result = await recordTake({
      device,
      operator,
      out: flags.out,
      mode,
      frames,
      generator: flags.generator === true,
      ...(ltc ? { ltc } : {}),
      ...(flags.plan ? { plan: loadPlan(flags.plan) } : {}),
      firstFrameTimeoutMs: flags.firstFrameTimeout * 1000,
      flushIntervalMs: 3000,
      onStatus: (stats) => {
        status.line ??= statusLine(stats.map((s) => `${flags.out}/${s.serial}.mkv`), flags.out, mode.fps);
        status.line.update(stats);
      },
      signal: abort.signal,
    });
    status.line?.end();
    if (result.outcome === 'refused') throw isK4sError(result.error) ? result.error : new K4sError('K4S_PREFLIGHT', result.message);
    if (result.message) process.stderr.write(`k4sync: ${result.message}\n`);
    process.stdout.write(`Recorded ${result.files.length} sensors to ${result.dir} (${result.manifest.stopReason}).\n\n`);
    const report = await audit({ paths: [result.dir], thresholds: DEFAULT_THRESHOLDS });
    process.stdout.write(renderTerminal(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
    return result.outcome === 'complete' ? 0 : 1;
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
}
