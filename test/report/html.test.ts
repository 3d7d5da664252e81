import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDayIndex, renderTakeReport, writeReports } from '../../src/report/index.js';
import { vegaRuntime } from '../../src/report/html/charts/runtime.js';
import {
  AUDIT_SCHEMA,
  DEFAULT_THRESHOLDS,
  type AuditReport,
  type Check,
  type PairOffset,
  type SensorAudit,
  type SensorSeries,
  type TakeAudit,
} from '../../src/audit/types.js';
import { auditDir } from '../audit/helpers.js';

const HOSTILE = '<script>alert(1)</script>';
const PERIOD = 1e6 / 30;

/** A sensor's chart series: `n` frames of a steady 30 fps with a little jitter, a 3-frame gap at `dropAt`. */
function series(n: number, opts: { reference?: boolean; dropAt?: number; drift?: number } = {}): SensorSeries {
  const frameIndex: number[] = [];
  const intervalUs: number[] = [];
  const offsetResidualUs: (number | null)[] = [];
  for (let i = 1, f = 1; i < n; i++, f++) {
    let interval = Math.round(PERIOD + ((i * 7919) % 90) - 45);
    if (opts.dropAt !== undefined && f === opts.dropAt) {
      f += 3;
      interval += 3 * Math.round(PERIOD);
    }
    frameIndex.push(f);
    intervalUs.push(interval);
    offsetResidualUs.push(opts.reference ? null : Math.round((((i * 104729) % 100) - 50 + (opts.drift ?? 0) * i) * 100) / 100);
  }
  return { frameIndex, intervalUs, offsetResidualUs };
}

function offset(reference: string, over: Partial<PairOffset> = {}): PairOffset {
  return {
    reference, track: 'COLOR', expectedUs: 0, measuredUs: -3.9, maxResidualUs: 50.3, frameShift: 0, pairedBy: 'host-time', matchedFrames: 1795,
    rawDivergenceUs: -112, trendUsPerMinute: 2, trendStdErrUsPerMinute: 4, hostGapUs: 600, aligned: true, ...over,
  };
}

/** Cast, not annotated: the same literal fits SensorAudit with or without the optional timecode fields of the schema. */
function sensor(serial: string, over: Partial<SensorAudit> = {}): SensorAudit {
  return {
    serial, file: `/takes/day1/take-7/${serial}.mkv`, fileInfo: { bytes: 1_486_356, modified: '2025-06-01T10:11:12.000Z', fingerprint: `sha256-edges:${'ab'.repeat(32)}` },
    role: 'subordinate', error: null, fps: 30, colorMode: 'MJPG_720P', depthMode: 'NFOV_UNBINNED', firmware: { color: '1.6.110', depth: '1.6.80' },
    depthDelayUs: 0, subordinateDelayUs: 0, frames: 1800, firstDeviceTimestampUs: 233_311, lastDeviceTimestampUs: 233_311 + 1799 * PERIOD, drops: [],
    clockRatePpm: -18.07, clockRateStdErrPpm: 0.42, rateSegments: [{ fromFrame: 0, toFrame: 1799, ratePpm: -18.07, stdErrPpm: 0.42, freeRunning: false }],
    jitterTicks: { rms: 1.4, max: 2.8 }, locked: true, lockEvidence: 'rate', lockLostAtFrame: null, hostRateVsReferencePpm: 9.5,
    colorToDepth: { measuredUs: 0, expectedUs: 0 }, offset: offset('000100000001'), depthOffset: null, window: { framesBefore: 0, framesAfter: 0 },
    series: series(1800), timecodeIn: null, timecodeOut: null, driftVsTimecodePpm: null, ...over,
  } as SensorAudit;
}

function check(id: string, status: Check['status'], serial: string | null, message: string, over: Partial<Check> = {}): Check {
  return { id, status, sensor: serial, value: null, threshold: null, message, remedy: null, ...over };
}

const LOCK_REMEDY = '000100000004 stopped receiving sync around frame 900: check its Sync In cable and the cable before it in the chain.';
const DROP_REMEDY = 'Dropped frames come from USB, host or disk load: one host controller per two sensors.';

/** A 4-sensor, one-minute (1800 frames at 30 fps) take: a master, a subordinate that drops, one that loses sync. */
function fourSensorTake(): TakeAudit {
  const sensors = [
    sensor('000100000001', { role: 'master', locked: false, lockEvidence: 'role', offset: null, clockRatePpm: 0.5, series: series(1800, { reference: true }) }),
    sensor('000100000002', { drops: [{ frameIndex: 600, deviceTimestampUs: 20_233_244, count: 3 }], series: series(1800, { dropAt: 600 }) }),
    sensor('000100000003', { clockRatePpm: 4.4 }),
    sensor('000100000004', {
      locked: false, lockEvidence: 'rate-change', lockLostAtFrame: 900, clockRatePpm: -11.05, clockRateStdErrPpm: 0.59, window: null,
      rateSegments: [
        { fromFrame: 0, toFrame: 899, ratePpm: -22.86, stdErrPpm: 1.28, freeRunning: false },
        { fromFrame: 900, toFrame: 1799, ratePpm: 0.21, stdErrPpm: 1.31, freeRunning: true },
      ],
      offset: offset('000100000001', { maxResidualUs: 300, aligned: false, trendUsPerMinute: 708 }),
      series: series(1800, { drift: 0.15 }),
    }),
  ];
  return {
    schema: AUDIT_SCHEMA, k4syncVersion: '9.8.7', auditedAt: '2025-06-01T12:00:00.000Z', take: 'take-7', verdict: 'FAIL', fps: 30, syncSource: 'master',
    reference: '000100000001', window: { startUs: 233_346, endUs: 233_311 + 1799 * PERIOD, frames: 1800 }, sensors,
    checks: [
      check('roles', 'PASS', null, 'Roles from the tags: 1 master and 3 subordinates.'),
      check('drops', 'WARN', '000100000002', '3 of 1803 frames missing: frames 600–602 at 20.233 s.', { value: 3, threshold: 0, remedy: DROP_REMEDY }),
      check('lock', 'FAIL', '000100000004', '000100000004 it lost sync around frame 900.', { value: 'not locked', remedy: LOCK_REMEDY }),
      check('offset', 'FAIL', '000100000004', '000100000004 drifts away from 000100000001 at 708.2 µs per minute.', { value: 300, threshold: 110, remedy: 'Check its Sync In cable.' }),
      check('host-clock', 'NOT_MEASURABLE', null, 'Some files carry no host arrival times.'),
    ],
    timecode: null, audio: [], thresholds: DEFAULT_THRESHOLDS,
  } as TakeAudit;
}

/** The markup without the bodies of its script elements (the vega runtime, the chart JSON, the bootstrap). */
function markupOnly(page: string): string {
  return page.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2');
}

describe('renderTakeReport', () => {
  const take = fourSensorTake();
  const page = renderTakeReport(take);

  it('opens with the verdict, then the failed and warned checks with value, threshold and remedy', () => {
    const verdict = page.indexOf('class="verdict-word">FAIL<');
    expect(verdict).toBeGreaterThan(0);
    expect(page).toContain('Not synchronized or not complete.');
    const lock = page.indexOf(LOCK_REMEDY);
    const drops = page.indexOf(DROP_REMEDY);
    expect(lock).toBeGreaterThan(verdict);
    expect(drops).toBeGreaterThan(lock); // failures before warnings
    expect(page).toMatch(/<dt>measured<\/dt><dd>300 <span class="unit">µs<\/span><\/dd><\/div>\s*<div><dt>tolerance<\/dt><dd>110 <span class="unit">µs/);
    expect(page).toContain('Some files carry no host arrival times.');
  });

  it('names the failing sensor and its remedy before any chart', () => {
    const firstChart = page.indexOf('data-chart=');
    expect(firstChart).toBeGreaterThan(0);
    const sensorNamed = page.indexOf('<span class="issue-sensor mono">000100000004</span>');
    expect(sensorNamed).toBeGreaterThan(0);
    expect(sensorNamed).toBeLessThan(firstChart);
    expect(page.indexOf(LOCK_REMEDY)).toBeLessThan(firstChart);
  });

  it('has its contents in the order a reader needs them', () => {
    const order = ['class="verdict ', 'id="issues"', 'id="rig"', 'data-chart="timeline"', 'data-chart="intervals"', 'data-chart="offsets"',
      'data-chart="rates"', 'id="sensors"', 'id="checks"', 'id="files"', 'id="record"'];
    const at = order.map((s) => page.indexOf(s));
    for (const i of at) expect(i).toBeGreaterThan(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('draws the rig as inline SVG, master first and subordinates chained by serial, and says it is inferred', () => {
    const svg = /<svg class="rig"[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
    const names = [...svg.matchAll(/<text class="rig-name"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(names).toEqual(['000100000001', '000100000002', '000100000003', '000100000004']);
    expect(svg.match(/class="rig-cable[^"]*"/g)).toHaveLength(3);
    expect(svg).toContain('rig-cable rig-cable-bad'); // the cable into the sensor that lost sync
    expect(page).toContain('Inferred, not observed:');
  });

  it('draws a generator box feeding the first subordinate in a generator rig', () => {
    const t = fourSensorTake();
    t.syncSource = 'generator';
    t.sensors.forEach((s) => (s.role = 'subordinate'));
    const svg = /<svg class="rig"[\s\S]*?<\/svg>/.exec(renderTakeReport(t))?.[0] ?? '';
    expect(svg).toContain('SYNC GENERATOR');
    expect(svg.match(/class="rig-cable[^"]*"/g)).toHaveLength(4);
  });

  it('tables every sensor: serial, firmware, modes, frames, drops with frame index and device time', () => {
    expect(page).toContain('<h3><span class="mono">000100000002</span></h3>');
    expect(page).toContain('colour 1.6.110 · depth 1.6.80');
    expect(page).toContain('MJPG_720P');
    expect(page).toMatch(/Dropped frames: 3 in 1 gap[\s\S]*?<td class="num">600<\/td><td class="num">3<\/td><td class="num">20\.233244 s<\/td>/);
    expect(page).toContain('frame 900');
  });

  it('records the files, the thresholds, the k4sync version and the audit date', () => {
    expect(page).toContain(`${'ab'.repeat(32)}`);
    expect(page).toContain('1,486,356 bytes');
    expect(page).toContain('2025-06-01 10:11:12 UTC');
    expect(page).toContain('110 µs at 30 fps, 220 µs at 15 fps, 660 µs at 5 fps');
    expect(page).toContain('k4sync 9.8.7');
    expect(page).toContain('2025-06-01 12:00:00 UTC');
  });

  it('reads without JavaScript: verdict, checks and tables are server-side HTML', () => {
    const noScript = page.replace(/<script\b[\s\S]*?<\/script>/g, '');
    for (const text of ['FAIL', LOCK_REMEDY, '000100000004', 'Dropped frames: 3', 'sha256-edges:', 'Offset tolerance', '<svg class="rig"']) {
      expect(noScript).toContain(text);
    }
    expect(noScript).toContain('<noscript>');
  });

  it('compiles the charts to Vega in Node: one spec per chart, no vega-lite, no $schema address', () => {
    const json = /<script type="application\/json" id="k4s-charts">([\s\S]*?)<\/script>/.exec(page)?.[1];
    expect(json).toBeDefined();
    const specs = JSON.parse(json ?? '{}') as Record<string, Record<string, unknown>>;
    expect(Object.keys(specs).sort()).toEqual(['intervals', 'offsets', 'rates', 'timeline']);
    for (const spec of Object.values(specs)) {
      expect(spec.$schema).toBeUndefined();
      expect(Array.isArray(spec.marks)).toBe(true);
    }
    expect(page).not.toContain('vegaLite');
    expect(page).not.toContain('vegaEmbed');
  });

  it('loads nothing: no URL, no src, no link, no import outside the inlined vega runtime', () => {
    const markup = markupOnly(page);
    expect(markup).not.toMatch(/https?:\/\//);
    expect(markup).not.toMatch(/<[a-z][^>]*\ssrc\s*=/i);
    expect(markup).not.toMatch(/<link\b|@import|url\((?!#)/i); // url(#id) is a fragment of this page (the rig arrows)
    expect(markup).not.toMatch(/<(img|iframe|object|embed|audio|video|source)\b/i);
    // The runtime's only addresses are the SVG and XML namespace names, which are identifiers, never fetched.
    const urls = new Set(page.match(/https?:\/\/[^\s"'`)]+/g) ?? []);
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg', 'http://www.w3.org/2000/xmlns/']);
    expect(page).toContain('content="default-src &#39;none&#39;;'); // a Content-Security-Policy that forbids every load
    expect(page).not.toContain('sourceMappingURL');
  });

  it('stays under 2 MB for a 4-sensor, one-minute take (series of 1800 points, more than the audit keeps)', () => {
    const size = Buffer.byteLength(page, 'utf8');
    expect(size).toBeLessThan(2 * 1024 * 1024);
    expect(Buffer.byteLength(vegaRuntime(), 'utf8')).toBeLessThan(size);
  });

  it('escapes every string from the files: a hostile serial, file name, take, message or firmware stays text', () => {
    const t = fourSensorTake();
    const evil = `${HOSTILE}"'><img src=x onerror=alert(2)>`;
    const s = t.sensors[3]!;
    s.serial = evil;
    s.file = `/x/${evil}.mkv`;
    s.firmware = { color: evil, depth: null };
    s.colorMode = evil;
    s.fileInfo = { bytes: 1, modified: evil, fingerprint: evil };
    s.drops = [{ frameIndex: 1, deviceTimestampUs: 1, count: 1 }];
    t.take = `</title>${evil}`;
    t.reference = evil;
    t.checks = t.checks.map((c) => ({ ...c, sensor: c.sensor === '000100000004' ? evil : c.sensor, message: `${c.message} ${evil}`, remedy: c.remedy && `${c.remedy} ${evil}` }));
    const hostile = renderTakeReport(t);
    expect(hostile).not.toContain(HOSTILE);
    const markup = markupOnly(hostile);
    // The hostile text is still there, as text: no raw '<' survives, so no element or attribute can be made from it.
    expect(markup).not.toMatch(/<img\b/i);
    expect(markup).not.toMatch(/<[a-z][^>]*\s(src|on[a-z]+)\s*=/i);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // Only the report's own three script elements exist, and the JSON block cannot be closed from inside.
    expect(hostile.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="k4s-charts">', '<script>', '<script>']);
    expect(hostile.match(/<\/script/gi)).toHaveLength(3);
    expect(hostile).toContain('\\u003cscript\\u003ealert(1)');
  });

  it('renders timecode in, out, drift and drop timecodes when the audit has them', () => {
    expect(page).not.toContain('id="timecode"');
    const t = fourSensorTake();
    t.sensors.forEach((s, i) => Object.assign(s, { timecodeIn: `10:00:0${i}:00`, timecodeOut: `10:01:0${i}:00`, driftVsTimecodePpm: 1.25 * (i + 1) }));
    Object.assign(t.sensors[1]!.drops[0]!, { timecode: '10:00:20:07' });
    Object.assign(t, {
      timecode: { rate: '30', source: 'ltc.wav', in: '10:00:00:07', out: '10:01:00:06' },
      audio: [{ file: '/day/sound/T7.wav', source: 'bwf', startTimecode: '09:59:58:00', startSeconds: 35998, endSeconds: 36100, covers: 'all', error: null }],
    });
    t.sensors[2]!.drops = [];
    const withTc = renderTakeReport(t);
    expect(withTc).toContain('id="timecode"');
    expect(withTc).toMatch(/<dt>Timecode<\/dt><dd><span class="mono">10:00:00:07 → 10:01:00:06<\/span>/);
    expect(withTc).toMatch(/<td class="mono">T7\.wav<\/td><td class="mono">09:59:58:00<\/td><td>BWF time reference<\/td><td>the whole take<\/td>/);
    expect(withTc).toContain('<td class="mono">10:00:03:00</td><td class="mono">10:01:03:00</td><td class="num">+5.00 ppm</td>');
    expect(withTc).toMatch(/<th>Timecode<\/th>[\s\S]*?<td class="mono">10:00:20:07<\/td>/);
    expect(withTc.indexOf('id="timecode"')).toBeLessThan(withTc.indexOf('id="sensors"'));
  });

  it('renders a passing take and an unreadable file without charts it cannot draw', () => {
    const t = fourSensorTake();
    t.verdict = 'PASS';
    t.checks = [check('drops', 'PASS', '000100000002', 'No frame missing.')];
    const bad = t.sensors[2]!;
    Object.assign(bad, { role: 'unknown', error: { code: 'K4S_NOT_MKV', message: 'Not a Matroska file.' }, series: null, frames: 0, firstDeviceTimestampUs: null, lastDeviceTimestampUs: null, clockRatePpm: null, rateSegments: [], fileInfo: null, offset: null });
    const p = renderTakeReport(t);
    expect(p).toContain('class="verdict-word">PASS<');
    expect(p).toContain('All 1 check passed');
    expect(p).toContain('K4S_NOT_MKV');
    expect(p).toContain('UNREADABLE');
  });
});

describe('renderDayIndex', () => {
  const fail = fourSensorTake();
  const pass: TakeAudit = { ...fourSensorTake(), take: 'take-8', verdict: 'PASS', checks: [] };
  const day: AuditReport = { schema: AUDIT_SCHEMA, verdict: 'FAIL', takes: [fail, pass] };

  it('links every take with its verdict, and carries no script', () => {
    const page = renderDayIndex(day, [{ take: 'take-7', href: 'day-take-7.html' }, { take: 'take-8', href: 'day-take-8.html' }]);
    expect(page).toMatch(/pill-fail">FAIL<\/span><\/td><td><a class="take-name" href="day-take-7\.html">take-7<\/a>/);
    expect(page).toMatch(/pill-pass">PASS<\/span><\/td><td><a class="take-name" href="day-take-8\.html">take-8<\/a>/);
    expect(page).toContain('class="verdict-word">FAIL<');
    expect(page).not.toContain('<script');
  });

  it('escapes take names and refuses link targets with a scheme', () => {
    const evil: TakeAudit = { ...pass, take: HOSTILE };
    const page = renderDayIndex({ ...day, takes: [evil] }, [{ take: HOSTILE, href: 'javascript:alert(1)' }]);
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toContain('javascript:');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('writeReports', () => {
  it('one take: one file at the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-report-'));
    const out = join(dir, 'report.html');
    expect(writeReports({ schema: AUDIT_SCHEMA, verdict: 'FAIL', takes: [fourSensorTake()] }, out)).toEqual([out]);
    expect(readFileSync(out, 'utf8')).toContain('class="verdict-word">FAIL<');
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('accepts a single TakeAudit as `audit --json` writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-report-'));
    expect(writeReports(fourSensorTake(), join(dir, 'r.html'))).toEqual([join(dir, 'r.html')]);
  });

  it('several takes: the index at the path, each take beside it, names made safe and unique', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k4sync-report-'));
    const out = join(dir, 'day.html');
    const a = fourSensorTake();
    const b = { ...fourSensorTake(), take: '../../etc/passwd', verdict: 'PASS' as const };
    const c = { ...fourSensorTake(), take: 'take-7' };
    const paths = writeReports({ schema: AUDIT_SCHEMA, verdict: 'FAIL', takes: [a, b, c] }, out);
    expect(paths).toEqual([out, join(dir, 'day-take-7.html'), join(dir, 'day-etc_passwd.html'), join(dir, 'day-take-7-2.html')]);
    expect(readdirSync(dir).sort()).toEqual(['day-etc_passwd.html', 'day-take-7-2.html', 'day-take-7.html', 'day.html']);
    const index = readFileSync(out, 'utf8');
    expect(index).toContain('href="day-take-7.html"');
    expect(index).toContain('href="day-etc_passwd.html"');
    expect(index).toContain('href="day-take-7-2.html"');
    expect(readFileSync(join(dir, 'day-etc_passwd.html'), 'utf8')).toContain('class="verdict-word">PASS<');
  });
});

describe('an Orbbec Femto take on an epoch clock', () => {
  it('names the device family and the clock\'s date for each sensor', () => {
    const page = renderTakeReport(auditDir(join(import.meta.dirname, '../../samples/femto-epoch')));
    expect(page.match(/Orbbec Femto \(K4A wrapper\)/g)?.length).toBe(3);
    expect(page).toMatch(/counts from the Unix epoch: first frame at 2024-11-05T08:52:3\d\.\d{3}Z/);
  });
});
