import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { encodeLtc, framesToTimecode, LTC_RATES, realFps, timecodeToFrames, type LtcRate } from '../timecode/index.js';
import type { TakeManifest } from '../take/index.js';

/** The timecode rate a generator at this pulse rate would run, unless the rig says otherwise. */
export function ltcRateFor(rateHz: number): LtcRate {
  const nearest = [...LTC_RATES].sort((a, b) => Math.abs(realFps(a) - rateHz) - Math.abs(realFps(b) - rateHz))[0]!;
  return nearest === '29.97df' ? '29.97' : nearest;
}

/** Host monotonic clock (µs) at reference time t, as the simulated host sees it (rig_model.cpp: epoch 1e15 ns). */
export function hostUsAt(trueUs: number, hostPpm: number): number {
  return 1e12 + trueUs * (1 + hostPpm * 1e-6);
}

export interface SimulatedLtc {
  manifest: NonNullable<TakeManifest['ltc']>;
  /** Timecode frame number (from midnight) of generator pulse 0. */
  firstPulseFrame: number;
  rate: LtcRate;
  pulsePeriodUs: number;
}

const LEAD_FRAMES = 10;
const TAIL_US = 1e6;

/**
 * Writes ltc.wav: the generator's LTC, whose frames start on its pulses, recorded from a little before the generator
 * is switched on until after the last frame, by an audio interface whose sample clock has its own crystal error.
 * Frame j of the recording therefore starts at sample (j - lead) * Pg * fs * (1 + audioPpm): encoding at that
 * effective sample rate and labelling the file with the nominal one is exactly what the interface would do.
 */
export function writeSimulatedLtc(
  dir: string,
  opts: { rateHz: number; generatorPpm: number; onTimeUs: number; lastTrueUs: number; timecodeStart: string; rate?: LtcRate; sampleRate: number; audioPpm: number; hostPpm: number },
): SimulatedLtc {
  const rate = opts.rate ?? ltcRateFor(opts.rateHz);
  const pulsePeriodUs = 1e6 / opts.rateHz / (1 + opts.generatorPpm * 1e-6);
  const firstPulseFrame = timecodeToFrames(opts.timecodeStart, rate);
  const audioRate = opts.sampleRate * (1 + opts.audioPpm * 1e-6);
  const effectiveRate = (realFps(rate) * pulsePeriodUs * audioRate) / 1e6;
  const startUs = opts.onTimeUs - LEAD_FRAMES * pulsePeriodUs;
  const frames = Math.ceil((opts.lastTrueUs + TAIL_US - startUs) / pulsePeriodUs);
  const { samples } = encodeLtc({
    start: framesToTimecode(firstPulseFrame - LEAD_FRAMES, rate),
    frames,
    rate,
    sampleRate: effectiveRate,
    amplitude: 0.5,
  });
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, opts.sampleRate, '16', Int16Array.from(samples, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767)));
  writeFileSync(join(dir, 'ltc.wav'), wav.toBuffer());
  const hostAtSample = (n: number) => hostUsAt(startUs + (n / audioRate) * 1e6, opts.hostPpm);
  const anchors = [];
  for (let n = opts.sampleRate; n < samples.length; n += opts.sampleRate) anchors.push({ sample: n, hostUs: hostAtSample(n) });
  return {
    manifest: { file: 'ltc.wav', channel: 0, sampleRate: opts.sampleRate, rate, hostStartUs: hostAtSample(0), anchors },
    firstPulseFrame,
    rate,
    pulsePeriodUs,
  };
}
