#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { COLOR_MODES, DEPTH_MODES } from '../src/recording/modes.js';
import { LTC_RATES } from '../src/timecode/rates.js';
import { VERSION } from '../src/version.js';
import { errnoOf, errorLine, fromSystemError, isK4sError, K4sError } from '../src/errors.js';
import { installInterruptHandler } from '../src/output/interrupt.js';

// Only what every command needs is imported above, and the flags' lists come from constant modules: each command's
// module (and with it zod, vega-lite, cli-progress, wavefile, the reader threads) is imported by its action, so
// `k4sync --version` and every --help load none of them. test/e2e/startup.test.ts holds start-up to these modules
// and commander.

/**
 * The one error boundary of k4sync: every error of every command ends here as one line with a code and a remedy.
 * Exit status: input errors 2 (the user can fix what they asked for), failures 1 (the work could not be done, or
 * the take failed), anything unexpected 70 (a bug: "please report this"), interrupted 130.
 */
function exitFor(e: unknown): number {
  let err: unknown = e;
  // A system error that escaped with its path still names that path in one sentence.
  const path = (e as NodeJS.ErrnoException | null)?.path;
  if (!isK4sError(e) && errnoOf(e) && typeof path === 'string') err = fromSystemError(e, path, 'use');
  if (isK4sError(err) && err.kind !== 'internal') {
    process.stderr.write(`k4sync: ${errorLine(err)}\n`);
    return err.kind === 'input' ? 2 : 1;
  }
  const internal = err instanceof K4sError ? err : new K4sError('K4S_INTERNAL', `${(e as Error)?.message ?? String(e)}`);
  process.stderr.write(`k4sync: K4S_INTERNAL: ${internal.message.replace(/[.\s]*$/, '')}. This is a bug in k4sync ${VERSION}: please report it with the command (k4sync ${process.argv.slice(2).join(' ')})${process.env.K4SYNC_DEBUG === '1' ? '' : '; K4SYNC_DEBUG=1 shows the stack'}.\n`);
  if (process.env.K4SYNC_DEBUG === '1') process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  return 70;
}

// A reader that goes away (| head) is not an error: stop writing, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return;
    process.exitCode = exitFor(e);
  });
}
process.on('unhandledRejection', (e) => process.exit(exitFor(e)));
process.on('uncaughtException', (e) => process.exit(exitFor(e)));

const program = new Command();
program
  .name('k4sync')
  .description('Record and audit synchronized multi-sensor Azure Kinect (and Orbbec Femto) takes.')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  // commander's usage errors exit 1; k4sync keeps 1 for a failing take and 2 for bad input, and codes them.
  .configureOutput({ outputError: (text, write) => write(`k4sync: K4S_BAD_FLAG: ${text.replace(/^error: /, '')}`) })
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  // Ctrl-C removes partial outputs and stops ffmpeg; record finalizes its files instead, with its own handler.
  .hook('preAction', (_program, command) => {
    if (command.name() !== 'record') installInterruptHandler(`k4sync ${command.name()}`);
  });

program
  .command('audit')
  .description('Audit takes from their files alone: drops, clock rates, lock, inter-sensor offsets, rig settings; a verdict per take with what to fix.')
  .argument('<take...>', 'take folders (MKVs inside), shoot-day folders (take folders inside), or the MKV files of one take')
  .option('--json', 'print the audit result as JSON (schema: docs/audit-json.md) instead of the summary')
  .option('--out <audit.json>', 'also write the JSON audit result to this file')
  .option('--html <report.html>', 'also write the self-contained HTML sync report (a shoot day: an index page and one report per take beside it)')
  .option('--config <k4sync.config.json>', 'thresholds to use instead of the defaults (see docs/audit-json.md)')
  .option('--reference <serial>', 'measure offsets against this sensor (default: the master, else the first serial)')
  .option('--strict', 'exit 1 on WARN as well as FAIL')
  .option('--audio <files...>', 'audio files (BWF, or any container with LTC on a channel) to place on the take\'s timecode line')
  .option('--offset-tolerance <us>', 'inter-sensor offset tolerance in µs (default 110/220/660 at 30/15/5 fps)', (v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`--offset-tolerance must be a positive number of µs, got "${v}"`);
    return n;
  })
  .option('--drop-fail <fraction>', 'share of dropped frames that fails a sensor (default 0.05; any drop warns)', (v: string) => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`--drop-fail must be between 0 and 1, got "${v}"`);
    return n;
  })
  .addHelpText('after', `
Exit status: 0 PASS or WARN (1 for WARN with --strict), 1 FAIL, 2 bad input.
Thresholds: defaults, then --config, then flags. How each check decides: docs/how-the-audit-decides.md.

Examples:
  k4sync audit samples/daisy-chain
  k4sync audit /shoot/day-3 --out day-3-audit.json
  k4sync audit take-0042/*.mkv --json --reference 000123456789`)
  .action(async (paths: string[], opts: { json?: boolean; out?: string; config?: string; reference?: string; strict?: boolean; offsetTolerance?: number; dropFail?: number; audio?: string[]; html?: string }) => {
    const { runAudit } = await import('../src/cli/audit-command.js');
    process.exitCode = await runAudit(paths, opts);
  });

program
  .command('devices')
  .description('Every connected sensor with serial, firmware and sync jack state, and the topology the jacks imply (daisy chain, star, external generator, standalone), with anything inconsistent named.')
  .option('--json', 'machine-readable output')
  .option('--sdk <path>', 'libk4a to load (default: K4SYNC_K4A_LIBRARY, then the SDK\'s usual names)')
  .option('--simulate <rig.json>', 'list the sensors of a simulated rig instead')
  .action(async (opts: { json?: boolean; sdk?: string; simulate?: string }) => {
    const { runDevices } = await import('../src/cli/devices-command.js');
    process.exitCode = runDevices(opts);
  });

program
  .command('record')
  .description('Record a take: pre-flight, subordinates before the master (or the external-generator sequence), one MKV per sensor with host arrival times, take.json, and a quick audit at the end.')
  .requiredOption('--out <take-dir>', 'folder for the take (one MKV per sensor, named by serial, and take.json)')
  .option('--plan <plan.json>', 'the intended rig: serials in chain order, roles, generator; pre-flight compares the jacks with it')
  .option('--frames <n>', 'stop after this many frames per sensor', positiveInt('--frames'))
  .option('--duration <seconds>', 'stop after this long (converted to frames)', (v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`--duration must be a positive number of seconds, got "${v}"`);
    return n;
  })
  // No defaults here: a flag not given leaves the rig's setting (--simulate) or the default, resolved in record-command.
  .option('--fps <fps>', '30, 15 or 5 (default 30, or the rig\'s with --simulate)', (v: string) => {
    const n = Number(v);
    if (n !== 30 && n !== 15 && n !== 5) throw new InvalidArgumentError(`--fps must be 30, 15 or 5, got "${v}"`);
    return n;
  })
  .option('--color <mode>', 'colour mode, e.g. MJPG_720P (default), MJPG_1080P, NV12_720P, or OFF', oneOf('--color', COLOR_MODES))
  .option('--depth <mode>', 'NFOV_UNBINNED (default), NFOV_2X2BINNED, WFOV_2X2BINNED, WFOV_UNBINNED, PASSIVE_IR or OFF', oneOf('--depth', DEPTH_MODES))
  .option('--imu', 'record the IMU (the default, unless the rig says otherwise)')
  .option('--no-imu', 'do not record the IMU')
  .option('--exposure <us>', 'manual colour exposure in µs, set once on every sensor (auto exposure breaks sync)', positiveInt('--exposure'))
  .option('--generator', 'an external sync generator drives every sensor (all subordinates): generator off, arm, generator on')
  .option('--ltc-input <spec>', 'record the generator\'s LTC from a host audio input into ltc.wav (ffmpeg): alsa:hw:1,0, pulse:default, dshow:audio=..., avfoundation::0')
  .option('--simulate <rig.json>', 'record on the simulated rig instead of real sensors')
  .option('--payload <kind>', 'simulation only: tiny or realistic frame payloads', (v: string) => {
    if (v !== 'tiny' && v !== 'realistic') throw new InvalidArgumentError(`--payload must be tiny or realistic, got "${v}"`);
    return v;
  }, 'tiny')
  .option('--sdk <path>', 'libk4a to load (default: K4SYNC_K4A_LIBRARY, then the SDK\'s usual names)')
  .option('--yes', 'answer the operator prompts (for scripts)')
  .option('--first-frame-timeout <seconds>', 'how long every sensor may take to deliver its first frame', positiveInt('--first-frame-timeout'), 30)
  .addHelpText('after', `
Every file is finalized whatever happens: a fault, a full disk, Ctrl-C (press it twice and it still finalizes).
Modes the SDK refuses are refused before any sensor is opened: 3072P and WFOV_UNBINNED at most 15 fps, NV12 and
YUY2 only at 720P. With --simulate, the rig's fps, colour, depth and IMU apply unless a flag overrides them.
Exit status: 0 complete, 1 fault or stopped, 2 pre-flight refused (the message says what to change).

Examples:
  k4sync devices
  k4sync record --out take-0042 --frames 900 --exposure 8000
  k4sync record --simulate samples/generator-sync-lost/rig.json --generator --yes --frames 600 --out /tmp/take`)
  .action(async (opts: { out: string; plan?: string; frames?: number; duration?: number; fps?: 5 | 15 | 30; color?: string; depth?: string; imu?: boolean; exposure?: number; generator?: boolean; ltcInput?: string; simulate?: string; payload: 'tiny' | 'realistic'; sdk?: string; yes?: boolean; firstFrameTimeout: number }) => {
    const { runRecord } = await import('../src/cli/record-command.js');
    process.exitCode = await runRecord(opts);
  });

const LTC_FPS = ['auto', ...LTC_RATES] as const;
program
  .command('ltc')
  .description('Decode SMPTE LTC from an audio file (WAV/BWF, or MOV/MP4/MKV/MXF through ffmpeg): first and last timecode, rate, frame count, discontinuities and dropouts.')
  .argument('<audio-file>', 'a recording with LTC on one channel')
  .option('--channel <n>', 'channel carrying the LTC, counted from 0', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--channel must be 0 or more, got "${v}"`);
    return n;
  }, 0)
  .option('--fps <rate>', `timecode rate: ${LTC_FPS.join(', ')}`, (v: string) => {
    if (!(LTC_FPS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--fps must be one of ${LTC_FPS.join(', ')}, got "${v}"`);
    return v as (typeof LTC_FPS)[number];
  }, 'auto')
  .option('--json', 'every frame as {timecode, sampleStart, userBits} (drop-frame written with ";")')
  .addHelpText('after', '\nExit status: 0 LTC found, 1 none found, 2 unreadable input.\n\nExample:\n  k4sync ltc take-0042/ltc.wav\n  k4sync ltc sound/A101_1.WAV --channel 1 --json')
  .action(async (file: string, opts: { channel: number; fps: (typeof LTC_FPS)[number]; json?: boolean }) => {
    const { runLtc } = await import('../src/cli/ltc-command.js');
    process.exitCode = await runLtc(file, opts);
  });

program
  .command('report')
  .description('Turn an audit result into one self-contained HTML sync report (no network, prints on A4/Letter) to attach to deliverables.')
  .argument('<audit.json>', 'written by k4sync audit --out (one take, or a shoot day)')
  .requiredOption('-o, --out <report.html>', 'the report; for a shoot day the index page, with one report per take beside it')
  .addHelpText('after', '\nExample:\n  k4sync audit /shoot/day-3 --out day-3.json && k4sync report day-3.json -o day-3.html')
  .action(async (file: string, opts: { out: string }) => {
    const { runReport } = await import('../src/cli/report-command.js');
    process.exitCode = await runReport(file, opts.out);
  });

const WINDOW_HELP = 'common (the frames every sensor shares, default), tc:HH:MM:SS:FF-HH:MM:SS:FF, or frames:FIRST-LAST (rig frames)';
program
  .command('trim')
  .description('Cut every sensor of a take to the window they all share, copying payloads byte for byte: Azure Kinect format intact, K4A_START_OFFSET_NS and Cues rewritten, IMU and custom tracks kept, constant memory.')
  .argument('<take-dir>', 'the take to trim')
  .requiredOption('--out <dir>', 'folder for the trimmed take (must not exist yet)')
  .option('--window <window>', WINDOW_HELP, 'common')
  .option('--reference <serial>', 'sensor whose clock defines rig frames (default: the master)')
  .action(async (take: string, opts: { out: string; window: string; reference?: string }) => {
    const { runTrim } = await import('../src/cli/post-commands.js');
    process.exitCode = await runTrim(take, opts);
  });

program
  .command('recover')
  .description('Rewrite every recording of a crashed take (recorder killed: no Segment size, stale or missing Cues, clusters past the last index, a cut-short last cluster) into finalized recordings Azure Kinect tools open, payloads copied byte for byte; take.json records what was wrong.')
  .argument('<take-dir>', 'the crashed take')
  .requiredOption('--out <dir>', 'folder for the recovered take (must not exist yet, or be empty)')
  .addHelpText('after', `
Every complete block is kept and read back to check it; a block cut short by the kill is dropped. Recordings that
were finalized already are copied as they are. take.json keeps its stopReason (the audit still says the recorder
did not finish) and gains a "recover" record.
Exit status: 0 recovered, 1 writing failed, 2 bad input (not a take, --out exists, a file that cannot be recovered).

Example:
  k4sync recover take-0042 --out take-0042-recovered`)
  .action(async (take: string, opts: { out: string }) => {
    const { runRecover } = await import('../src/cli/post-commands.js');
    process.exitCode = await runRecover(take, opts);
  });

program
  .command('index')
  .description('The aligned frame index: one row per rig frame in the common window, each sensor\'s frame index, colour and depth device time and timecode; a dropped frame is an empty cell, never a shifted row.')
  .argument('<take-dir>', 'the take')
  .option('--csv', 'CSV (the default)')
  .option('--json', 'JSON')
  .option('--reference <serial>', 'sensor whose clock defines rig frames (default: the master)')
  .action(async (take: string, opts: { csv?: boolean; json?: boolean; reference?: string }) => {
    const { runIndex } = await import('../src/cli/post-commands.js');
    process.exitCode = await runIndex(take, { format: opts.json ? 'json' : 'csv', ...(opts.reference ? { reference: opts.reference } : {}) });
  });

program
  .command('preview')
  .description('A sync-check video: every sensor\'s colour stream in a mosaic, aligned by the frame index, each tile labelled with serial, rig frame and timecode, dropped frames as marked black tiles (H.264, ffmpeg).')
  .argument('<take-dir>', 'the take')
  .requiredOption('-o, --out <video.mp4>', 'the video to write')
  .option('--window <window>', WINDOW_HELP, 'common')
  .option('--reference <serial>', 'sensor whose clock defines rig frames (default: the master)')
  .action(async (take: string, opts: { out: string; window: string; reference?: string }) => {
    const { runPreview } = await import('../src/cli/post-commands.js');
    process.exitCode = await runPreview(take, opts);
  });

program
  .command('info')
  .description('What each recording holds: modes, fps, sync role, delays, serial, firmware, frames per track, first and last device timestamp, whether it was finalized, warnings.')
  .argument('<file.mkv...>', 'Azure Kinect recordings (from k4arecorder, k4sync, Depthkit, pyk4a, ...)')
  .option('--json', 'machine-readable output: one object for one file, an array for several')
  .addHelpText('after', '\nExit status: 0 when every file was read, 2 when any file is not a readable Azure Kinect recording.\n\nExample:\n  k4sync info take-0042/*.mkv')
  .action(async (files: string[], opts: { json?: boolean }) => {
    const { runInfo } = await import('../src/cli/recording-commands.js');
    process.exitCode = runInfo(files, { json: opts.json === true });
  });

const collect = (v: string, all: string[] = []) => [...all, v];
program
  .command('offload')
  .description('Copy takes (or shoot days) to one or more drives in one pass: each file read once, hashed (xxh64) while copied, read back from every drive and compared; an ASC MHL history and the sync report of the copy in every destination.')
  .argument('[folders...]', 'take folders or shoot-day folders')
  .option('--to <destination>', 'a drive or folder to copy into (repeat for each: --to /media/shuttle --to /media/raid)', collect)
  .option('--verify <destination>', 'check a destination against its ASC MHL history instead: files changed, missing or added (exit 1); appends a verification generation', collect)
  .option('--no-report', 'do not audit the copies and write offload-audit.json and offload-report.html beside them')
  .addHelpText('after', `
Each source becomes a folder of its own name in every destination, with ascmhl/ inside (ASC MHL v2, xxh64).
A failed or interrupted offload leaves no file that looks complete; run the same command again to resume: files
its history already records as verified, with the source's size and time, are not copied again.
Exit status: 0 every destination complete and verified, 1 a destination failed (the others are complete) or
--verify found a difference, 2 bad input. See docs/offload.md.

Examples:
  k4sync offload /capture/take-0042 --to /media/shuttle --to /media/raid
  k4sync offload /capture/day-3 --to /media/raid
  k4sync offload --verify /media/raid/day-3`)
  .action(async (folders: string[], opts: { to?: string[]; verify?: string[]; report?: boolean }) => {
    const { runOffload } = await import('../src/cli/offload-command.js');
    process.exitCode = await runOffload(folders, opts);
  });

const TRACKS = ['COLOR', 'DEPTH', 'IR', 'IMU'] as const;
program
  .command('timestamps')
  .description('Every device timestamp of a recording as CSV (track,index,device_timestamp_us): COLOR, DEPTH and IR blocks, then IMU samples (accelerometer time), each in file order.')
  .argument('<file.mkv>', 'an Azure Kinect recording')
  .option('--track <name>', `only one track: ${TRACKS.join(', ')}`, (v: string) => {
    const t = v.toUpperCase();
    if (!(TRACKS as readonly string[]).includes(t)) throw new InvalidArgumentError(`expected one of ${TRACKS.join(', ')}, got "${v}"`);
    return t as (typeof TRACKS)[number];
  })
  .addHelpText('after', '\nTimestamps are device time in µs (block time + K4A_START_OFFSET_NS), exactly what the SDK\'s playback API returns.\n\nExample:\n  k4sync timestamps 000123456789.mkv --track DEPTH > depth.csv')
  .action(async (file: string, opts: { track?: (typeof TRACKS)[number] }) => {
    const { runTimestamps } = await import('../src/cli/recording-commands.js');
    process.exitCode = await runTimestamps(file, opts.track);
  });

function oneOf(name: string, allowed: readonly string[]) {
  return (v: string) => {
    const mode = v.toUpperCase();
    if (!allowed.includes(mode)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return mode;
  };
}

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number above 0, got "${v}"`);
    return n;
  };
}

program
  .command('simulate')
  .description('Record a take on the simulated rig described by rig.json: one MKV per sensor (named by serial) and truth.json with what every sensor really did.')
  .argument('<rig.json>', 'the rig: sensors, cables, crystals, sync source, faults (see docs/rig-json.md)')
  .requiredOption('--out <dir>', 'take folder to write')
  .option('--frames <n>', 'frames each sensor records', positiveInt('--frames'), 300)
  .option('--payload <kind>', 'tiny (small files) or realistic (real frame sizes: 737 KB depth, 100-200 KB MJPEG)', (v: string) => {
    if (v !== 'tiny' && v !== 'realistic') throw new InvalidArgumentError(`expected tiny or realistic, got "${v}"`);
    return v;
  }, 'tiny')
  .option('--seed <n>', 'override the rig\'s seed (jitter, drop draws)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed must be a whole number, got "${v}"`);
    return n;
  })
  .addHelpText('after', '\nSimulated time runs as fast as the CPU allows. Samples: samples/*/rig.json.\n\nExample:\n  k4sync simulate samples/daisy-chain/rig.json --out /tmp/take --frames 900')
  .action(async (rigPath: string, opts: { out: string; frames: number; payload: 'tiny' | 'realistic'; seed?: number }) => {
    const { runSimulate } = await import('../src/cli/simulate-command.js');
    process.exitCode = await runSimulate(rigPath, opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = exitFor(e);
}
