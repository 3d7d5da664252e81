import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist/bin/k4sync.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * No command may print a stack trace for any input a user can give: every end-to-end run goes through this check,
 * so the whole e2e suite is the "grep for '    at '" the acceptance asks for.
 */
export function expectNoStackTrace(stderr: string, what: string): void {
  if (/^ {4}at /m.test(stderr)) throw new Error(`${what} printed a stack trace:\n${stderr}`);
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (tests that need EACCES while running as root). */
  uid?: number;
  gid?: number;
  input?: string;
}

/** Runs the built CLI as a user would, with options; `npm test` builds it first. */
export function k4syncWith(opts: CliOptions, ...args: string[]): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it for you).`);
  const spawnOpts: SpawnSyncOptions = { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 };
  if (opts.env) spawnOpts.env = opts.env;
  if (opts.cwd) spawnOpts.cwd = opts.cwd;
  if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
  if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
  if (opts.input !== undefined) spawnOpts.input = opts.input;
  const r = spawnSync(process.execPath, [CLI, ...args], spawnOpts);
  const result = { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  expectNoStackTrace(result.stderr, `k4sync ${args.join(' ')}`);
  return result;
}

/** Runs the built CLI as a user would. */
export function k4sync(...args: string[]): CliResult {
  return k4syncWith({}, ...args);
}
