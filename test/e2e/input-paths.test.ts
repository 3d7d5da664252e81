import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { k4sync, k4syncWith } from './cli.js';
import { copyTake, DAISY_RIG, expectError, scratch, snapshot } from './files.js';
import { linuxOnly } from '../helpers/platform.js';

/**
 * Every path a user gives a command to read (takes, recordings, rig.json, plan.json, the config, audio, audit.json):
 * a path that does not exist, a folder where a file belongs, and one k4sync may not read each end in one coded
 * sentence naming that path, exit 2, never a stack trace (test/e2e/cli.ts checks every run for one).
 */

const dir = scratch('input-paths');
const take = copyTake('daisy-chain', join(dir, 'T'));
const out = (name: string) => join(dir, 'outputs', name);
// Outputs go where the user running k4sync (nobody, in the EACCES cases as root) may write.
mkdirSync(join(dir, 'outputs'));
chmodSync(join(dir, 'outputs'), 0o777);
const plan = join(dir, 'plan.json');
writeFileSync(plan, JSON.stringify({ sensors: [{ serial: '000100000001' }, { serial: '000100000002' }, { serial: '000100000003' }] }));

/** Each command with the one input path under test in it; `file`: the path must name a file (not a folder). */
const INPUTS: { what: string; file: boolean; args: (path: string) => string[] }[] = [
  { what: 'audit <take>', file: false, args: (p) => ['audit', p] },
  { what: 'audit --config', file: true, args: (p) => ['audit', take, '--config', p] },
  { what: 'audit --audio', file: true, args: (p) => ['audit', take, '--audio', p] },
  { what: 'trim <take>', file: false, args: (p) => ['trim', p, '--out', out('trimmed')] },
  { what: 'index <take>', file: false, args: (p) => ['index', p] },
  { what: 'preview <take>', file: false, args: (p) => ['preview', p, '-o', out('p.mp4')] },
  { what: 'timestamps <file>', file: true, args: (p) => ['timestamps', p] },
  { what: 'ltc <file>', file: true, args: (p) => ['ltc', p] },
  { what: 'report <audit.json>', file: true, args: (p) => ['report', p, '-o', out('r.html')] },
  { what: 'simulate <rig.json>', file: true, args: (p) => ['simulate', p, '--out', out('sim')] },
  { what: 'record --simulate <rig.json>', file: true, args: (p) => ['record', '--simulate', p, '--yes', '--frames', '30', '--out', out('rec')] },
  { what: 'record --plan', file: true, args: (p) => ['record', '--plan', p, '--simulate', DAISY_RIG, '--yes', '--frames', '30', '--out', out('rec')] },
  { what: 'devices --simulate <rig.json>', file: true, args: (p) => ['devices', '--simulate', p] },
];

describe('every input path: exit 2 and one sentence naming the path', () => {
  it.each(INPUTS)('$what: a path that does not exist', ({ args }) => {
    const path = join(dir, 'no-such-thing.json');
    const r = k4sync(...args(path));
    expectError(r, 2, 'K4S_(NOT_FOUND|UNREADABLE)', path);
    expect(snapshot(join(dir, 'outputs'))).toEqual({});
  });

  it.each(INPUTS.filter((i) => i.file))('$what: a folder where a file belongs', ({ args }) => {
    const r = k4sync(...args(take));
    expectError(r, 2, 'K4S_(IS_FOLDER|UNREADABLE)', take);
  });

  // Root reads anything: run as nobody against a file only root may read; anyone else gets a file of mode 0.
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};
  const secret = join(dir, 'secret');
  mkdirSync(secret, { mode: 0o755 });
  afterAll(() => chmodSync(secret, 0o755));

  linuxOnly('POSIX permission bits and running as another uid: Windows has neither').each(INPUTS)('$what: a path k4sync may not read (EACCES)', ({ args, file, what }) => {
    // A file of the right kind for the command, or a take folder, that only its owner may read.
    const path = join(secret, what.replace(/\W+/g, '-'));
    if (file) copyFileSync(what.startsWith('report') || what.includes('rig') || what.includes('plan') || what.includes('config') ? DAISY_RIG : join(take, '000100000001.mkv'), path);
    else copyTake('daisy-chain', path);
    chmodSync(path, file ? 0o600 : 0o700);
    if (!asRoot) chmodSync(path, 0);
    const r = k4syncWith(user, ...args(path));
    expectError(r, 2, 'K4S_(PERMISSION|UNREADABLE)', path);
    chmodSync(path, 0o755);
  });

  it('info: every file is reported, each unreadable one with its code, exit 2', () => {
    const r = k4sync('info', join(take, '000100000001.mkv'), join(dir, 'missing.mkv'), take);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/000100000001\.mkv/);
    expect(r.stdout).toMatch(new RegExp(`${join(dir, 'missing.mkv')}\\n\\s+error\\s+K4S_UNREADABLE: .*no such file`));
    expect(r.stdout).toMatch(/K4S_UNREADABLE: Cannot read .*: it is a folder/);
  });
});
