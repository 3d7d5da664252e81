// What tests need to know of the platform they run on. tool(): the external programs some tests check our files with,
// found one way everywhere: `<NAME>_PATH` in the environment (FFMPEG_PATH, FFPROBE_PATH, MKVINFO_PATH; FFMPEG_PATH is
// also what k4sync itself reads), else the first one on PATH, with Windows' `.exe`. A tool found nowhere comes back as
// its bare name, so that spawning it fails with ENOENT and the test says which program is missing. linuxOnly(): tests
// that only Linux can run, skipped elsewhere with the reason.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export type Tool = 'ffmpeg' | 'ffprobe' | 'mkvinfo';

/** An executable's file name on this platform. */
export function exe(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

const found = new Map<Tool, string>();

export function tool(name: Tool): string {
  const known = found.get(name);
  if (known) return known;
  const override = process.env[`${name.toUpperCase()}_PATH`];
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, exe(name))).find((p) => existsSync(p));
  const path = override || onPath || exe(name);
  found.set(name, path);
  return path;
}

/**
 * `it` on Linux; elsewhere `it.skip`, with the reason printed. For tests built on what only Linux offers here: POSIX
 * signals between processes (Windows ends a child it is sent SIGINT or SIGKILL without letting it run any handler),
 * prlimit and ulimit, /proc, uids and POSIX permission bits.
 */
export function linuxOnly(reason: string): typeof it {
  if (process.platform === 'linux') return it;
  console.info(`skipped on ${process.platform} (Linux only: ${reason})`);
  return it.skip;
}

/** linuxOnly() for a whole `describe` block. */
export function linuxOnlySuite(reason: string): typeof describe {
  if (process.platform === 'linux') return describe;
  console.info(`skipped on ${process.platform} (Linux only: ${reason})`);
  return describe.skip;
}
