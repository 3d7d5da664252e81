// npm run bench [-- --frames N --sensors N --cold]
// Writes a realistic take on the simulated rig, then reads every file with our scanner, ffprobe and mkvinfo -v
// and compares wall time, bytes read and peak memory. See bench/README.md for what is measured and how.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { simulateTake } from '../dist/src/capture/simulate.js';
import { parseRig } from '../dist/src/capture/simulated-rig.js';
import { readRecording } from '../dist/src/recording/index.js';

const READER_URL = pathToFileURL(fileURLToPath(new URL('../dist/src/recording/index.js', import.meta.url))).href;
// Per sensor and frame: MJPG 720P averages 150 KB in realistic takes (native/sim device.cpp), NFOV_UNBINNED depth
// and IR are 640x576x2 bytes each, and IMU samples plus block headers add about 2 KB.
const BYTES_PER_SENSOR_FRAME = 150_000 + 2 * 640 * 576 * 2 + 2_000;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const FFPROBE_ARGS = ['-v', 'error', '-show_entries', 'packet=stream_index,pts', '-of', 'csv'];
// A fresh Node process that does nothing but the scan, so the writer's memory and this bench's own heap do not count.
// Its peak is VmHWM, not resourceUsage().maxRSS: Linux carries ru_maxrss over fork and exec, so a child of this
// bench would report the bench's own peak (about 270 MB after writing the take) instead of its own.
const SCAN_CHILD = String.raw`
const { readFileSync } = await import('node:fs');
const { readRecording } = await import(process.argv[1]);
const rec = readRecording(process.argv[2]);
const proc = (file, key) => Number(readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(key + ':')).split(/\s+/)[1]);
console.log(JSON.stringify({ peakKb: proc('/proc/self/status', 'VmHWM'), bytes: proc('/proc/self/io', 'rchar'), color: rec.color?.length }));
`;

const { values: opts } = parseArgs({
  options: {
    frames: { type: 'string', default: '1800' },
    sensors: { type: 'string', default: '4' },
    cold: { type: 'boolean', default: false },
  },
});
const frames = Number(opts.frames);
const sensors = Number(opts.sensors);
if (!Number.isInteger(frames) || frames < 1) fail(`--frames must be a whole number >= 1, got "${opts.frames}"`);
if (!Number.isInteger(sensors) || sensors < 1 || sensors > 16) fail(`--sensors must be 1 to 16, got "${opts.sensors}"`);
if (opts.cold && !canDropCaches())
  fail('--cold needs root and a writable /proc/sys/vm/drop_caches; run without --cold to compare on a warm cache.');

const estimate = frames * sensors * BYTES_PER_SENSOR_FRAME;
const { bavail, bsize } = statfsSync(tmpdir());
if (bavail * bsize < 2 * estimate)
  fail(
    `The take needs about ${gb(estimate)} and the bench wants twice that free in ${tmpdir()}, which has ` +
      `${gb(bavail * bsize)}. Free some space, point TMPDIR at a bigger disk, or pass --frames with a smaller number.`,
  );

const dir = mkdtempSync(join(tmpdir(), 'k4sync-bench-'));
// 'exit' also runs after process.exit() and after an uncaught error, so the take never outlives the bench.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    console.error(`\n${signal}: removing ${dir}`);
    process.exit(130);
  });

machineFacts();
const take = await writeTake();
const results = await measure(take.files);
const failures = check(take, results);
printTable(results);
if (failures.length > 0) {
  console.error(`\nFAILED checks:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`\nChecks passed: every COLOR, DEPTH, IR frame and IMU sample the simulator wrote was found by our scan,`);
  console.log('and ffprobe and mkvinfo -v saw the same number of COLOR packets/blocks.');
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

function dropCaches() {
  spawnSync('sync');
  writeFileSync('/proc/sys/vm/drop_caches', '3');
}

function firstLine(cmd, args) {
  return spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() || `${cmd}: not found`;
}

function machineFacts() {
  console.log(`k4sync scan bench, ${new Date().toISOString()}`);
  console.log(`  CPU      ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${gb(totalmem())} RAM, Linux ${release()}`);
  console.log(`  Node     ${process.version}`);
  console.log(`  tools    ${firstLine('ffprobe', ['-version'])}; ${firstLine('mkvinfo', ['--version'])}`);
  console.log(`  memory   ${TIME ? '/usr/bin/time -f %M (exact peak RSS)' : 'VmHWM polled every 5 ms (approximate, /usr/bin/time not installed)'}`);
  console.log(`  cache    ${opts.cold ? 'cold: sync + drop_caches before every run' : 'warm: every file read once by every tool before the timed runs'}`);
  console.log(`  take     ${sensors} sensors x ${frames} frames, about ${gb(estimate)} in ${dir}\n`);
}

async function writeTake() {
  const serial = (i) => `0009000000${String(i + 1).padStart(2, '0')}`;
  const rig = parseRig({
    name: 'bench-daisy-chain',
    fps: 30,
    color: 'MJPG_720P',
    depth: 'NFOV_UNBINNED',
    imu: true,
    // A master with nothing on its Sync Out refuses to start (as the SDK does), so a rig of one is standalone.
    sync: { source: sensors === 1 ? 'none' : 'master' },
    sensors: Array.from({ length: sensors }, (_, i) => ({
      serial: serial(i),
      role: sensors === 1 ? 'standalone' : i === 0 ? 'master' : 'subordinate',
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
    if (!force && now - lastPrint < (tty ? 500 : 5000)) return;
    lastPrint = now;
    const done = stats.reduce((n, s) => n + s.frames, 0);
    const onDisk = stats.reduce((n, s) => n + (statSync(join(dir, `${s.serial}.mkv`), { throwIfNoEntry: false })?.size ?? 0), 0);
    const line = `writing take: ${done}/${frames * sensors} frames (${((100 * done) / (frames * sensors)).toFixed(0)}%), ${gb(onDisk)}, ${((now - started) / 1000).toFixed(0)} s`;
    process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
  };
  const take = await simulateTake(rig, { out: dir, frames, payload: 'realistic', onProgress: progress });
  progress(take.stats, true);
  if (tty) process.stdout.write('\n');
  const idle = take.truth.sensors.filter((s, i) => s.startError || take.stats[i].frames === 0);
  if (idle.length > 0) fail(`the simulated rig recorded nothing on ${idle.map((s) => `${s.serial} (${s.startError ?? 'no frames'})`).join(', ')}`);
  console.log();
  return take;
}

function rchar() {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
}

/**
 * Runs a tool to completion and returns its peak RSS (kB) and bytes read. Bytes read is the growth of this
 * process's rchar: Linux adds a child's I/O counters to its parent's when the parent reaps it, so the delta is the
 * tool's read() total, its shared-library headers included.
 */
async function runMeasured(cmd, args, stdout = 'ignore') {
  if (TIME) {
    const before = rchar();
    const r = spawnSync(TIME, ['-f', '%M', cmd, ...args], { stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' });
    const bytes = rchar() - before;
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
    return { peakKb: Number(r.stderr.trim().split('\n').at(-1)), bytes };
  }
  const before = rchar();
  let polled = 0; // our own /proc reads while polling, taken back out of the delta
  let peakKb = 0;
  const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
  const poll = setInterval(() => {
    try {
      // Before its exec the child is a copy of this process, whose high-water mark is not the tool's.
      const comm = readFileSync(`/proc/${child.pid}/comm`);
      const status = readFileSync(`/proc/${child.pid}/status`);
      polled += comm.length + status.length;
      if (comm.toString().trim() === basename(cmd).slice(0, 15))
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status.toString())?.[1] ?? 0));
    } catch {} // gone between the exit and the next tick
  }, 5);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((res) => child.on('close', res));
  clearInterval(poll);
  if (status !== 0) throw new Error(`${cmd} failed (${status}): ${stderr}`);
  return { peakKb, bytes: rchar() - before - polled };
}

function scanInChild(file) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCAN_CHILD, READER_URL, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scan child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// spawnSync blocks the event loop, and with it the SIGINT handler: give it a turn between runs so that a Ctrl-C
// sent to this process alone still removes the take.
function letSignalsIn() {
  return new Promise((resolve) => setImmediate(resolve));
}

function timed(fn) {
  if (opts.cold) dropCaches();
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function runBare(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

function countLines(path, re) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => re.test(l)).length;
}

async function measure(files) {
  const tools = {
    ours: { label: 'k4sync readRecording (in-process)', ms: 0, bytes: 0, peakKb: 0 },
    oursChild: { label: 'k4sync, new node process (incl. start-up)', ms: 0, bytes: 0, peakKb: 0 },
    ffprobe: { label: `ffprobe ${FFPROBE_ARGS.join(' ')}`, ms: 0, bytes: 0, peakKb: 0 },
    mkvinfo: { label: 'mkvinfo -v', ms: 0, bytes: 0, peakKb: 0 },
  };
  const perFile = [];
  const add = (tool, m) => {
    tools[tool].bytes += m.bytes;
    tools[tool].peakKb = Math.max(tools[tool].peakKb, m.peakKb);
  };
  // Untimed pass: warms the page cache (ffprobe and mkvinfo read whole files) and takes memory, bytes and counts.
  console.log('untimed pass (warms the cache; measures memory, bytes read and counts)');
  for (const file of files) {
    await letSignalsIn();
    const rec = readRecording(file);
    const child = scanInChild(file);
    add('ours', { bytes: rec.bytesRead, peakKb: child.peakKb });
    add('oursChild', child);
    const ffOut = join(dir, 'ffprobe.csv');
    const miOut = join(dir, 'mkvinfo.txt');
    const ffFd = openSync(ffOut, 'w');
    add('ffprobe', await runMeasured('ffprobe', [...FFPROBE_ARGS, file], ffFd));
    closeSync(ffFd);
    const miFd = openSync(miOut, 'w');
    add('mkvinfo', await runMeasured('mkvinfo', ['-v', file], miFd));
    closeSync(miFd);
    const colorTrack = rec.tracks.find((t) => t.name === 'COLOR');
    const streams = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=index:stream_tags=title', '-of', 'csv=p=0', file], { encoding: 'utf8' }).stdout;
    const colorStream = /^(\d+),COLOR$/m.exec(streams)?.[1];
    perFile.push({
      file,
      size: rec.fileSize,
      rec,
      childColor: child.color,
      ffprobeColor: countLines(ffOut, new RegExp(`^packet,${colorStream},`)),
      mkvinfoColor: countLines(miOut, new RegExp(`block: .*track number ${colorTrack?.number},`, 'i')),
    });
    console.log(`  ${basename(file)}  ${gb(rec.fileSize)}`);
  }
  rmSync(join(dir, 'ffprobe.csv'), { force: true });
  rmSync(join(dir, 'mkvinfo.txt'), { force: true });

  console.log(`timed pass (${opts.cold ? 'cold cache' : 'warm cache'}; tool output to /dev/null)`);
  for (const { file } of perFile) {
    const runs = {
      ours: () => readRecording(file),
      oursChild: () => scanInChild(file),
      ffprobe: () => runBare('ffprobe', [...FFPROBE_ARGS, file]),
      mkvinfo: () => runBare('mkvinfo', ['-v', file]),
    };
    const ms = {};
    for (const [tool, run] of Object.entries(runs)) {
      await letSignalsIn();
      ms[tool] = timed(run);
      tools[tool].ms += ms[tool];
    }
    console.log(`  ${basename(file)}  ours ${ms.ours.toFixed(0)} ms, ours in new process ${ms.oursChild.toFixed(0)} ms, ffprobe ${ms.ffprobe.toFixed(0)} ms, mkvinfo -v ${ms.mkvinfo.toFixed(0)} ms`);
  }
  const bare = spawnSync(process.execPath, ['-p', "/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]"], { encoding: 'utf8' });
  return { tools, perFile, totalSize: perFile.reduce((n, f) => n + f.size, 0), bareNodeKb: Number(bare.stdout) };
}

function check(take, { perFile }) {
  const failures = [];
  const expect = (what, got, want) => got !== want && failures.push(`${what}: got ${got}, expected ${want}`);
  perFile.forEach(({ file, rec, childColor, ffprobeColor, mkvinfoColor }, i) => {
    const stats = take.stats[i];
    const name = basename(file);
    expect(`${name} simulator frames vs truth.json`, stats.frames, take.truth.sensors[i].frames.index.length);
    expect(`${name} COLOR frames`, rec.color?.length, stats.frames);
    expect(`${name} DEPTH frames`, rec.depth?.length, stats.frames);
    expect(`${name} IR frames`, rec.ir?.length, stats.frames);
    expect(`${name} IMU samples`, rec.imu?.accTimestampsUs.length, stats.imuSamples);
    expect(`${name} COLOR frames in the scan child`, childColor, rec.color?.length);
    expect(`${name} ffprobe COLOR packets vs ours`, ffprobeColor, rec.color?.length);
    expect(`${name} mkvinfo -v COLOR blocks vs ours`, mkvinfoColor, rec.color?.length);
    if (stats.frames !== frames) console.log(`note: ${name} recorded ${stats.frames} of ${frames} frames (${stats.state})`);
  });
  return failures;
}

function printTable({ tools, totalSize, perFile, bareNodeKb }) {
  const base = tools.ours.ms;
  const rows = Object.values(tools).map((t) => [
    t.label,
    `${(t.ms / 1000).toFixed(3)} s`,
    t === tools.ours ? '1x' : `${(t.ms / base).toFixed(1)}x slower`,
    `${gb(t.bytes)} (${((100 * t.bytes) / totalSize).toFixed(t.bytes < totalSize / 100 ? 3 : 1)}%)`,
    `${(t.peakKb / 1024).toFixed(1)} MiB`,
  ]);
  const head = ['tool', `wall, ${perFile.length} files`, 'vs ours', 'bytes read (% of files)', 'peak RSS'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\n${perFile.length} files, ${gb(totalSize)}, ${opts.cold ? 'cold' : 'warm'} cache`);
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  console.log(`\nours (in-process) bytes: what the reader asked the file for; every other row: the process's rchar (all read() calls).`);
  console.log(`Our peak RSS is that of a node process running only the scan; a bare node process peaks at ${(bareNodeKb / 1024).toFixed(1)} MiB.`);
}
