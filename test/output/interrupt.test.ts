import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { linuxOnlySuite } from '../helpers/platform.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INTERRUPT = join(ROOT, 'dist/src/output/interrupt.js');

/** Runs a script (ES module) that uses the built interrupt handler, and returns how its process ended. */
function run(script: string) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { installInterruptHandler, onInterrupt } from ${JSON.stringify(INTERRUPT)};\n${script}`], { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

linuxOnlySuite('SIGINT and SIGTERM sent by a process to itself: Windows ends it without running its handlers')('the interrupt handler', () => {
  it.each(['SIGINT', 'SIGTERM'])('%s: one line, every registered clean-up newest first (a failing one does not stop the others), exit 130', (signal) => {
    const r = run(`
      installInterruptHandler('k4sync trim');
      onInterrupt(() => console.log('remove the temporary folder'));
      onInterrupt(() => { throw new Error('already gone'); });
      const forget = onInterrupt(() => console.log('finished work, unregistered'));
      forget();
      onInterrupt(() => console.log('stop ffmpeg'));
      process.kill(process.pid, '${signal}');
      setTimeout(() => console.log('not reached'), 10_000);
    `);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(130);
    expect(r.stdout).toBe('stop ffmpeg\nremove the temporary folder\n');
    expect(r.stderr.trim()).toBe(`k4sync: K4S_INTERRUPTED: k4sync trim was stopped (${signal}); partial outputs were removed. Run it again to finish.`);
  });

  it('without the handler installed (record finalizes instead), registering a clean-up changes nothing', () => {
    const r = run(`
      onInterrupt(() => console.log('would remove'));
      process.on('SIGINT', () => { console.log('record finalizes'); process.exit(1); });
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => {}, 10_000);
    `);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('record finalizes\n');
  });
});
