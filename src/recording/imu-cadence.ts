import type { ImuCadence, ImuGap } from './types.js';

/** The SDK's K4A_IMU_SAMPLE_RATE (±2 %): the period assumed until the file's own samples say better. */
export const IMU_NOMINAL_PERIOD_US = 1e6 / 1666;
/** A step longer than this many sample periods lost samples, as the audit counts dropped frames. */
export const IMU_GAP_PERIODS = 1.5;
/** Samples seen before the period is measured: a second of IMU, so one lost run cannot skew it. */
const WARMUP_SAMPLES = 2000;
/** Spacings this far from their median are gaps or stragglers, not the sample rate. */
const SPACING_TOLERANCE = 0.25;

interface Run {
  /** Block time of the first sample, µs. */
  firstUs: number;
  /** Last sample minus first, µs. */
  spanUs: number | null;
  samples: number;
}

/**
 * Finds samples missing from the IMU stream from block headers alone: k4arecord stores each run of consecutive samples
 * as one laced block whose time is the first sample's and whose BlockDuration is the run's span plus 1 µs, and the
 * lace count says how many samples it holds. A step between runs, or a run spanning more periods than it holds
 * samples, is a gap. Memory is the gaps plus a second of runs while the period is measured: a 10-minute take holds a
 * million samples, and none of their times are kept.
 */
export class ImuCadenceBuilder {
  private samples = 0;
  private firstUs: number | null = null;
  private lastUs: number | null = null;
  private warmup: Run[] | null = [];
  private warmupSamples = 0;
  private periodUs = IMU_NOMINAL_PERIOD_US;
  /** Steps between samples judged continuous: what the reported rate is measured over. */
  private steadyUs = 0;
  private steadySteps = 0;
  private readonly gaps: ImuGap[] = [];

  /** One IMU block: its time, its BlockDuration when it has one (span + 1 µs), and the samples it holds. */
  add(firstUs: number, durationUs: number | null, samples: number): void {
    if (samples <= 0) return;
    const run: Run = { firstUs, spanUs: durationUs === null ? null : Math.max(0, durationUs - 1), samples };
    if (this.warmup === null) {
      this.take(run);
      return;
    }
    this.warmup.push(run);
    this.warmupSamples += samples;
    if (this.warmupSamples >= WARMUP_SAMPLES) this.settle();
  }

  /** Times relative to the start offset become device times by adding `offsetUs`. */
  finish(offsetUs: number): ImuCadence {
    if (this.warmup !== null) this.settle();
    const measured = this.steadySteps > 0 ? this.steadyUs / this.steadySteps : null;
    return {
      samples: this.samples,
      firstUs: this.firstUs === null ? null : this.firstUs + offsetUs,
      lastUs: this.lastUs === null ? null : this.lastUs + offsetUs,
      periodUs: measured,
      gaps: this.gaps.map((g) => ({ ...g, lastUs: g.lastUs + offsetUs, nextUs: g.nextUs + offsetUs })),
    };
  }

  /** Measures the period on the first second of samples (median spacing, then the mean of spacings near it), then judges them. */
  private settle(): void {
    const runs = this.warmup ?? [];
    this.warmup = null;
    const spacings: { us: number; steps: number }[] = [];
    let end: number | null = null;
    for (const r of runs) {
      if (end !== null) spacings.push({ us: r.firstUs - end, steps: 1 });
      if (r.spanUs !== null && r.samples > 1) spacings.push({ us: r.spanUs, steps: r.samples - 1 });
      end = r.firstUs + (r.spanUs ?? 0);
    }
    const per = spacings.map((s) => s.us / s.steps).sort((a, b) => a - b);
    const median = per[per.length >> 1];
    if (median !== undefined && median > 0) {
      let us = 0;
      let steps = 0;
      for (const s of spacings) {
        if (Math.abs(s.us / s.steps - median) <= SPACING_TOLERANCE * median) {
          us += s.us;
          steps += s.steps;
        }
      }
      if (steps > 0) this.periodUs = us / steps;
    }
    for (const r of runs) this.take(r);
  }

  private take(r: Run): void {
    const p = this.periodUs;
    // Without a BlockDuration (a writer that does not follow k4arecord) the run is assumed continuous.
    const span = r.spanUs ?? (r.samples - 1) * p;
    if (this.lastUs !== null) {
      const step = r.firstUs - this.lastUs;
      if (step > IMU_GAP_PERIODS * p) this.gaps.push({ lastUs: this.lastUs, nextUs: r.firstUs, missing: Math.round(step / p) - 1 });
      else if (step >= 0) this.steady(step, 1);
    }
    if (r.samples > 1) {
      // Only the run's ends are in the headers: samples lost inside it show as more periods than samples.
      const missing = Math.round(span / p) - (r.samples - 1);
      if (missing > 0) this.gaps.push({ lastUs: r.firstUs, nextUs: r.firstUs + span, missing });
      else this.steady(span, r.samples - 1);
    }
    this.firstUs ??= r.firstUs;
    this.lastUs = Math.max(this.lastUs ?? -Infinity, r.firstUs + span);
    this.samples += r.samples;
  }

  private steady(us: number, steps: number): void {
    this.steadyUs += us;
    this.steadySteps += steps;
  }
}
