// k4sync offload's throughput (issue 17): one destination against `cp` of the same files, the read-back verification
// as its own figure, and two destinations from one read of the source. Called at the end of scan.mjs on its
// realistic take; on its own: `node bench/offload.mjs <take-dir> [runs]` (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyCopies, writeCopies } from '../dist/src/offload/copy.js';
import { loadHashing } from '../dist/src/offload/hash.js';

const CLI = fileURLToPath(new URL('../dist/bin/k4sync.js', import.meta.url));
const MB = 1e6;

/** Bytes this process has read through read(2) so far (Linux), to show what the source cost. */
function bytesRead() {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
  } catch {
    return null;
  }
}

/**
 * Removes a way's copies and flushes, untimed: a file system commits the freeing of a removed copy with the next
 * flush, and the next way's fsync must not pay for it.
 */
function remove(path) {
  rmSync(path, { recursive: true, force: true });
  spawnSync('sync');
}

function fresh(scratch, name) {
  const d = join(scratch, name);
  remove(d);
  mkdirSync(d);
  return d;
}

function seconds(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return r instanceof Promise ? r.then(() => Number(process.hrtime.bigint() - t) / 1e9) : Number(process.hrtime.bigint() - t) / 1e9;
}

/** Our copy of every file to `dests`, through the offload's own copy module: writing (with hashing and flush), then reading back. */
async function ours(files, dests) {
  let write = 0;
  let verify = 0;
  let read = 0;
  for (const f of files) {
    const before = bytesRead();
    let written;
    write += await seconds(async () => (written = await writeCopies(f, dests.map((d, i) => ({ path: join(d, `${i}-${f.split('/').pop()}`) })))));
    if (before !== null) read += bytesRead() - before;
    verify += await seconds(async () => {
      const r = await verifyCopies(written);
      if (r.errors.some((e) => e)) throw new Error(`copy failed: ${r.errors.find((e) => e).message}`);
    });
  }
  return { write, verify, read };
}

export async function offloadBench(takeDir, scratchRoot = tmpdir(), { runs = 3, median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1] } = {}) {
  await loadHashing();
  const files = readdirSync(takeDir).map((n) => join(takeDir, n)).filter((p) => statSync(p).isFile());
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const { bavail, bsize } = statfsSync(scratchRoot);
  if (bavail * bsize < 2.2 * bytes) {
    console.log(`\nOffload (issue 17): not measured: two copies of the take (${(2 * bytes / 1e9).toFixed(1)} GB) do not fit in ${scratchRoot}.`);
    return null;
  }
  const scratch = mkdtempSync(join(scratchRoot, 'k4sync-offload-bench-'));
  // Warm the page cache: every way below reads the source from memory, as the rest of the bench does.
  for (const f of files) spawnSync('cat', [f], { stdio: 'ignore' });
  const n = Math.min(runs, 3);
  const t = { cp: [], cpSync: [], write1: [], verify1: [], write2: [], verify2: [], cli1: [], cli2: [] };
  let read2 = null;
  try {
    // The ways take turns, each run, so that a change in the machine's load hits them all.
    for (let run = 0; run < n; run++) {
      // Each way's copies are removed before the next way runs: at most two copies of the take exist at once.
      let d = fresh(scratch, 'cp');
      const cp = seconds(() => spawnSync('cp', ['-r', takeDir, d]));
      t.cp.push(cp);
      t.cpSync.push(cp + seconds(() => spawnSync('sync')));
      remove(d);
      const one = await ours(files, [fresh(scratch, 'one')]);
      t.write1.push(one.write);
      t.verify1.push(one.verify);
      remove(join(scratch, 'one'));
      const two = await ours(files, [fresh(scratch, 'two-a'), fresh(scratch, 'two-b')]);
      t.write2.push(two.write);
      t.verify2.push(two.verify);
      read2 = two.read;
      for (const name of ['two-a', 'two-b']) remove(join(scratch, name));
      d = fresh(scratch, 'cli1');
      t.cli1.push(seconds(() => spawnSync(process.execPath, [CLI, 'offload', takeDir, '--to', d, '--no-report'], { stdio: 'ignore' })));
      remove(d);
      const [a, b] = [fresh(scratch, 'cli2a'), fresh(scratch, 'cli2b')];
      t.cli2.push(seconds(() => spawnSync(process.execPath, [CLI, 'offload', takeDir, '--to', a, '--to', b, '--no-report'], { stdio: 'ignore' })));
      remove(a);
      remove(b);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
  const rate = (s, times = 1) => `${((bytes * times) / MB / s).toFixed(0)} MB/s`;
  const row = (what, s, extra = '') => console.log(`  ${what.padEnd(58)} ${`${s.toFixed(2)} s`.padStart(9)}  ${rate(s).padStart(10)}${extra}`);
  console.log(`\nOffload (issue 17): ${files.length} files, ${(bytes / 1e9).toFixed(2)} GB, source in the page cache, destinations on ${scratchRoot}; median of ${n}`);
  row('cp -r (page cache, not flushed)', m.cp);
  row('cp -r, then sync (on the drive)', m.cpSync);
  row('ours, 1 destination: read once, xxh64, write, fsync', m.write1, `  ${(m.cp / m.write1 * 100).toFixed(0)} % of cp's rate, ${(m.cpSync / m.write1 * 100).toFixed(0)} % of cp+sync's`);
  row('ours, 1 destination: read back and xxh64 (verification)', m.verify1);
  row('ours, 2 destinations: read once, xxh64, write both, fsync', m.write2, `  (${rate(m.write2, 2)} written in all)`);
  row('ours, 2 destinations: read both back (verification)', m.verify2, `  (${rate(m.verify2, 2)} read back in all)`);
  row('k4sync offload --no-report, 1 destination (end to end)', m.cli1);
  row('k4sync offload --no-report, 2 destinations (end to end)', m.cli2);
  if (read2 !== null) console.log(`  source bytes read by the copy to 2 destinations: ${(read2 / bytes).toFixed(3)}x the take (one read)`);
  const ok = m.write1 <= m.cp / 0.8;
  console.log(`  ${ok ? 'met    ' : 'MISSED '} copy to one destination within 80 % of cp: ${(m.cp / m.write1 * 100).toFixed(0)} % of cp's rate`);
  // cp's time ends when the bytes are in the page cache; ours when they are on the drive (an offload is not verified
  // before): a take smaller than the kernel's dirty-page limit flatters cp, one larger throttles it to the drive.
  const okSync = m.write1 <= m.cpSync / 0.8;
  console.log(`  ${okSync ? 'met    ' : 'MISSED '} the same against cp followed by sync (both on the drive): ${(m.cpSync / m.write1 * 100).toFixed(0)} %`);
  return m;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error('usage: node bench/offload.mjs <take-dir> [runs]');
    process.exit(2);
  }
  await offloadBench(process.argv[2], tmpdir(), { runs: Number(process.argv[3] ?? 3) });
}
