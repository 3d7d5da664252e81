// npm run bench [-- --frames N --sensors N --takes N --runs N --cold]
// What a crew's commands cost against the usual tools on the same files, as ratios: k4sync's start-up against a
// bare node, `k4sync audit` and `k4sync timestamps` against ffprobe's packet listing and mkvinfo -v, on a realistic
// take and on a shoot day of small takes, with peak memory. See bench/README.md for what is measured and how.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { simulateTake } from '../dist/src/capture/simulate.js';
import { parseRig } from '../dist/src/capture/simulated-rig.js';
import { readRecording } from '../dist/src/recording/index.js';
import { VERSION } from '../dist/src/version.js';
import { comparePools } from './pool.mjs';
import { ltcMemory, printLtcMemory } from './ltc-memory.mjs';
import { offloadBench } from './offload.mjs';

const CLI = fileURLToPath(new URL('../dist/bin/k4sync.js', import.meta.url));
// Per sensor and frame: MJPG 720P averages 150 KB in realistic takes (native/sim device.cpp), NFOV_UNBINNED depth
// and IR are 640x576x2 bytes each, and IMU samples plus block headers add about 2 KB; tiny payloads are about 6 KB.
const BYTES_PER_SENSOR_FRAME = 150_000 + 2 * 640 * 576 * 2 + 2_000;
const TINY_BYTES_PER_SENSOR_FRAME = 6_200;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const FFPROBE_ARGS = ['-v', 'error', '-show_entries', 'packet=stream_index,pts', '-of', 'csv'];
const STARTUP_RUNS = 15;
/** mkvinfo -v results by file: a file of the take is run once, however many comparisons it is in. */
const mkvinfoRuns = new Map();
// Before its exec the child is a copy of the poller, whose high-water mark is not the tool's: hence the comm check.
const POLLER = String.raw`
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: 'ignore' });
let peak = 0;
const poll = setInterval(() => {
  try {
    if (readFileSync('/proc/' + child.pid + '/comm', 'utf8').trim() !== require('node:path').basename(cmd).slice(0, 15)) return;
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/' + child.pid + '/status', 'utf8'))?.[1] ?? 0));
  } catch {}
}, 5);
child.on('close', (code) => { clearInterval(poll); console.log(peak); process.exit(code); });
`;

const { values: opts } = parseArgs({
  options: {
    frames: { type: 'string', default: '1800' },
    sensors: { type: 'string', default: '4' },
    takes: { type: 'string', default: '20' },
    'take-frames': { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
    cold: { type: 'boolean', default: false },
  },
});
const frames = wholeNumber('frames', 1);
const sensors = wholeNumber('sensors', 1, 16);
const dayTakes = wholeNumber('takes', 1);
const dayFrames = wholeNumber('take-frames', 1);
const runs = wholeNumber('runs', 1);
if (opts.cold && !canDropCaches())
  fail('--cold needs root and a writable /proc/sys/vm/drop_caches; run without --cold to compare on a warm cache.');

const estimate = frames * sensors * BYTES_PER_SENSOR_FRAME + dayTakes * sensors * dayFrames * TINY_BYTES_PER_SENSOR_FRAME;
const { bavail, bsize } = statfsSync(tmpdir());
if (bavail * bsize < 2 * estimate)
  fail(
    `The takes need about ${gb(estimate)} and the bench wants twice that free in ${tmpdir()}, which has ` +
      `${gb(bavail * bsize)}. Free some space, point TMPDIR at a bigger disk, or pass --frames with a smaller number.`,
  );

const dir = mkdtempSync(join(tmpdir(), 'k4sync-bench-'));
// 'exit' also runs after process.exit() and after an uncaught error, so the takes never outlive the bench.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    console.error(`\n${signal}: removing ${dir}`);
    process.exit(130);
  });

machineFacts();
const take = await writeTake(join(dir, 'take'), { frames, sensors, payload: 'realistic', seed: 42 });
const day = join(dir, 'day');
const dayFiles = [];
for (let i = 1; i <= dayTakes; i++) {
  const t = await writeTake(join(day, `take-${String(i).padStart(3, '0')}`), { frames: dayFrames, sensors, payload: 'tiny', seed: i, quiet: true });
  dayFiles.push(...t.files);
}
console.log(`shoot day: ${dayTakes} takes x ${sensors} sensors x ${dayFrames} frames (tiny payloads), ${gb(dayFiles.reduce((n, f) => n + statSync(f).size, 0))}\n`);

const failures = [];
warmAndCheck(take);
const rows = measure();
printTable(rows);
printPools(
  comparePools(
    { 'the realistic take': take.files, 'one of its files': [take.files[0]], 'one small file': [dayFiles[0]], 'the shoot day': dayFiles },
    runs,
    median,
  ),
);
printLtcMemory(ltcMemory());
await offloadBench(join(dir, 'take'), dir, { runs, median });
if (failures.length > 0) {
  console.error(`\nFAILED checks:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('\nChecks passed: our reader found every COLOR, DEPTH, IR frame and IMU sample the simulator wrote; ffprobe and');
  console.log('mkvinfo -v saw as many COLOR packets/blocks; timestamps listed every one; both audits read every take.');
}

function wholeNumber(name, min, max = Infinity) {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min}${max < Infinity ? ` to ${max}` : ''}, got "${opts[name]}"`);
  return n;
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

function gb(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function canDropCaches() {
  try {
    return process.getuid?.() === 0 && (writeFileSync('/proc/sys/vm/drop_caches', '1'), true);
  } catch {
    return false;
  }
}

function firstLine(cmd, args) {
  return spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() || `${cmd}: not found`;
}

function machineFacts() {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`k4sync ${VERSION} bench, ${new Date().toISOString()}`);
  console.log(`  CPU      ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${gb(totalmem())} RAM, Linux ${release()}, load ${load} at start`);
  console.log(`  Node     ${process.version}`);
  console.log(`  tools    ${firstLine('ffprobe', ['-version'])}; ${firstLine('mkvinfo', ['--version'])}`);
  console.log(`  memory   ${TIME ? '/usr/bin/time -f %M (exact peak RSS)' : 'VmHWM polled every 5 ms (approximate, /usr/bin/time not installed)'}`);
  console.log(`  cache    ${opts.cold ? 'cold: sync + drop_caches before every timed run' : 'warm: every file read whole once before the timed runs'}`);
  console.log(`  timing   median of ${runs} runs, the tools taking turns (mkvinfo -v: one run); k4sync --version: median of ${STARTUP_RUNS}`);
  console.log(`  take     ${sensors} sensors x ${frames} frames, realistic payloads, about ${gb(frames * sensors * BYTES_PER_SENSOR_FRAME)}, in ${dir}\n`);
}

async function writeTake(out, { frames: n, sensors: count, payload, seed, quiet = false }) {
  const serial = (i) => `0009000000${String(i + 1).padStart(2, '0')}`;
  const rig = parseRig({
    name: 'bench-daisy-chain',
    fps: 30,
    color: 'MJPG_720P',
    depth: 'NFOV_UNBINNED',
    imu: true,
    seed,
    // A master with nothing on its Sync Out refuses to start (as the SDK does), so a rig of one is standalone.
    sync: { source: count === 1 ? 'none' : 'master' },
    sensors: Array.from({ length: count }, (_, i) => ({
      serial: serial(i),
      role: count === 1 ? 'standalone' : i === 0 ? 'master' : 'subordinate',
      syncIn: i === 0 ? null : serial(i - 1),
      crystalPpm: [12, -7, 3, -4][i % 4],
      depthDelayUs: 160 * i,
    })),
  });
  const started = performance.now();
  const tty = process.stdout.isTTY;
  let lastPrint = 0;
  const progress = (stats, force = false) => {
    const now = performance.now();
    if (quiet || (!force && now - lastPrint < (tty ? 500 : 5000))) return;
    lastPrint = now;
    const done = stats.reduce((k, s) => k + s.frames, 0);
    const onDisk = stats.reduce((k, s) => k + (statSync(join(out, `${s.serial}.mkv`), { throwIfNoEntry: false })?.size ?? 0), 0);
    const line = `writing take: ${done}/${n * count} frames (${((100 * done) / (n * count)).toFixed(0)}%), ${gb(onDisk)}, ${((now - started) / 1000).toFixed(0)} s`;
    process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
  };
  const written = await simulateTake(rig, { out, frames: n, payload, onProgress: progress });
  progress(written.stats, true);
  if (tty && !quiet) process.stdout.write('\n');
  const idle = written.truth.sensors.filter((s, i) => s.startError || written.stats[i].frames === 0);
  if (idle.length > 0) fail(`the simulated rig recorded nothing on ${idle.map((s) => `${s.serial} (${s.startError ?? 'no frames'})`).join(', ')}`);
  return { ...written, dir: out };
}

function expect(what, got, want) {
  if (got !== want) failures.push(`${what}: got ${got}, expected ${want}`);
}

function ffprobe(file, stdout = 'ignore') {
  return run('ffprobe', [...FFPROBE_ARGS, file], stdout);
}

function run(cmd, args, stdout = 'ignore') {
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function k4sync(...args) {
  return run(process.execPath, [CLI, ...args], 'pipe');
}

/**
 * Untimed: reads every file whole (ffprobe), which warms the page cache for every tool, and checks that each tool
 * sees what the simulator wrote.
 */
function warmAndCheck(written) {
  console.log('untimed pass: ffprobe reads every file whole (warms the cache); counts checked');
  written.files.forEach((file, i) => {
    const rec = readRecording(file);
    const stats = written.stats[i];
    const name = basename(file);
    expect(`${name} simulator frames vs truth.json`, stats.frames, written.truth.sensors[i].frames.index.length);
    for (const track of ['color', 'depth', 'ir']) expect(`${name} ${track.toUpperCase()} frames`, rec[track]?.length, stats.frames);
    expect(`${name} IMU samples`, rec.imu?.accTimestampsUs.length, stats.imuSamples);
    const streams = run('ffprobe', ['-v', 'error', '-show_entries', 'stream=index:stream_tags=title', '-of', 'csv=p=0', file], 'pipe');
    const colorStream = /^(\d+),COLOR$/m.exec(streams)?.[1];
    const packets = ffprobe(file, 'pipe').split('\n').filter((l) => l.startsWith(`packet,${colorStream},`)).length;
    expect(`${name} ffprobe COLOR packets vs ours`, packets, rec.color?.length);
    written.counts ??= [];
    written.counts.push({ file, color: rec.color?.length, colorTrack: rec.tracks.find((t) => t.name === 'COLOR')?.number, rows: rec.color.length + rec.depth.length + rec.ir.length + rec.imu.accTimestampsUs.length });
    if (stats.frames !== frames) console.log(`note: ${name} recorded ${stats.frames} of ${frames} frames (${stats.state})`);
  });
  for (const f of dayFiles) ffprobe(f);
  const one = written.counts[0];
  expect('timestamps rows of one file', k4sync('timestamps', one.file).trimEnd().split('\n').length - 1, one.rows);
  expect('audit of the take', JSON.parse(k4sync('audit', written.dir, '--json')).take, basename(written.dir));
  expect('takes audited in the shoot day', JSON.parse(k4sync('audit', day, '--json')).takes?.length, dayTakes);
}

function timed(fn) {
  if (opts.cold) {
    spawnSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  }
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs a tool once and returns its peak RSS (kB): /usr/bin/time's exact figure, else VmHWM polled every 5 ms. */
function peakKb(cmd, args) {
  if (TIME) {
    const r = spawnSync(TIME, ['-f', '%M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
    return Number(r.stderr.trim().split('\n').at(-1));
  }
  // Polling needs an event loop, which spawnSync blocks: a small synchronous helper process does it instead.
  const r = spawnSync(process.execPath, ['-e', POLLER, cmd, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout);
}


/**
 * Each comparison: our command and the tools on the same files, timed in turns (round by round, so a busy moment
 * of a shared machine hits every tool alike), the median kept; mkvinfo -v once (it takes ten times longer than
 * the rest together); peak memory from one more, untimed run of each (the largest of a tool run per file).
 */
function measure() {
  const node = ['-e', '0'];
  const fileSets = {
    take: take.files,
    one: [take.files[0]],
    day: dayFiles,
  };
  const comparisons = [
    { name: 'start-up', ours: ['k4sync --version', [CLI, '--version']], against: { 'node -e 0': () => run(process.execPath, node) }, runs: STARTUP_RUNS },
    { name: `audit, realistic take (${take.files.length} files, ${gb(size(take.files))})`, ours: ['k4sync audit', [CLI, 'audit', take.dir]], files: 'take' },
    { name: `timestamps, one file (${gb(size(fileSets.one))})`, ours: ['k4sync timestamps', [CLI, 'timestamps', take.files[0]]], files: 'one' },
    { name: `audit, shoot day (${dayTakes} takes, ${dayFiles.length} files, ${gb(size(dayFiles))})`, ours: ['k4sync audit', [CLI, 'audit', day]], files: 'day' },
  ];
  const rows = [];
  for (const c of comparisons) {
    console.log(`timing: ${c.name}`);
    const files = c.files ? fileSets[c.files] : null;
    const against = c.against ?? { 'ffprobe packets': () => files.forEach((f) => ffprobe(f)) };
    const times = { [c.ours[0]]: [], ...Object.fromEntries(Object.keys(against).map((k) => [k, []])) };
    for (let r = 0; r < (c.runs ?? runs); r++) {
      times[c.ours[0]].push(timed(() => run(process.execPath, c.ours[1])));
      for (const [k, fn] of Object.entries(against)) times[k].push(timed(fn));
    }
    const row = { name: c.name, ours: c.ours[0], ms: median(times[c.ours[0]]), peakKb: peakKb(process.execPath, c.ours[1]), others: [] };
    for (const k of Object.keys(against)) {
      // One take's files stand for a shoot day's: its takes are alike.
      const peak = c.files ? Math.max(...files.slice(0, sensors).map((f) => peakKb('ffprobe', [...FFPROBE_ARGS, f]))) : peakKb(process.execPath, node);
      row.others.push({ tool: k, ms: median(times[k]), peakKb: peak });
    }
    if (files) row.others.push(mkvinfo(files));
    rows.push(row);
  }
  return rows;
}

function size(files) {
  return files.reduce((n, f) => n + statSync(f).size, 0);
}

/**
 * mkvinfo -v on every file, once: time, peak memory (through /usr/bin/time,
 * whose own start costs a millisecond against mkvinfo's seconds) and the COLOR blocks it listed.
 */
function mkvinfo(files) {
  let ms = 0;
  let peak = 0;
  for (const file of files) {
    if (!mkvinfoRuns.has(file)) {
      let r;
      const wall = timed(() => (r = spawnSync(TIME ?? 'mkvinfo', [...(TIME ? ['-f', '%M', 'mkvinfo'] : []), '-v', file], { encoding: 'utf8', maxBuffer: 1 << 30 })));
      if (r.status !== 0) throw new Error(`mkvinfo -v ${file} failed (${r.status}): ${r.stderr}`);
      const counted = take.counts.find((c) => c.file === file);
      if (counted) expect(`${basename(file)} mkvinfo -v COLOR blocks vs ours`, r.stdout.split('\n').filter((l) => new RegExp(`block: .*track number ${counted.colorTrack},`, 'i').test(l)).length, counted.color);
      mkvinfoRuns.set(file, { ms: wall, peakKb: TIME ? Number(r.stderr.trim().split('\n').at(-1)) : peakKb('mkvinfo', ['-v', file]) });
    }
    ms += mkvinfoRuns.get(file).ms;
    peak = Math.max(peak, mkvinfoRuns.get(file).peakKb);
  }
  return { tool: 'mkvinfo -v (1 run)', ms, peakKb: peak };
}

function printTable(rows) {
  const table = [];
  for (const r of rows) {
    table.push([r.name, '', '', '']);
    table.push([`  ${r.ours}`, `${(r.ms / 1000).toFixed(3)} s`, '', `${(r.peakKb / 1024).toFixed(0)} MiB`]);
    for (const o of r.others) {
      const ratio = o.ms / r.ms;
      const rel = r.name === 'start-up' ? `ours ${(r.ms / o.ms).toFixed(2)}x its time` : ratio >= 1 ? `ours ${ratio.toFixed(1)}x faster` : `ours ${(1 / ratio).toFixed(1)}x slower`;
      table.push([`  ${o.tool}`, `${(o.ms / 1000).toFixed(3)} s`, rel, `${(o.peakKb / 1024).toFixed(0)} MiB`]);
    }
  }
  const head = ['', 'wall (median)', 'ratio', 'peak RSS'];
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((t) => t[c].length)));
  const fmt = (t) => t.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\n${opts.cold ? 'cold' : 'warm'} cache; ffprobe = ${FFPROBE_ARGS.join(' ')}, once per file; peak RSS of the largest single process`);
  console.log(fmt(head));
  for (const t of table) console.log(fmt(t));
  const ratio = (i, tool) => rows[i].others.find((o) => o.tool === tool).ms / rows[i].ms;
  const startup = rows[0].ms / rows[0].others[0].ms;
  console.log('\nAcceptance (issue 15):');
  const line = (ok, text) => console.log(`  ${ok ? 'met    ' : 'MISSED '} ${text}`);
  line(startup <= 1.5, `k4sync --version within 1.5x of node -e 0: ${startup.toFixed(2)}x`);
  line(ratio(1, 'ffprobe packets') >= 4, `audit of the realistic take at least 4x faster than ffprobe: ${ratio(1, 'ffprobe packets').toFixed(1)}x`);
  line(ratio(2, 'ffprobe packets') >= 2, `timestamps of one file at least 2x faster than ffprobe: ${ratio(2, 'ffprobe packets').toFixed(1)}x`);
  line(ratio(3, 'ffprobe packets') > 1, `the shoot day audits faster than ffprobe lists its packets: ${ratio(3, 'ffprobe packets').toFixed(1)}x`);
}

function printPools(results) {
  console.log(`\nThe read pool: reading the audit's files (fresh node process each, spawn to exit, median of ${runs})`);
  for (const { name, ways } of results) console.log(`  ${name.padEnd(20)} ${ways.map((w) => `${w.way} ${(w.ms / 1000).toFixed(3)} s`).join(';  ')}`);
}
