import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit, DEFAULT_THRESHOLDS, type Check, type TakeAudit } from '../../src/audit/index.js';
import { trimTake } from '../../src/post/index.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { cleanTemp, copySample, editTakeJson, plainVideo, SAMPLES, shiftRecordedAt, tempDir } from '../take/helpers.js';

afterAll(cleanTemp);

async function auditOne(...paths: string[]): Promise<TakeAudit> {
  const { takes } = await audit({ paths, thresholds: DEFAULT_THRESHOLDS });
  expect(takes).toHaveLength(1);
  return takes[0]!;
}

const stateOf = (t: TakeAudit): Check[] => t.checks.filter((c) => c.id === 'take-state');

describe('the take-state check: what the state of a take means for its verdict', () => {
  it('a complete take gets a PASS, before every other check', async () => {
    const t = await auditOne(join(SAMPLES, 'generator-clean'));
    expect(t.checks[0]).toMatchObject({ id: 'take-state', status: 'PASS', value: 'complete', sensor: null });
    expect(t.verdict).toBe('PASS');
  });

  it('a take of another tool (no take.json) passes, saying that missing sensors cannot be told', async () => {
    const [c] = stateOf(await auditOne(join(SDK_WRITTEN, 'daisy-clean')));
    expect(c).toMatchObject({ status: 'PASS', value: 'complete' });
    expect(c!.message).toMatch(/no take\.json .* whether a sensor is missing cannot be told/);
  });

  it('crashed (stopReason still "recording"): FAIL with the remedy', async () => {
    const dir = copySample('generator-clean', tempDir('crashed'));
    editTakeJson(dir, (j) => { j['stopReason'] = 'recording'; });
    const t = await auditOne(dir);
    expect(t.verdict).toBe('FAIL');
    expect(stateOf(t)).toEqual([expect.objectContaining({
      status: 'FAIL', value: 'recording', message: expect.stringMatching(/crashed or was killed/),
      remedy: 'The recorder stopped without finishing the take: check the capture PC\'s log; the frames up to the stop are in the files; record again if needed.',
    })]);
  });

  it('interrupted (what a crashed trim leaves: one MKV, a .partial, no take.json): FAIL naming the partial', async () => {
    const dir = join(tempDir('interrupted'), 'trimmed');
    mkdirSync(dir);
    copyFileSync(join(SAMPLES, 'generator-clean', '000500000001.mkv'), join(dir, '000500000001.mkv'));
    writeFileSync(join(dir, '000500000002.mkv.partial'), readFileSync(join(SAMPLES, 'generator-clean', '000500000002.mkv')).subarray(0, 100_000));
    const t = await auditOne(dir);
    expect(t.verdict).toBe('FAIL');
    expect(t.sensors.map((s) => s.serial)).toEqual(['000500000001']);
    expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'FAIL', value: 'interrupted', message: expect.stringMatching(/^000500000002\.mkv\.partial was left by a writer that stopped half-way/) })]);
  });

  it('incomplete (a sensor take.json lists is missing): FAIL naming the sensor', async () => {
    const dir = copySample('generator-clean', tempDir('incomplete'));
    rmSync(join(dir, '000500000003.mkv'));
    const t = await auditOne(dir);
    expect(t.verdict).toBe('FAIL');
    expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'FAIL', value: 'incomplete', sensor: '000500000003', message: expect.stringMatching(/lists sensor 000500000003 \(000500000003\.mkv\), which is not in/) })]);
  });

  it('trimmed with a sensor left out: WARN naming the sensor and why, never PASS', async () => {
    const out = join(tempDir('trimmed'), 'out');
    await trimTake(join(SAMPLES, 'star-wrong-order'), out);
    const t = await auditOne(out);
    expect(t.verdict).not.toBe('PASS');
    expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'WARN', value: 'trimmed', sensor: '000300000003', message: expect.stringMatching(/^000300000003 \(000300000003\.mkv\) was left out when this take was trimmed from .*star-wrong-order: .*start-order fault/) })]);
  });

  it('the same for a trimmed take of another tool, whose take.json holds only the trim record', async () => {
    const source = join(tempDir('foreign'), 'source');
    mkdirSync(source);
    for (const n of ['000300000001', '000300000002', '000300000003']) copyFileSync(join(SAMPLES, 'star-wrong-order', `${n}.mkv`), join(source, `${n}.mkv`));
    const out = join(tempDir('foreign-trimmed'), 'out');
    await trimTake(source, out);
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'take.json'), 'utf8')) as object)).toEqual(['trim']);
    expect(stateOf(await auditOne(out)).map((c) => [c.status, c.value, c.sensor])).toEqual([['WARN', 'trimmed', '000300000003']]);
  });

  it('a recording of another time in a take folder: FAIL naming it', async () => {
    const dir = copySample('daisy-chain', tempDir('dates'));
    copyFileSync(join(SAMPLES, 'standalone-pair', '000400000001.mkv'), join(dir, '000400000001.mkv'));
    shiftRecordedAt(join(dir, '000400000001.mkv'), 3600);
    const t = await auditOne(dir);
    expect(t.verdict).toBe('FAIL');
    expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'FAIL', value: 'mixed', message: expect.stringMatching(/000400000001\.mkv at 2026-11-24 09:46:39 UTC .*000400000001\.mkv does not overlap the others in time/) })]);
  });

  it('a plain video in a take folder is listed (WARN), never audited as a sensor or called damaged', async () => {
    const dir = copySample('generator-clean', tempDir('video'));
    plainVideo(join(dir, 'clapper.mkv'));
    const t = await auditOne(dir);
    expect(t.verdict).toBe('WARN');
    expect(t.sensors.map((s) => basename(s.file))).not.toContain('clapper.mkv');
    expect(t.checks.filter((c) => c.message.includes('clapper.mkv'))).toEqual([{
      id: 'take-state', status: 'WARN', sensor: null, value: 'not-k4a', threshold: null,
      message: 'clapper.mkv is a Matroska video, not an Azure Kinect recording; it was not audited.', remedy: 'Move it out of the take folder.',
    }]);
  });

  it('a damaged take.json: WARN saying why, the recordings still audited', async () => {
    const dir = copySample('generator-clean', tempDir('bad-json'));
    writeFileSync(join(dir, 'take.json'), '{ "schema": "k4sync.take/1", ');
    const t = await auditOne(dir);
    expect(t.verdict).toBe('WARN');
    expect(t.sensors).toHaveLength(4);
    expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'WARN', value: 'manifest', message: expect.stringMatching(/take\.json is not valid JSON .* cannot be told\.$/) })]);
  });
});

describe('files that cannot be audited as one take', () => {
  it('two recordings of one sensor in a take folder: refused with K4S_MIXED_TAKE naming both', async () => {
    const dir = copySample('daisy-chain', tempDir('duplicate'));
    copyFileSync(join(dir, '000100000002.mkv'), join(dir, 'backup.mkv'));
    await expect(audit({ paths: [dir], thresholds: DEFAULT_THRESHOLDS })).rejects.toMatchObject({
      code: 'K4S_MIXED_TAKE', kind: 'input',
      message: `${dir}: 000100000002.mkv and backup.mkv are both recordings of sensor 000100000002: a take holds one recording per sensor.`,
    });
  });

  it('in a shoot day, a take that cannot be judged FAILs on its own and the other takes are still audited', async () => {
    const day = tempDir('day');
    copySample('daisy-chain', day, 'take-01');
    const dup = copySample('standalone-pair', day, 'take-02');
    copyFileSync(join(dup, '000400000001.mkv'), join(dup, 'copy.mkv'));
    mkdirSync(join(day, 'take-03'));
    copyFileSync(join(SAMPLES, 'daisy-chain', 'take.json'), join(day, 'take-03', 'take.json'));
    const { takes, verdict } = await audit({ paths: [day], thresholds: DEFAULT_THRESHOLDS });
    expect(takes.map((t) => t.take)).toEqual(['take-01', 'take-02', 'take-03']);
    expect(takes[0]!.sensors).toHaveLength(3);
    expect(stateOf(takes[0]!)).toEqual([expect.objectContaining({ status: 'PASS', value: 'complete' })]);
    for (const [t, code, says] of [[takes[1]!, 'K4S_MIXED_TAKE', /both recordings of sensor 000400000001/], [takes[2]!, 'K4S_NO_TAKE', /holds take\.json but no finished recording/]] as const) {
      expect(t.verdict).toBe('FAIL');
      expect(t.sensors).toEqual([]);
      expect(stateOf(t)).toEqual([expect.objectContaining({ status: 'FAIL', value: code, message: expect.stringMatching(says) })]);
    }
    expect(verdict).toBe('FAIL');
  });

  it('MKVs of one folder named one by one that were recorded at different times: refused', async () => {
    const dir = copySample('daisy-chain', tempDir('loose-dates'));
    shiftRecordedAt(join(dir, '000100000003.mkv'), 86_400);
    await expect(audit({ paths: ['000100000001', '000100000002', '000100000003'].map((n) => join(dir, `${n}.mkv`)), thresholds: DEFAULT_THRESHOLDS }))
      .rejects.toMatchObject({ code: 'K4S_MIXED_TAKE', message: expect.stringMatching(/000100000003\.mkv does not overlap the others in time/) });
  });

  it('MKVs of two folders named one by one: two takes, named after their folders', async () => {
    const { takes } = await audit({ paths: [join(SAMPLES, 'daisy-chain', '000100000001.mkv'), join(SAMPLES, 'standalone-pair', '000400000001.mkv'), join(SAMPLES, 'daisy-chain', '000100000002.mkv')], thresholds: DEFAULT_THRESHOLDS });
    expect(takes.map((t) => [t.take, t.sensors.map((s) => s.serial)])).toEqual([['daisy-chain', ['000100000001', '000100000002']], ['standalone-pair', ['000400000001']]]);
    // Given one by one, the folder's other recordings are not missing: the take is complete.
    expect(takes.map((t) => stateOf(t).map((c) => c.value))).toEqual([['complete'], ['complete']]);
  });

  it('nothing but a plain video: K4S_NO_TAKE', async () => {
    const video = plainVideo(join(tempDir('only-video'), 'holiday.mkv'));
    await expect(audit({ paths: [video], thresholds: DEFAULT_THRESHOLDS })).rejects.toMatchObject({
      code: 'K4S_NO_TAKE', message: 'No Azure Kinect recording was given: holiday.mkv is a Matroska video, not a recording of a sensor.',
    });
  });
});
