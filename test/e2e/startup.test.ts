import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { k4syncWith, type CliResult } from './cli.js';
import { SAMPLES } from './files.js';

/**
 * The start-up budget (issue 15): what `k4sync --version` and `--help` load is counted, not timed. bin/ declares
 * the commands and imports a command's modules only when it runs, so these load the CLI's own few modules and
 * commander, and never a chart, schema, pool or audio library. npm run bench measures the time.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOOKS = join(ROOT, 'test/e2e/module-log.mjs');
const dir = mkdtempSync(join(tmpdir(), 'k4sync-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What --version may load of ours: the declarations' constants, the error boundary and the interrupt handler. */
const START_UP = [
  'dist/bin/k4sync.js',
  'dist/src/errors.js',
  'dist/src/output/interrupt.js',
  'dist/src/recording/modes.js',
  'dist/src/timecode/rates.js',
  'dist/src/version.js',
];

let runs = 0;

/** Runs the built CLI and returns every module it loaded: ours relative to the repository, packages by name. */
function loaded(...args: string[]): { result: CliResult; ours: string[]; packages: string[] } {
  const log = join(dir, `modules-${++runs}.log`);
  const result = k4syncWith({ env: { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(HOOKS).href}`, K4SYNC_MODULE_LOG: log } }, ...args);
  const root = `${pathToFileURL(ROOT).href}/`;
  const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith(root)).map((u) => u.slice(root.length)))];
  const packages = urls.filter((u) => u.startsWith('node_modules/')).map((u) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)![1]!);
  return { result, ours: urls.filter((u) => !u.startsWith('node_modules/')).sort(), packages: [...new Set(packages)].sort() };
}

describe('start-up loads the CLI and commander only', () => {
  it('--version', () => {
    const { result, ours, packages } = loaded('--version');
    expect(result.status).toBe(0);
    expect(ours).toEqual(START_UP);
    expect(packages).toEqual(['commander']);
  });

  it('--help, and a command\'s --help, whole without loading the command', () => {
    for (const args of [['--help'], ['audit', '--help'], ['record', '--help']]) {
      const { result, ours, packages } = loaded(...args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(ours, args.join(' ')).toEqual(START_UP);
      expect(packages, args.join(' ')).toEqual(['commander']);
    }
    // The flags are declared in bin/, so the help still names them (and the validators' lists, from constants).
    const record = loaded('record', '--help').result.stdout;
    for (const flag of ['--color <mode>', '--depth <mode>', '--fps <fps>', '--simulate <rig.json>']) expect(record).toContain(flag);
    expect(loaded('ltc', '--help').result.stdout).toMatch(/--fps <rate>\s+timecode rate: auto, 23\.976, /);
  });

  it('a flag refused by its validator loads nothing more', () => {
    const { result, ours, packages } = loaded('record', '--out', join(dir, 'take'), '--color', 'MJPG_999P');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('K4S_BAD_FLAG');
    expect(ours).toEqual(START_UP);
    expect(packages).toEqual(['commander']);
  });
});

describe('reader threads started before the audit loads', () => {
  // They read while the audit loads and are stopped when it refuses a flag: a read that ended meanwhile once let
  // the process end mid-await (exit 13, nothing said) about one run in five, hence several runs.
  it('an audit refused after they started still says why, every time', () => {
    for (let i = 0; i < 8; i++) {
      const r = k4syncWith({}, 'audit', join(SAMPLES, 'daisy-chain'), '--config', join(dir, 'no-such-config.json'));
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^k4sync: K4S_NOT_FOUND: /);
    }
  });
});

describe('a command loads what it uses', () => {
  // Also shows that the log sees modules imported after start-up, so the checks above are not vacuous.
  it('info: the recording module, no schema, chart, pool or audio library', () => {
    const { result, ours, packages } = loaded('info', join(SAMPLES, 'daisy-chain/000100000001.mkv'));
    expect(result.status).toBe(0);
    expect(ours).toContain('dist/src/cli/recording-commands.js');
    expect(ours).toContain('dist/src/recording/index.js');
    expect(packages).toEqual(['commander']);
  });

  it('audit without --html: no chart library, no progress bar when piped', () => {
    const { result, ours, packages } = loaded('audit', join(SAMPLES, 'daisy-chain'), '--json');
    expect(result.status).toBe(0);
    expect(ours).toContain('dist/src/audit/audit.js');
    expect(ours.filter((m) => m.startsWith('dist/src/report/html/'))).toEqual([]);
    for (const p of ['vega', 'vega-lite', 'cli-progress']) expect(packages).not.toContain(p);
    // Three files are read in parallel by the read pool.
    expect(packages).toContain('piscina');
  });
});
