/**
 * The simulated rig behind the device seam (native/sim, described by rig.json), and the two things a real shoot has
 * around the sensors that the simulation must play itself: the crew at the generator's switch, and the audio
 * interface recording the generator's LTC.
 */
import { nativeBinding, SIMULATED_RIG_LIBRARY } from './native.js';
import type { DeviceTiming, SimTruth, SimulatedRigControl } from './device.js';
import { BindingDevice } from './sdk.js';
import { rigToSimText, type Rig } from './simulated-rig.js';
import { writeSimulatedLtc, type SimulatedLtc } from './simulated-ltc.js';
import type { LtcRecorder, LtcSource, Operator } from './record.js';

/** Simulated time runs as fast as the CPU allows: a short look suffices where a real sensor needs a second. */
const SIMULATED_TIMING: DeviceTiming = { statsIntervalMs: 20, armedCheckMs: 50, pollMs: 5 };

class SimulatedRig extends BindingDevice implements SimulatedRigControl {
  override readonly timing = SIMULATED_TIMING;
  private described: Rig;

  constructor(rig: Rig, payload: 'tiny' | 'realistic') {
    const native = nativeBinding();
    native.openLibrary(SIMULATED_RIG_LIBRARY);
    super(native, SIMULATED_RIG_LIBRARY, true);
    this.described = rig;
    this.configure(rig, payload);
  }

  get rig(): Rig {
    return this.described;
  }

  override get rigName(): string | null {
    return this.described.name ?? null;
  }

  configure(rig: Rig, payload: 'tiny' | 'realistic'): void {
    this.native.simConfigure(rigToSimText(rig, payload));
    this.described = rig;
  }

  setGenerator(on: boolean): void {
    this.native.simSetGenerator(on);
  }

  truth(): SimTruth {
    return JSON.parse(this.native.simTruth()) as SimTruth;
  }
}

/** Loads the simulated rig library and describes `rig` to it. */
export function openSimulatedRig(rig: Rig, payload: 'tiny' | 'realistic'): SimulatedRigControl {
  return new SimulatedRig(rig, payload);
}

/**
 * The crew of a simulated rig: when asked to switch the generator, they do it on the simulated one, after `tell`
 * (the terminal, for `record --simulate`) has confirmed. `leavesGeneratorOn` plays the mistake the start-up sequence
 * exists to catch: the generator is running before the sensors are armed, and the crew confirms "off" without
 * switching it off.
 */
export function simulatedCrew(rig: SimulatedRigControl, opts: { tell?: Operator; leavesGeneratorOn?: boolean } = {}): Operator {
  return {
    async switchGenerator(on) {
      await opts.tell?.switchGenerator(on);
      rig.setGenerator(on || opts.leavesGeneratorOn === true);
    },
    say(message) {
      opts.tell?.say(message);
    },
  };
}

/**
 * The simulated generator's LTC, as a host audio input would have recorded it into ltc.wav: written when the take
 * stops, from the rig's truth (when the generator was switched on, the last frame). `written` holds what was written,
 * for truth.json. Null for a rig without a generator or without LTC; nothing is written when the generator never ran.
 */
export function simulatedGeneratorLtc(rig: SimulatedRigControl): (LtcSource & { written: () => SimulatedLtc | null }) | null {
  const r = rig.rig;
  if (!r.generator.ltc || r.sync.source !== 'generator') return null;
  const sync = r.sync;
  let written: SimulatedLtc | null = null;
  return {
    written: () => written,
    async start(dir: string): Promise<LtcRecorder> {
      return {
        async stop() {
          const truth = rig.truth();
          if (!truth.generator.on) return null;
          const lastTrueUs = Math.max(...truth.sensors.map((s) => s.frames?.trueTimeUs.at(-1) ?? 0));
          written = writeSimulatedLtc(dir, {
            rateHz: sync.rateHz,
            generatorPpm: sync.ppm,
            onTimeUs: truth.generator.onTimeUs,
            lastTrueUs,
            timecodeStart: r.generator.timecodeStart,
            ...(r.generator.timecodeRate ? { rate: r.generator.timecodeRate } : {}),
            sampleRate: r.host.audioSampleRate,
            audioPpm: r.host.audioPpm,
            hostPpm: r.host.ppm,
          });
          return written.manifest;
        },
      };
    },
  };
}
