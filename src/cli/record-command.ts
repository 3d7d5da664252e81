import { audit, DEFAULT_THRESHOLDS } from '../audit/index.js';
import { loadPlan } from '../capture/plan.js';
import { recordTake, type CameraMode } from '../capture/record.js';
import { loadRig } from '../capture/simulated-rig.js';
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
  fps: 5 | 15 | 30;
  color: string;
  depth: string;
  imu: boolean;
  exposure?: number;
  generator?: boolean;
  ltcInput?: string;
  simulate?: string;
  payload: 'tiny' | 'realistic';
  sdk?: string;
  yes?: boolean;
  firstFrameTimeout: number;
}

/**
 * `k4sync record`: exit 0 for a complete take, 1 for a fault or a stop, 2 when pre-flight refuses. The take is
 * written in place, never under a temporary name: a recording is never thrown away, so Ctrl-C, SIGTERM or a fault
 * finalizes every file instead.
 */
export async function runRecord(flags: RecordFlags): Promise<number> {
  // Before anything else, TTY or not: a take is never recorded over.
  checkNewTakeFolder(flags.out, '--out');
  // The generator procedure asks the operator to switch it off, then on: refuse now rather than with sensors open.
  if (flags.generator && !flags.yes) requireTerminal('to switch the sync generator off and on');
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
    const mode: CameraMode = { fps: flags.fps, color: flags.color, depth: flags.depth, imu: flags.imu, ...(flags.exposure ? { exposureUs: flags.exposure } : {}), powerlineHz: 50 };
    const simulate = flags.simulate ? { rig: loadRig(flags.simulate), payload: flags.payload } : undefined;
    const frames = flags.frames ?? (flags.duration ? Math.round(flags.duration * flags.fps) : 0);
    const status: { line?: ReturnType<typeof statusLine> } = {};
    const result = await recordTake({
      out: flags.out,
      mode,
      frames,
      generator: flags.generator === true,
      ...(flags.ltcInput ? { ltcInput: flags.ltcInput } : {}),
      ...(flags.plan ? { plan: loadPlan(flags.plan) } : {}),
      ...(flags.sdk ? { sdk: flags.sdk } : {}),
      ...(simulate ? { simulate } : {}),
      firstFrameTimeoutMs: flags.firstFrameTimeout * 1000,
      flushIntervalMs: 3000,
      operator: terminalOperator(flags.yes === true),
      onStatus: (stats) => {
        status.line ??= statusLine(stats.map((s) => `${flags.out}/${s.serial}.mkv`), flags.out, flags.fps);
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
