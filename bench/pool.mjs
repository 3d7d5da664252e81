// How the audit's files are best read: on the main thread one after another, or in k4sync's read pool (a Piscina pool
// of lean reader threads, src/audit/pool.ts). Each way runs in a fresh node process on the same files and is timed
// from spawn to exit, since starting threads is much of what differs. Called by scan.mjs; see bench/README.md,
// "The read pool".
import { spawnSync } from 'node:child_process';

const POOL = new URL('../dist/src/audit/pool.js', import.meta.url).href;
const WORKER = new URL('../dist/src/audit/read-worker.js', import.meta.url).href;

const WAYS = {
  'main thread, one file after another': `
    const { readForAudit } = await import('${WORKER}');
    for (const file of files) readForAudit(file);`,
  'read pool (k4sync, Piscina)': `
    const { readFiles } = await import('${POOL}');
    await readFiles(files);`,
};

function once(body, files) {
  // Not --input-type=module: worker threads inherit the process's flags, and that one refuses a worker's file.
  const script = `(async () => {\nconst files = process.argv.slice(1);\n${body}\n})();`;
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-e', script, ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`read pool bench failed: ${r.stderr}`);
  return performance.now() - t;
}

/** Median wall time (ms) of each way on each set of files, the ways taking turns round by round. */
export function comparePools(sets, runs, median) {
  const results = [];
  for (const [name, files] of Object.entries(sets)) {
    const times = Object.fromEntries(Object.keys(WAYS).map((w) => [w, []]));
    for (let r = 0; r < runs; r++) for (const [way, body] of Object.entries(WAYS)) times[way].push(once(body, files));
    results.push({ name, ways: Object.entries(times).map(([way, ms]) => ({ way, ms: median(ms) })) });
  }
  return results;
}
