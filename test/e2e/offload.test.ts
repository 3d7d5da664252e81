import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGeneration } from '../../src/offload/index.js';
import { k4sync } from './cli.js';
import { copyTake, errorLines, expectError, leftovers, scratch, snapshot, start, waitFor } from './files.js';

/**
 * Issue 17: `k4sync offload` to two drives, their ASC MHL histories (checked against the ASC's schemas with xmllint),
 * `--verify` finding what changed, a copy killed half-way and resumed, and a full destination disk.
 */

const SPEC = join(import.meta.dirname, '../../../shared/spec/ascmhl');
const dir = scratch('offload');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every .mhl and chain file under `root`, each validated against its schema by xmllint. */
function expectValidHistories(root: string): number {
  let count = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.mhl') || e.name === 'ascmhl_chain.xml') {
        const schema = join(SPEC, e.name.endsWith('.mhl') ? 'ASCMHL.xsd' : 'ASCMHLDirectory.xsd');
        const r = spawnSync('xmllint', ['--noout', '--schema', schema, p], { encoding: 'utf8' });
        expect(r.status, `${p}: ${r.stderr}`).toBe(0);
        count++;
      }
    }
  };
  walk(root);
  return count;
}

/** path → xxh64 as the newest generation of `folder`'s history records it. */
function recorded(folder: string): Map<string, string> {
  const gens = readdirSync(join(folder, 'ascmhl')).filter((n) => n.endsWith('.mhl')).sort();
  const out = new Map<string, string>();
  for (const g of gens) for (const f of readGeneration(readFileSync(join(folder, 'ascmhl', g), 'utf8'), g).files) out.set(f.path, f.hashes.xxh64!.value);
  return out;
}

describe('offload a take to two destinations', () => {
  const take = copyTake('daisy-chain', join(dir, 'take-0001'));
  const a = join(dir, 'shuttle');
  const b = join(dir, 'raid');
  mkdirSync(a);
  mkdirSync(b);
  const before = snapshot(take);
  const r = k4sync('offload', take, '--to', a, '--to', b);

  it('copies every file to both, verified, with a valid ASC MHL history, and leaves the source as it was', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(take)).toEqual(before);
    for (const d of [a, b]) {
      const copy = join(d, 'take-0001');
      const files = snapshot(copy);
      for (const [name, hash] of Object.entries(before)) expect(files[name], name).toBe(hash);
      expect(expectValidHistories(copy)).toBe(2);
      expect(leftovers(d)).toEqual([]);
      const mhl = recorded(copy);
      expect([...mhl.keys()].sort()).toEqual([...Object.keys(before), 'offload-audit.json', 'offload-report.html'].sort());
    }
    expect(r.stdout.match(/^OK /gm)).toHaveLength(2);
  });

  it('writes the audit and the report of the copy, the report showing each recording\'s xxh64 as the MHL records it', () => {
    const copy = join(a, 'take-0001');
    const audit = JSON.parse(readFileSync(join(copy, 'offload-audit.json'), 'utf8')) as { schema: string; sensors: { file: string }[] };
    expect(audit.schema).toBe('k4sync.audit/1');
    // The audit read the destination's files, not the source's.
    for (const s of audit.sensors) expect(s.file.startsWith(copy)).toBe(true);
    const html = readFileSync(join(copy, 'offload-report.html'), 'utf8');
    const mhl = recorded(copy);
    const mkvs = [...mhl].filter(([p]) => p.endsWith('.mkv'));
    expect(mkvs).toHaveLength(3);
    for (const [, hash] of mkvs) expect(html).toContain(`<td class="mono xxh64">${hash}</td>`);
  });

  it('offload --verify: a clean copy passes and gains a verification generation that validates', () => {
    const v = k4sync('offload', '--verify', join(b, 'take-0001'));
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/OK .* 8 file\(s\) verified, 0 finding/);
    expect(expectValidHistories(join(b, 'take-0001'))).toBe(3);
  });

  it('offload --verify finds a flipped byte, a deleted file, an added one and an edited generation (exit 1 each)', () => {
    const cases: [string, (copy: string) => void, RegExp][] = [
      ['flip', (c) => {
        const p = join(c, '000100000002.mkv');
        const bytes = readFileSync(p);
        bytes[1000] ^= 0xff;
        writeFileSync(p, bytes);
      }, /CHANGED\s+000100000002\.mkv xxh64 is [0-9a-f]{16}, the history records [0-9a-f]{16}/],
      ['delete', (c) => rmSync(join(c, 'take.json')), /MISSING\s+take\.json/],
      ['add', (c) => writeFileSync(join(c, 'notes.txt'), 'hello'), /ADDED\s+notes\.txt/],
      ['edit the history', (c) => {
        const gen = readdirSync(join(c, 'ascmhl')).find((n) => n.startsWith('0001_'))!;
        writeFileSync(join(c, 'ascmhl', gen), readFileSync(join(c, 'ascmhl', gen), 'utf8').replace(/<hostname>[^<]*</, '<hostname>elsewhere<'));
      }, /HISTORY\s+ascmhl\/0001_\S+ changed after it was written/],
    ];
    for (const [name, damage, finding] of cases) {
      const copy = join(dir, `verify-${name}`, 'take-0001');
      cpSync(join(a, 'take-0001'), copy, { recursive: true });
      damage(copy);
      const v = k4sync('offload', '--verify', copy);
      expect(v.status, name).toBe(1);
      expect(v.stdout).toMatch(finding);
      expect(errorLines(v.stderr)).toEqual([]);
      expect(expectValidHistories(copy)).toBe(3);
    }
  });

  it('a second offload copies nothing: every file is already verified there', () => {
    const again = k4sync('offload', take, '--to', a);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing new, 6 file\(s\) already verified there/);
    expect(readdirSync(join(a, 'take-0001', 'ascmhl')).filter((n) => n.endsWith('.mhl'))).toHaveLength(1);
  });
});

describe('offload --verify reads histories other tools wrote', () => {
  it('reads the ASC\'s example history without error and names the files it does not find', () => {
    const root = join(dir, 'A002R2EC');
    cpSync(join(SPEC, 'examples/scenario_02_file_server'), join(root, 'ascmhl'), { recursive: true });
    const v = k4sync('offload', '--verify', root);
    expect(errorLines(v.stderr)).toEqual([]);
    expect(v.status).toBe(1);
    expect(v.stdout.match(/MISSING/g)).toHaveLength(3);
    expect(v.stdout).toContain('Clips/A002C006_141024_R2EC.mov');
  });

  it('a corrupt generation is K4S_BAD_MHL naming it, exit 2', () => {
    const root = join(dir, 'corrupt');
    cpSync(join(SPEC, 'examples/scenario_02_file_server'), join(root, 'ascmhl'), { recursive: true });
    const gen = join(root, 'ascmhl', '0002_A002R2EC_2020-01-17_143000Z.mhl');
    writeFileSync(gen, readFileSync(gen, 'utf8').slice(0, 700));
    expectError(k4sync('offload', '--verify', root), 2, 'K4S_BAD_MHL', gen);
  });

  it('a folder without a history is K4S_NO_MHL, exit 2', () => {
    expectError(k4sync('offload', '--verify', join(import.meta.dirname, '../../samples/daisy-chain')), 2, 'K4S_NO_MHL');
  });
});

describe('what offload refuses before copying', () => {
  const take = copyTake('daisy-chain', join(dir, 'refused', 'take-0002'));

  it('a destination inside the source: K4S_DEST_IN_SOURCE, exit 2', () => {
    mkdirSync(join(take, 'inside'));
    expectError(k4sync('offload', take, '--to', join(take, 'inside')), 2, 'K4S_DEST_IN_SOURCE');
    rmSync(join(take, 'inside'), { recursive: true });
  });

  it('a destination folder of the same name holding files no offload recorded: K4S_OUT_EXISTS, nothing written', () => {
    const d = join(dir, 'refused', 'drive');
    mkdirSync(join(d, 'take-0002'), { recursive: true });
    writeFileSync(join(d, 'take-0002', 'other.txt'), 'not ours');
    expectError(k4sync('offload', take, '--to', d), 2, 'K4S_OUT_EXISTS', join(d, 'take-0002'));
    expect(readdirSync(join(d, 'take-0002'))).toEqual(['other.txt']);
  });

  it('no --to: K4S_BAD_FLAG, exit 2', () => {
    expectError(k4sync('offload', take), 2, 'K4S_BAD_FLAG');
  });

  it('the same destination twice, or two sources of one name: K4S_BAD_FLAG before anything is written', () => {
    const d = join(dir, 'refused', 'twice');
    mkdirSync(d);
    expectError(k4sync('offload', take, '--to', d, '--to', `${d}/`), 2, 'K4S_BAD_FLAG', `${d}/`);
    const other = copyTake('standalone-pair', join(dir, 'refused', 'elsewhere', 'take-0002'));
    expectError(k4sync('offload', take, other, '--to', d), 2, 'K4S_BAD_FLAG', other);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a destination that does not exist: K4S_NOT_FOUND naming it', () => {
    const d = join(dir, 'refused', 'not-mounted');
    expectError(k4sync('offload', take, '--to', d), 2, 'K4S_NOT_FOUND', d);
  });
});

/** A take with a witness-camera clip, sorted last and large enough to be caught half-way through its copy. */
function bigTake(): string {
  const take = copyTake('daisy-chain', join(dir, 'big', 'take-0003'));
  const big = Buffer.alloc(192 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  writeFileSync(join(take, 'witness.mov'), big);
  return take;
}

/** Starts an offload of `take` into `drive` and resolves once the clip's temporary copy holds 32 MB. */
async function halfWay(take: string, drive: string) {
  mkdirSync(drive);
  const copy = join(drive, 'take-0003');
  const run = start(['offload', take, '--to', drive]);
  const temp = () => (existsSync(copy) ? readdirSync(copy).find((n) => /^\.witness\.k4sync-\d+-\d+\.tmp\.mov$/.test(n)) : undefined);
  await waitFor(run, 'the clip half-way', () => {
    const t = temp();
    return t !== undefined && statSync(join(copy, t)).size >= 32 << 20;
  });
  return { run, copy };
}

describe('a copy stopped half-way', () => {
  const take = bigTake();

  it('SIGKILL leaves nothing that looks complete; the same command resumes and copies only what was missing', async () => {
    const { run, copy } = await halfWay(take, join(dir, 'big', 'killed'));
    run.child.kill('SIGKILL');
    await run.exited;
    // Nothing under a final name is incomplete, and the history has no generation yet.
    expect(existsSync(join(copy, 'witness.mov'))).toBe(false);
    expect(existsSync(join(copy, 'ascmhl', 'ascmhl_chain.xml'))).toBe(false);
    const verifiedBefore = readGeneration(readFileSync(join(copy, 'ascmhl', '.k4sync-offload-in-progress.mhl'), 'utf8'), 'journal').files.map((f) => f.path);
    expect(verifiedBefore.length).toBeGreaterThan(0);
    const inodes = new Map(verifiedBefore.map((p) => [p, statSync(join(copy, p)).ino]));
    // What a verification says of a folder whose offload was killed.
    expect(k4sync('offload', '--verify', copy).stdout).toMatch(/offload into this folder was interrupted/);

    const again = k4sync('offload', take, '--to', join(dir, 'big', 'killed'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${7 - verifiedBefore.length} file(s) copied and verified`);
    // What the killed run had verified was not copied again.
    for (const [p, ino] of inodes) expect(statSync(join(copy, p)).ino, p).toBe(ino);
    expect(leftovers(join(dir, 'big', 'killed'))).toEqual([]);
    expect(existsSync(join(copy, 'ascmhl', '.k4sync-offload-in-progress.mhl'))).toBe(false);
    expect([...recorded(copy).keys()]).toContain('witness.mov');
    expect(expectValidHistories(copy)).toBe(2);
    const v = k4sync('offload', '--verify', copy);
    expect(v.status, v.stdout).toBe(0);
  });

  it('Ctrl-C: exit 130, K4S_INTERRUPTED, the temporary copy removed; a re-run completes', async () => {
    const drive = join(dir, 'big', 'interrupted');
    const { run, copy } = await halfWay(take, drive);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(errorLines(run.stderr())).toEqual([expect.stringMatching(/^k4sync: K4S_INTERRUPTED: k4sync offload was stopped/)]);
    expect(leftovers(drive)).toEqual([]);
    expect(existsSync(join(copy, 'witness.mov'))).toBe(false);
    const again = k4sync('offload', take, '--to', drive);
    expect(again.status, again.stderr).toBe(0);
    expect(k4sync('offload', '--verify', copy).status).toBe(0);
  });
});

describe('a shoot day', () => {
  it('one history for the day folder, with each take folder hashed; each take has its own report', () => {
    const day = join(dir, 'day-3');
    copyTake('daisy-chain', join(day, 'take-0001'));
    copyTake('standalone-pair', join(day, 'take-0002'));
    const drive = join(dir, 'day-drive');
    mkdirSync(drive);
    const r = k4sync('offload', day, '--to', drive);
    expect(r.status, r.stderr).toBe(0);
    const copy = join(drive, 'day-3');
    expect(readdirSync(copy).sort()).toEqual(['ascmhl', 'take-0001', 'take-0002']);
    expect(expectValidHistories(copy)).toBe(2);
    const gen = readdirSync(join(copy, 'ascmhl')).find((n) => n.endsWith('.mhl'))!;
    const g = readGeneration(readFileSync(join(copy, 'ascmhl', gen), 'utf8'), gen);
    expect(g.directories.map((d) => d.path)).toEqual(['take-0001', 'take-0002']);
    for (const t of ['take-0001', 'take-0002']) {
      expect(g.files.map((f) => f.path)).toContain(`${t}/offload-report.html`);
      expect(g.files.map((f) => f.path)).toContain(`${t}/take.json`);
    }
  });
});

/** A 2 MB tmpfs, where the machine lets the tests mount one (root, outside a restricted container): a real ENOSPC. */
function smallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const mnt = join(dir, 'tmpfs');
  mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', mnt], { encoding: 'utf8' });
  return r.status === 0 ? mnt : null;
}
const disk = smallDisk();
if (!disk) process.stderr.write('test/e2e/offload.test.ts: the full-disk case needs root and mount (tmpfs); not run here.\n');
afterAll(() => {
  if (disk) spawnSync('umount', [disk]);
});

if (disk) describe('a full destination disk (ENOSPC on a 2 MB tmpfs)', () => {
  it('stops that destination with K4S_DISK_FULL and what to re-run; the other is complete; the source is untouched', () => {
    const take = copyTake('daisy-chain', join(dir, 'full', 'take-0004'));
    const before = snapshot(take);
    const raid = join(dir, 'full', 'raid');
    mkdirSync(raid);
    const r = k4sync('offload', take, '--to', disk, '--to', raid);
    expectError(r, 1, 'K4S_DISK_FULL', disk);
    expect(errorLines(r.stderr)[0]).toContain(`run k4sync offload ${take} --to ${disk} again`);
    expect(errorLines(r.stderr)[0]).toContain(`${raid} is complete and verified`);
    expect(snapshot(take)).toEqual(before);
    expect(leftovers(disk)).toEqual([]);
    expect(existsSync(join(disk, 'take-0004', 'ascmhl', 'ascmhl_chain.xml'))).toBe(false);
    const v = k4sync('offload', '--verify', join(raid, 'take-0004'));
    expect(v.status, v.stdout).toBe(0);
  });
});
