/**
 * Every property test (fast-check) of a run draws from one seed: K4SYNC_SEED when it is set, else a fresh random one.
 * A failing test prints it, so that exactly the same inputs can be drawn again:
 *   K4SYNC_SEED=123 npm test   (or npx vitest run test/that/file.test.ts)
 * Registered as a setup file in vitest.config.ts, so it runs in every test file before its tests.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach } from 'vitest';

function runSeed(): number {
  const given = process.env.K4SYNC_SEED?.trim();
  if (!given) return randomInt(2 ** 31);
  // fast-check's generator takes a 32-bit seed; anything else would be silently cut, and replay something else.
  if (!/^-?\d+$/.test(given) || Math.abs(Number(given)) >= 2 ** 31) throw new Error(`K4SYNC_SEED must be a whole number below 2^31, got "${given}"`);
  return Number(given);
}

const seed = runSeed();
fc.configureGlobal({ seed });

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    process.stderr.write(`\nThis run's random inputs come from K4SYNC_SEED=${seed}; run again with it to replay them.\n`);
  });
});
