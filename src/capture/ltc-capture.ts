import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CAPTURE_FORMATS, FfmpegCommand, resolveFfmpeg, type CaptureFormat } from '../timecode/ffmpeg.js';
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

/**
 * Records the generator's LTC from a host audio input into ltc.wav with ffmpeg, and notes the host monotonic time at
 * which ffmpeg began writing. That instant is taken when ffmpeg reports its output open, so it carries ffmpeg's and
 * the audio driver's start-up latency (typically a few ms): the audit measures the rest from the LTC itself.
 */
export async function startLtcCapture(spec: string, dir: string): Promise<LtcCapture> {
  const { format, device } = parseLtcInput(spec);
  const ffmpeg = await resolveFfmpeg();
  const file = 'ltc.wav';
  const args = new FfmpegCommand().overwrite().logLevel('info').device(format, device).audioOnly().sampleRate(SAMPLE_RATE)
    .audioCodec('pcm_s16le').format('wav').toFile(join(dir, file)).args();
  const child: ChildProcess = spawn(ffmpeg.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let hostStartUs: number | null = null;
  let log = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (hostStartUs === null && /Output #0/.test(log)) {
        hostStartUs = hostNowUs();
        resolve();
      }
    });
    child.on('exit', () => reject(new LtcInputError(`ffmpeg could not record from ${spec}: ${log.trim().split('\n').slice(-2).join(' ')}`)));
  });
  await started;
  const finished = new Promise<void>((r) => (child.exitCode !== null ? r() : child.on('exit', () => r())));
  return {
    finished,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.on('exit', r));
        child.kill('SIGINT'); // ffmpeg finalizes the WAV header on SIGINT
        await exited;
      }
      return { file, channel: 0, sampleRate: SAMPLE_RATE, rate: null, hostStartUs: hostStartUs!, anchors: [] };
    },
  };
}
