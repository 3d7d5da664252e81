import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTemp, copySample, editTakeJson, plainVideo, SAMPLES, shiftRecordedAt, tempDir } from '../take/helpers.js';
import { k4sync, k4syncWith } from './cli.js';
import { linuxOnly } from '../helpers/platform.js';

afterAll(cleanTemp);

interface JsonCheck { id: string; status: string; sensor: string | null; value: unknown; message: string; remedy: string | null }
interface JsonTake { take: string; verdict: string; checks: JsonCheck[]; sensors: { serial: string; file: string }[] }

/** `k4sync audit --json` of one take: exit status and the take-state checks. */
function auditJson(...paths: string[]): { status: number | null; take: JsonTake; state: JsonCheck[] } {
  const r = k4sync('audit', ...paths, '--json');
  expect(r.stderr).toBe('');
  const take = JSON.parse(r.stdout) as JsonTake;
  return { status: r.status, take, state: take.checks.filter((c) => c.id === 'take-state') };
}

describe('k4sync audit says what state a take is in', () => {
  it('a take whose recorder died (stopReason "recording") FAILs, exit 1, with the remedy', () => {
    const dir = copySample('generator-clean', tempDir('e2e-crashed'));
    editTakeJson(dir, (j) => { j['stopReason'] = 'recording'; });
    const { status, take, state } = auditJson(dir);
    expect(status).toBe(1);
    expect(take.verdict).toBe('FAIL');
    expect(state).toHaveLength(1);
    expect(state[0]).toMatchObject({ status: 'FAIL', value: 'recording' });
    expect(state[0]!.remedy).toMatch(/check the capture PC's log; the frames up to the stop are in the files; record again if needed/);
    expect(k4sync('audit', dir).stdout).toMatch(/FAIL\s+take-state\s+take\.json still says "recording"/);
  });

  it('what a crashed trim leaves (one MKV, a .partial, no take.json) FAILs as interrupted, exit 1', () => {
    const dir = join(tempDir('e2e-interrupted'), 'trimmed');
    mkdirSync(dir);
    copyFileSync(join(SAMPLES, 'generator-clean', '000500000001.mkv'), join(dir, '000500000001.mkv'));
    writeFileSync(join(dir, '000500000002.mkv.partial'), 'half a recording');
    const { status, state } = auditJson(dir);
    expect(status).toBe(1);
    expect(state).toEqual([expect.objectContaining({ status: 'FAIL', value: 'interrupted', message: expect.stringMatching(/^000500000002\.mkv\.partial was left by a writer that stopped half-way/) })]);
  });

  it('a take missing a sensor take.json lists FAILs as incomplete, exit 1', () => {
    const dir = copySample('generator-clean', tempDir('e2e-incomplete'));
    rmSync(join(dir, '000500000004.mkv'));
    const { status, state } = auditJson(dir);
    expect(status).toBe(1);
    expect(state).toEqual([expect.objectContaining({ status: 'FAIL', value: 'incomplete', sensor: '000500000004' })]);
  });

  it('a take trimmed with a sensor left out WARNs naming it and why (exit 0, 1 with --strict)', () => {
    const out = join(tempDir('e2e-trimmed'), 'out');
    expect(k4sync('trim', join(SAMPLES, 'star-wrong-order'), '--out', out).status).toBe(0);
    const { status, take, state } = auditJson(out);
    expect(status).toBe(0);
    expect(take.verdict).toBe('WARN');
    expect(state).toEqual([expect.objectContaining({ status: 'WARN', value: 'trimmed', sensor: '000300000003', message: expect.stringMatching(/^000300000003 \(000300000003\.mkv\) was left out when this take was trimmed from .*: its clock is -4 frame period/) })]);
    expect(k4sync('audit', out, '--strict').status).toBe(1);
  });

  it('a recording of another time in a take folder FAILs, naming it, exit 1', () => {
    const dir = copySample('daisy-chain', tempDir('e2e-dates'));
    copyFileSync(join(SAMPLES, 'standalone-pair', '000400000002.mkv'), join(dir, '000400000002.mkv'));
    shiftRecordedAt(join(dir, '000400000002.mkv'), -7200);
    const { status, state } = auditJson(dir);
    expect(status).toBe(1);
    expect(state).toEqual([expect.objectContaining({ status: 'FAIL', value: 'mixed', message: expect.stringMatching(/000400000002\.mkv at 2026-11-24 06:46:39 UTC for 13\.3 s\. 000400000002\.mkv does not overlap the others/) })]);
  });

  it('a plain video in a take folder is listed as one (WARN) and not audited as a sensor', () => {
    const dir = copySample('generator-clean', tempDir('e2e-video'));
    plainVideo(join(dir, 'reference.mkv'));
    const { status, take, state } = auditJson(dir);
    expect(status).toBe(0);
    expect(take.sensors.map((s) => s.serial)).toEqual(['000500000001', '000500000002', '000500000003', '000500000004']);
    expect(state).toEqual([expect.objectContaining({ status: 'WARN', value: 'not-k4a', remedy: 'Move it out of the take folder.' })]);
    expect(JSON.stringify(take.checks)).not.toMatch(/copy the file again/i);
  });
});

describe('k4sync refuses files that cannot be one take (exit 2)', () => {
  it('two recordings of one sensor, for audit and for index --json alike', () => {
    const dir = copySample('daisy-chain', tempDir('e2e-duplicate'));
    copyFileSync(join(dir, '000100000001.mkv'), join(dir, '000100000001 (1).mkv'));
    for (const args of [['audit', dir], ['index', dir, '--json']]) {
      const r = k4sync(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^k4sync: K4S_MIXED_TAKE: .*000100000001 \(1\)\.mkv and 000100000001\.mkv are both recordings of sensor 000100000001/);
      expect(r.stderr).toMatch(/Keep one recording per sensor/);
    }
  });

  it('MKVs of one folder from different takes, named one by one', () => {
    const dir = copySample('daisy-chain', tempDir('e2e-loose'));
    copyFileSync(join(SAMPLES, 'standalone-pair', '000400000001.mkv'), join(dir, '000400000001.mkv'));
    shiftRecordedAt(join(dir, '000400000001.mkv'), 3600);
    const r = k4sync('audit', join(dir, '000100000001.mkv'), join(dir, '000400000001.mkv'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^k4sync: K4S_MIXED_TAKE: .*000400000001\.mkv does not overlap 000100000001\.mkv in time/);
  });

  it('MKVs of two folders named one by one are two takes, one per folder', () => {
    const r = k4sync('audit', join(SAMPLES, 'daisy-chain', '000100000001.mkv'), join(SAMPLES, 'generator-clean', '000500000001.mkv'), '--json');
    expect(r.status).not.toBe(2);
    const takes = (JSON.parse(r.stdout) as { takes: JsonTake[] }).takes;
    expect(takes.map((t) => [t.take, t.sensors.map((s) => s.serial)])).toEqual([['daisy-chain', ['000100000001']], ['generator-clean', ['000500000001']]]);
  });

  it('a plain video alone is not a take', () => {
    const video = plainVideo(join(tempDir('e2e-only-video'), 'video.mkv'));
    const r = k4sync('audit', video);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^k4sync: K4S_NO_TAKE: No Azure Kinect recording was given: video\.mkv is a Matroska video, not a recording of a sensor\./);
  });

  it('a take folder whose recordings are gone', () => {
    const dir = join(tempDir('e2e-gone'), 'take-0042');
    mkdirSync(dir);
    copyFileSync(join(SAMPLES, 'daisy-chain', 'take.json'), join(dir, 'take.json'));
    const r = k4sync('audit', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^k4sync: K4S_NO_TAKE: .*take-0042 holds take\.json but no finished recording: its MKVs are missing\./);
  });

  linuxOnly('POSIX permission bits and running as another uid: Windows has neither')('a take folder that cannot be read: one sentence naming it', () => {
    const root = tempDir('e2e-eacces');
    const dir = copySample('daisy-chain', root, 'locked');
    // Root reads everything: the CLI runs as nobody then, and needs to reach the folder's parent.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chmodSync(root, 0o755);
    chmodSync(dir, asRoot ? 0o700 : 0o000);
    try {
      const r = k4syncWith(asRoot ? { uid: 65534, gid: 65534 } : {}, 'audit', dir);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^k4sync: K4S_PERMISSION: Cannot read ${dir}: permission was denied\\.`));
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
