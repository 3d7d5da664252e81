import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isRecordingError, readRecording } from '../../src/recording/index.js';
import { CLI, expectNoStackTrace, type CliResult } from './cli.js';

/** What the safe-output tests share: fingerprints of folders, leftover temporaries, the one error line, children. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLES = join(ROOT, 'samples');
export const DAISY_RIG = join(SAMPLES, 'daisy-chain/rig.json');

/**
 * A scratch folder other users may enter (0755), so tests that run k4sync as another user (EACCES as root) can
 * reach the takes in it.
 */
export function scratch(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `k4sync-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** A copy of a sample take, to be pointed at by commands that must leave it as it was. */
export function copyTake(sample: string, to: string): string {
  cpSync(join(SAMPLES, sample), to, { recursive: true });
  return to;
}

/** Every file under `dir` (relative path) with a hash of its bytes: equal snapshots mean byte-identical trees. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Temporary outputs (src/output's `.name.k4sync-PID-N...` files and folders, trim's `.partial`) left under `dir`. */
export function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (/\.k4sync-\d+-\d+|\.partial$/.test(e.name)) found.push(relative(dir, p));
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return found;
}

/** The `k4sync: K4S_...` lines of stderr. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^k4sync: K4S_[A-Z_]+:/.test(l));
}

/** Exit status `status` and exactly one error line, with `code`, which names `path` when given. */
export function expectError(r: CliResult, status: number, code: string, path?: string): void {
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^k4sync: ${code}: `));
  if (path !== undefined) expect(lines[0]).toContain(path);
  expect(r.status, r.stderr).toBe(status);
}

/** A k4sync run in the background: its exit is listened for from the moment it is spawned. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function start(args: string[], opts: { readStdout?: boolean } = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  let out = '';
  let err = '';
  if (opts.readStdout !== false) child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * Resolves once `ready()` holds, checking every few milliseconds: the readiness signal of a command (its temporary
 * output appearing, its first bytes); rejects if the command exits first, or after `timeoutMs`.
 */
export async function waitFor(run: Running, what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  await poll(what, ready, timeoutMs, () => (ended ? `k4sync exited before ${what}:\n${run.stderr()}` : null));
}

/** Resolves once `ready()` holds, checking every few milliseconds; rejects after `timeoutMs`. */
export function eventually(what: string, ready: () => boolean, timeoutMs = 5_000): Promise<void> {
  return poll(what, ready, timeoutMs, () => null);
}

async function poll(what: string, ready: () => boolean, timeoutMs: number, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    const why = failed();
    if (why !== null) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends SIGINT and checks the one-line, exit-130 ending every interruptible command shares. */
export async function interrupt(run: Running): Promise<void> {
  run.child.kill('SIGINT');
  const { code, signal } = await run.exited;
  expectNoStackTrace(run.stderr(), 'an interrupted k4sync');
  expect(signal, run.stderr()).toBeNull();
  expect(code, run.stderr()).toBe(130);
  const lines = errorLines(run.stderr());
  expect(lines, run.stderr()).toHaveLength(1);
  expect(lines[0]).toMatch(/^k4sync: K4S_INTERRUPTED: /);
}

/** Child processes of `pid`, from /proc (Linux). */
export function childrenOf(pid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; the fields after it are fixed.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // The process ended while /proc was read.
    }
  }
  return out;
}

/** Whether a process still runs (a zombie waiting to be reaped does not: it executes nothing). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Size of a file, 0 when it does not exist (yet). */
/** Colour frames of a recording as a reader sees it now (0 while it holds none, or does not exist yet). */
export function colorFrames(path: string): number {
  try {
    return readRecording(path, { imuSamples: false }).color?.length ?? 0;
  } catch (e) {
    if (isRecordingError(e) || (e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
