import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { CLI, k4sync, k4syncWith } from './cli.js';
import { errorLines, SAMPLES } from './files.js';

/**
 * bin/ is the one error boundary. A bug is made to happen where no input can cause one: a preloaded module makes
 * fs.statSync throw a TypeError for every path (syncBuiltinESMExports carries the change to `import { statSync }`).
 */
const BUG = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs'; import { syncBuiltinESMExports } from 'node:module'; fs.statSync = () => { throw new TypeError('statSync exploded'); }; syncBuiltinESMExports();",
)}`;

function withBug(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', BUG, CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('the error boundary in bin/', () => {
  const take = join(SAMPLES, 'daisy-chain');

  it('an unexpected error is K4S_INTERNAL, exit 70, one line asking for a report with the command and version, no stack', () => {
    const r = withBug({ K4SYNC_DEBUG: '' }, 'audit', take);
    expect(r.status).toBe(70);
    const lines = errorLines(r.stderr);
    expect(lines).toEqual([
      `k4sync: K4S_INTERNAL: statSync exploded. This is a bug in k4sync ${VERSION}: please report it with the command (k4sync audit ${take}); K4SYNC_DEBUG=1 shows the stack.`,
    ]);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it('K4SYNC_DEBUG=1 adds the stack', () => {
    const r = withBug({ K4SYNC_DEBUG: '1' }, 'audit', take);
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/TypeError: statSync exploded\n {4}at /);
  });

  it('flag errors carry K4S_BAD_FLAG and exit 2: unknown option, missing argument, bad value, unknown command', () => {
    for (const args of [['audit', take, '--bogus'], ['audit'], ['simulate', join(take, 'rig.json'), '--out', '/tmp/x', '--frames', '0'], ['bogus']]) {
      const r = k4sync(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^k4sync: K4S_BAD_FLAG: /);
    }
  });

  it('--help and --version exit 0', () => {
    expect(k4sync('--version')).toMatchObject({ status: 0, stdout: `${VERSION}\n` });
    expect(k4sync('audit', '--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/Exit status/) });
  });

  it('input errors are one line with code, sentence and remedy, exit 2', () => {
    const r = k4syncWith({}, 'audit', take, '--config', join(take, 'rig.json'));
    expect(r.status).toBe(2);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^k4sync: K4S_BAD_CONFIG: .*rig\.json: .* is not a known field \(see docs\/audit-json\.md\)/);
  });
});
