import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CAPTURE_FORMATS, FfmpegCommand, resolveFfmpeg, type CaptureFormat } from '../ffmpeg/index.js';
import { hostNowUs } from './host-clock.js';
import type { TakeManifest } from '../take/index.js';
import { K4sError } from '../errors.js';

export class LtcInputError extends K4sError {
  /** The message says what to do; `remedy` only when it does not. */
  constructor(message: string, remedy?: string) {
    super('K4S_LTC_INPUT', message, remedy ?? '');
  }
}

export interface LtcCapture {
  /** Settles when ffmpeg ends on its own (a source with a duration, or the device going away). */
  readonly finished: Promise<void>;
  stop(): Promise<NonNullable<TakeManifest['ltc']>>;
}

const SAMPLE_RATE = 48000;

/** `alsa:hw:1,0`, `pulse:default`, `dshow:audio=Line In`, `avfoundation::0`, `lavfi:sine=f=1000`. */
export function parseLtcInput(spec: string): { format: CaptureFormat; device: string } {
  const colon = spec.indexOf(':');
  const format = spec.slice(0, colon) as CaptureFormat;
  if (colon < 1 || !CAPTURE_FORMATS.includes(format)) {
    throw new LtcInputError(`--ltc-input "${spec}" must be <format>:<device> with format one of ${CAPTURE_FORMATS.join(', ')}, e.g. alsa:hw:1,0.`);
  }
  return { format, device: spec.slice(colon + 1) };
}

/** ffmpeg opens an audio device in well under a second; one that has not begun writing by then never will. */
const START_TIMEOUT_MS = 10_000;
/** After `q`, ffmpeg writes out what it buffered and the WAV header at once; one still running after this is stuck. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Records the generator's LTC from a host audio input into ltc.wav with ffmpeg, and notes the host monotonic time at
 * which ffmpeg began writing. That instant is taken when ffmpeg reports its output open, so it carries ffmpeg's and
 * the audio driver's start-up latency (typically a few ms): the audit measures the rest from the LTC itself.
 * Rejects with LtcInputError, ffmpeg stopped, when ffmpeg cannot be started, exits, or has not begun writing within
 * `startTimeoutMs`.
 */
export async function startLtcCapture(spec: string, dir: string, startTimeoutMs = START_TIMEOUT_MS): Promise<LtcCapture> {
  const { format, device } = parseLtcInput(spec);
  const ffmpeg = await resolveFfmpeg();
  const file = 'ltc.wav';
  // ffmpeg is stopped with `q` on its stdin, on every platform: Windows has no SIGINT to send a child, and a killed
  // ffmpeg leaves the WAV header unwritten. FfmpegCommand always adds -nostdin, which would make ffmpeg ignore it.
  const args = new FfmpegCommand().overwrite().logLevel('info').device(format, device).audioOnly().sampleRate(SAMPLE_RATE)
    .audioCodec('pcm_s16le').format('wav').toFile(join(dir, file)).args().filter((a) => a !== '-nostdin');
  const child: ChildProcess = spawn(ffmpeg.path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  // Writing `q` to an ffmpeg that has just ended fails with EPIPE: it has stopped, which is what was asked.
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Listened for for the child's whole life: an 'error' event nobody listens to would end k4sync mid-take.
  let failure: Error | null = null;
  child.on('error', (e) => (failure ??= e));
  let hostStartUs: number | null = null;
  let log = '';
  const lastLines = () => log.trim().split('\n').slice(-2).join(' ');
  let timer: NodeJS.Timeout | undefined;
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (hostStartUs === null && /Output #0/.test(log)) {
        hostStartUs = hostNowUs();
        resolve();
      }
    });
    child.once('error', (e) => reject(new LtcInputError(`ffmpeg (${ffmpeg.path}) could not be started to record from ${spec}: ${e.message}.`)));
    child.once('exit', () => reject(new LtcInputError(`ffmpeg could not record from ${spec}: ${lastLines()}`)));
    timer = setTimeout(() => reject(new LtcInputError(`ffmpeg did not begin recording from ${spec} within ${startTimeoutMs / 1000} s${log ? `: ${lastLines()}` : ''}.`)), startTimeoutMs);
  });
  const running = () => child.exitCode === null && child.signalCode === null && failure === null;
  const kill = async () => {
    if (running()) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const quit = async () => {
    if (!running()) return;
    child.stdin!.end('q');
    const stuck = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(stuck);
  };
  try {
    await started;
  } catch (e) {
    // Nothing worth keeping was written; a driver stuck opening the device may not heed `q`.
    await kill();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return {
    finished: exited,
    async stop() {
      await quit();
      return { file, channel: 0, sampleRate: SAMPLE_RATE, rate: null, hostStartUs: hostStartUs!, anchors: [] };
    },
  };
}
