import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SDK_WRITTEN } from '../fixtures.js';
import { k4sync } from './cli.js';

const SAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'k4sync-audit-e2e-'));

describe('k4sync audit', () => {
  it('a clean take exits 0 with a PASS verdict line first', () => {
    const r = k4sync('audit', join(SDK_WRITTEN, 'daisy-clean'));
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^PASS\s+daisy-clean/);
  });

  it('a failing take exits 1 and says what failed and what to do', () => {
    const r = k4sync('audit', join(SAMPLES, 'generator-sync-lost'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+lock\s+000200000004|lock.*000200000004/);
    expect(r.stdout).toMatch(/Sync In cable/);
  });

  it('a WARN take exits 0, or 1 with --strict', () => {
    expect(k4sync('audit', join(SAMPLES, 'daisy-chain')).status).toBe(0);
    expect(k4sync('audit', join(SAMPLES, 'daisy-chain'), '--strict').status).toBe(1);
  });

  it('--json and --out give the documented schema', () => {
    const out = join(tmp, 'audit.json');
    const r = k4sync('audit', join(SAMPLES, 'daisy-chain'), '--json', '--out', out);
    expect(r.status).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(a);
    expect(a.schema).toBe('k4sync.audit/1');
    expect(a.verdict).toBe('WARN');
    for (const s of a.sensors) {
      expect(s).toEqual(expect.objectContaining({ serial: expect.any(String), file: expect.any(String), role: expect.any(String), frames: expect.any(Number), clockRatePpm: expect.any(Number) }));
      expect([true, false, null]).toContain(s.locked);
      expect(Array.isArray(s.drops)).toBe(true);
    }
    expect(a.sensors[1].drops).toEqual([{ frameIndex: 120, deviceTimestampUs: expect.any(Number), count: 3 }]);
    for (const c of a.checks) expect(Object.keys(c).sort()).toEqual(['id', 'message', 'remedy', 'sensor', 'status', 'threshold', 'value']);
  });

  it('a shoot day audits every take; JSON lists them with the worst verdict', () => {
    const r = k4sync('audit', SAMPLES, '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.takes.map((t: { take: string }) => t.take).sort()).toEqual(readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort());
    expect(report.verdict).toBe('FAIL');
  });

  it('a corrupt MKV is reported with its code in its place; the other sensors are still audited', () => {
    const take = join(tmp, 'take-with-corrupt');
    mkdirSync(take, { recursive: true });
    for (const f of readdirSync(join(SAMPLES, 'daisy-chain')).filter((x) => x.endsWith('.mkv'))) copyFileSync(join(SAMPLES, 'daisy-chain', f), join(take, f));
    writeFileSync(join(take, '000100000003.mkv'), readFileSync(join(take, '000100000003.mkv')).subarray(0, 300));
    writeFileSync(join(take, 'broken.mkv'), 'not a recording at all');
    const r = k4sync('audit', take, '--json');
    expect(r.status).toBe(1);
    const a = JSON.parse(r.stdout);
    const broken = a.sensors.find((s: { file: string }) => s.file.endsWith('broken.mkv'));
    expect(broken.error.code).toBe('K4S_NOT_EBML');
    expect(a.checks.find((c: { id: string; sensor: string }) => c.id === 'file' && c.sensor === 'broken').status).toBe('FAIL');
    const good = a.sensors.filter((s: { error: unknown }) => s.error === null);
    expect(good.length).toBeGreaterThanOrEqual(2);
    expect(good.find((s: { serial: string }) => s.serial === '000100000002').drops).toHaveLength(1);
  });

  it('bad input exits 2: a path that does not exist, a folder without MKVs, a bad config naming the field', () => {
    expect(k4sync('audit', join(tmp, 'nowhere')).status).toBe(2);
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = k4sync('audit', empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no \.mkv files/);
    const config = join(tmp, 'k4sync.config.json');
    writeFileSync(config, JSON.stringify({ thresholds: { jitterWarnTicks: 'ten', colour: 1 } }));
    const c = k4sync('audit', join(SAMPLES, 'daisy-chain'), '--config', config);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/thresholds\.jitterWarnTicks/);
    expect(c.stderr).toMatch(/thresholds\.colour/);
  });

  it('thresholds come from the config file, then flags', () => {
    const config = join(tmp, 'tight.config.json');
    writeFileSync(config, JSON.stringify({ thresholds: { offsetToleranceUs: { '30': 20 } } }));
    const fromFile = JSON.parse(k4sync('audit', join(SAMPLES, 'daisy-chain'), '--config', config, '--json').stdout);
    expect(fromFile.thresholds.offsetToleranceUs['30']).toBe(20);
    expect(fromFile.verdict).toBe('FAIL');
    const flagWins = JSON.parse(k4sync('audit', join(SAMPLES, 'daisy-chain'), '--config', config, '--offset-tolerance', '110', '--json').stdout);
    expect(flagWins.thresholds.offsetToleranceUs['30']).toBe(110);
    expect(flagWins.verdict).toBe('WARN');
  });
});
