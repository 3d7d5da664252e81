import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/index.js';
import { k4sync } from './cli.js';
import { DAISY_RIG, expectError, interrupt, leftovers, scratch, sizeOf, snapshot, start, waitFor } from './files.js';

/**
 * `k4sync recover` as a user meets it: a take whose recorder was SIGKILLed mid-take, a take that is fine, and the
 * outputs it refuses.
 */

const SERIALS = ['000100000001', '000100000002', '000100000003'];
/** Tiny simulated payloads take about 6 kB a frame: some 6000 frames a file, several seconds of recovering. */
const MIN_BYTES = 40_000_000;
const MIN_FRAMES = 3000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(name: string): string {
  const d = scratch(name);
  dirs.push(d);
  return d;
}

/** Every timestamp the reader finds, per track: the count and a digest (hundreds of thousands of IMU samples). */
function timestamps(file: string) {
  const rec = readRecording(file);
  const digest = (v: Float64Array | null | undefined) => ({
    n: v?.length ?? 0,
    sha: createHash('sha256').update(v ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(0)).digest('hex'),
  });
  return {
    finalized: rec.finalized,
    color: digest(rec.color),
    depth: digest(rec.depth),
    ir: digest(rec.ir),
    imu: digest(rec.imu?.accTimestampsUs),
    custom: rec.customTracks.map((c) => [c.track.name, c.blocks, c.firstUs, c.lastUs]),
  };
}

describe('k4sync recover on a take whose recorder was killed', () => {
  let take: string;
  beforeAll(async () => {
    take = join(tmp('recover-killed'), 'take-0001');
    const run = start(['record', '--simulate', DAISY_RIG, '--yes', '--frames', '100000', '--out', take]);
    // Thousands of frames in every file: the kill lands mid-take, and recovering takes long enough to be interrupted.
    // File sizes are the readiness signal: reading frames back while the writer races ahead would lag behind it.
    await waitFor(run, 'frames in every file', () => SERIALS.every((s) => sizeOf(join(take, `${s}.mkv`)) >= MIN_BYTES), 120_000);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
  }, 180_000);

  it('rewrites every file into a finalized recording holding the frames the reader finds in it; the audit says it was recovered', () => {
    const out = join(tmp('recover-killed-out'), 'recovered');
    const r = k4sync('recover', take, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const s of SERIALS) expect(lines.filter((l) => l.includes(s))).toEqual([expect.stringMatching(/^ {2}\d{12} {2}\d+ frames, \d+ IMU samples {2}recovered/)]);
    for (const s of SERIALS) {
      const source = timestamps(join(take, `${s}.mkv`));
      expect(source.finalized).toBe(false);
      expect(source.color.n).toBeGreaterThanOrEqual(MIN_FRAMES);
      expect(timestamps(join(out, `${s}.mkv`))).toEqual({ ...source, finalized: true });
    }
    const manifest = JSON.parse(readFileSync(join(out, 'take.json'), 'utf8'));
    expect(manifest.stopReason).toBe('recording');
    expect(manifest.recover.stopReason).toBe('recording');
    expect(manifest.recover.files.map((f: { serial: string; status: string }) => [f.serial, f.status])).toEqual(SERIALS.map((s) => [s, 'recovered']));
    expect(manifest.recover.files[0].problems.join(' ')).toMatch(/never written|stale/);

    const audit = k4sync('audit', out);
    expect(audit.stdout).toMatch(/FAIL\s+take-state\s+take\.json still says "recording"/);
    expect(audit.stdout.replace(/\s+/g, ' ')).toContain(`Its files were recovered by k4sync recover from ${take}.`);
    for (const s of SERIALS) expect(audit.stdout).toMatch(new RegExp(`${s}\\s+\\w+\\s+${timestamps(join(out, `${s}.mkv`)).color.n}\\s`));
  });

  it('Ctrl-C while recovering removes the partial take and exits 130', async () => {
    const parent = tmp('recover-interrupted');
    const run = start(['recover', take, '--out', join(parent, 'recovered')]);
    await waitFor(run, 'a recording being recovered', () => {
      const temp = readdirSync(parent)[0];
      return temp !== undefined && sizeOf(join(parent, temp, `${SERIALS[0]}.mkv.partial`)) > 0;
    });
    await interrupt(run);
    expect(readdirSync(parent)).toEqual([]);
    expect(leftovers(parent)).toEqual([]);
  });

  it('refuses an --out that holds files, is a file, or lies inside the take, and leaves the take as it was', () => {
    const before = snapshot(take);
    const full = tmp('recover-full');
    writeFileSync(join(full, 'notes.txt'), 'mine');
    expectError(k4sync('recover', take, '--out', full), 2, 'K4S_OUT_EXISTS', full);
    expectError(k4sync('recover', take, '--out', join(full, 'notes.txt')), 2, 'K4S_OUT_EXISTS');
    expectError(k4sync('recover', take, '--out', join(take, 'fixed')), 2, 'K4S_OUTPUT_IS_INPUT');
    expectError(k4sync('recover', take, '--out', take), 2, 'K4S_OUTPUT_IS_INPUT');
    expect(snapshot(take)).toEqual(before);
    expect(readFileSync(join(full, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('k4sync recover on what is not a crashed take', () => {
  it('a take that is fine: every file copied as it is, and said so', () => {
    const take = join(tmp('recover-fine'), 'take');
    expect(k4sync('simulate', DAISY_RIG, '--frames', '60', '--out', take).status).toBe(0);
    const out = join(tmp('recover-fine-out'), 'recovered');
    const r = k4sync('recover', take, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 of 3 recording\(s\) rewritten/);
    expect(r.stdout.split('\n').filter((l) => /finalized already: copied as it is/.test(l))).toHaveLength(3);
    // Every file of the take, recordings, truth.json and rig.json alike, byte for byte; take.json gains the record.
    const { ['take.json']: _, ...copied } = snapshot(out);
    const { ['take.json']: __, ...source } = snapshot(take);
    expect(copied).toEqual(source);
    expect(JSON.parse(readFileSync(join(out, 'take.json'), 'utf8')).recover.copied.sort()).toEqual(Object.keys(source).filter((f) => !f.endsWith('.mkv')).sort());
  });

  it('a folder that is not a take: exit 2, K4S_NO_TAKE, nothing written', () => {
    const empty = tmp('recover-not-a-take');
    mkdirSync(join(empty, 'photos'));
    const parent = tmp('recover-not-a-take-out');
    expectError(k4sync('recover', empty, '--out', join(parent, 'recovered')), 2, 'K4S_NO_TAKE', empty);
    expect(readdirSync(parent)).toEqual([]);
  });
});
