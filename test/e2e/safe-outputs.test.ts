import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { k4sync } from './cli.js';
import { copyTake, DAISY_RIG, expectError, leftovers, SAMPLES, scratch, snapshot } from './files.js';

/**
 * Nothing k4sync writes replaces an input, a recording or a take's file (issue 11, "Safe outputs"): each refusal is
 * exit 2 with one coded line, and every file that was there before is byte-identical afterwards.
 */

describe('record and simulate never record over a take', () => {
  const dir = scratch('safe-take');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const take = copyTake('daisy-chain', join(dir, 'take-0042'));
  const before = snapshot(dir);

  it('simulate --out a folder holding a take: exit 2, K4S_TAKE_EXISTS, the next free name suggested', () => {
    const r = k4sync('simulate', DAISY_RIG, '--out', take, '--frames', '30');
    expectError(r, 2, 'K4S_TAKE_EXISTS', take);
    expect(r.stderr).toContain(`--out ${join(dir, 'take-0043')}`);
    expect(snapshot(dir)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('record --out a folder holding a take: refused the same way, before any sensor is opened', () => {
    const r = k4sync('record', '--simulate', DAISY_RIG, '--yes', '--frames', '30', '--out', take);
    expectError(r, 2, 'K4S_TAKE_EXISTS', take);
    expect(r.stderr).toContain(`--out ${join(dir, 'take-0043')}`);
    expect(snapshot(dir)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('simulate into an empty folder the crew made beforehand fills it, and leaves no temporary behind', () => {
    const empty = join(dir, 'take-0100');
    mkdirSync(empty);
    const r = k4sync('simulate', DAISY_RIG, '--out', empty, '--frames', '30');
    expect(r.status, r.stderr).toBe(0);
    // The SDK's logs (k4a.log, k4arecord.log) are part of the take, beside its recordings.
    expect(readdirSync(empty).sort()).toEqual(['000100000001.mkv', '000100000002.mkv', '000100000003.mkv', 'k4a.log', 'k4arecord.log', 'take.json', 'truth.json']);
    expect(r.stdout).toContain(`to ${empty}`);
    expect(leftovers(dir)).toEqual([]);
  });

  it('record --payload x is a flag error, as for simulate', () => {
    const out = join(dir, 'payload');
    const r = k4sync('record', '--simulate', DAISY_RIG, '--yes', '--frames', '30', '--payload', 'x', '--out', out);
    expectError(r, 2, 'K4S_BAD_FLAG');
    expect(r.stderr).toContain('--payload must be tiny or realistic, got "x"');
    expect(existsSync(out)).toBe(false);
  });

  it('record without a terminal to ask the operator in, and without --yes: exit 2, K4S_NO_TERMINAL, no sensor opened', () => {
    const out = join(dir, 'no-tty');
    const r = k4sync('record', '--simulate', join(SAMPLES, 'generator-clean/rig.json'), '--generator', '--frames', '30', '--out', out);
    expectError(r, 2, 'K4S_NO_TERMINAL');
    expect(r.stderr).toContain('--yes');
    expect(existsSync(out)).toBe(false);
  });
});

describe('output flags never replace a recording, a take file or an input', () => {
  const dir = scratch('safe-flags');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const take = copyTake('daisy-chain', join(dir, 'T'));
  const other = copyTake('daisy-chain', join(dir, 'A'));

  it.each([
    ['--out', '000100000001.mkv'],
    ['--html', '000100000002.mkv'],
    ['--out', 'take.json'],
    ['--out', 'truth.json'],
  ])('audit T %s T/%s: exit 2, K4S_OUTPUT_IS_RECORDING, the take unchanged', (flag, file) => {
    const before = snapshot(dir);
    const r = k4sync('audit', take, flag, join(take, file));
    expectError(r, 2, 'K4S_OUTPUT_IS_RECORDING', join(take, file));
    expect(snapshot(dir)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('preview B -o A/000100000001.mkv: exit 2, another take\'s recording unchanged', () => {
    const before = snapshot(dir);
    const r = k4sync('preview', join(SAMPLES, 'daisy-chain'), '-o', join(other, '000100000001.mkv'));
    expectError(r, 2, 'K4S_OUTPUT_IS_RECORDING', join(other, '000100000001.mkv'));
    expect(snapshot(dir)).toEqual(before);
  });

  it('an output that is one of the command\'s inputs: exit 2, K4S_OUTPUT_IS_INPUT, before any audit work', () => {
    const config = join(dir, 'k4sync.config.json');
    writeFileSync(config, '{}\n');
    const before = snapshot(dir);
    const r = k4sync('audit', take, '--config', config, '--out', config);
    expectError(r, 2, 'K4S_OUTPUT_IS_INPUT', config);
    expect(snapshot(dir)).toEqual(before);
  });

  it('audit T --out T/audit.json twice: k4sync\'s own earlier output is replaced, nothing else is', () => {
    const out = join(take, 'audit.json');
    const takeFiles = snapshot(take);
    const first = k4sync('audit', take, '--out', out);
    expect(first.status, first.stderr).toBe(0);
    const fromFirst = readFileSync(out, 'utf8');
    writeFileSync(out, fromFirst.replace('"verdict": "WARN"', '"verdict": "PASS"'));
    const second = k4sync('audit', take, '--out', out, '--json');
    expect(second.status, second.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(second.stdout);
    expect(JSON.parse(second.stdout).verdict).toBe('WARN');
    expect(snapshot(take)).toEqual({ ...takeFiles, 'audit.json': expect.any(String) });
    expect(leftovers(dir)).toEqual([]);
  });

  it('audit --html replaces an earlier k4sync report, never another file of the take (even k4sync\'s audit.json)', () => {
    const html = join(take, 'report.html');
    const json = join(take, 'audit.json');
    for (let run = 0; run < 2; run++) {
      const r = k4sync('audit', take, '--html', html, '--out', json);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe(`wrote ${html}\n`);
    }
    const before = snapshot(dir);
    const r = k4sync('audit', take, '--html', json);
    expectError(r, 2, 'K4S_OUTPUT_IS_RECORDING', json);
    const notes = join(take, 'notes.txt');
    writeFileSync(notes, 'scene 4, take 2: boom in shot\n');
    expectError(k4sync('audit', take, '--out', notes), 2, 'K4S_OUTPUT_IS_RECORDING', notes);
    expect(readFileSync(notes, 'utf8')).toBe('scene 4, take 2: boom in shot\n');
    expect(snapshot(dir)).toEqual({ ...before, 'T/notes.txt': expect.any(String) });
    expect(leftovers(dir)).toEqual([]);
  });

  it('a shoot day\'s report: every per-take page is checked before any page is written', () => {
    const day = join(dir, 'day');
    mkdirSync(day);
    copyTake('daisy-chain', join(day, 'daisy-chain'));
    const inside = copyTake('standalone-pair', join(day, 'standalone-pair'));
    // The index would go into a take folder, where a page of the same name as a take's page is someone else's.
    writeFileSync(join(inside, 'report-daisy-chain.html'), '<p>the DIT\'s own notes</p>');
    const before = snapshot(day);
    const r = k4sync('audit', day, '--html', join(inside, 'report.html'));
    expectError(r, 2, 'K4S_OUTPUT_IS_RECORDING', join(inside, 'report-daisy-chain.html'));
    expect(snapshot(day)).toEqual(before);
    expect(leftovers(day)).toEqual([]);
  });

  it('--out and --html naming the same file: exit 2 before the audit', () => {
    const both = join(dir, 'both');
    expectError(k4sync('audit', take, '--out', both, '--html', both), 2, 'K4S_BAD_FLAG', both);
    expect(existsSync(both)).toBe(false);
  });

  it('preview -o an existing video: exit 2, K4S_OUT_EXISTS, the video unchanged', () => {
    const video = join(dir, 'sent-to-client.mp4');
    writeFileSync(video, 'the preview the client already has');
    const r = k4sync('preview', take, '-o', video);
    expectError(r, 2, 'K4S_OUT_EXISTS', video);
    expect(readFileSync(video, 'utf8')).toBe('the preview the client already has');
  });

  it('trim --out inside the take, the take itself, or a folder with files: exit 2, nothing written', () => {
    const before = snapshot(dir);
    expectError(k4sync('trim', take, '--out', join(take, 'cut')), 2, 'K4S_OUTPUT_IS_INPUT', join(take, 'cut'));
    expectError(k4sync('trim', take, '--out', take), 2, 'K4S_OUTPUT_IS_INPUT', take);
    expectError(k4sync('trim', take, '--out', other), 2, 'K4S_OUT_EXISTS', other);
    expect(snapshot(dir)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });
});
