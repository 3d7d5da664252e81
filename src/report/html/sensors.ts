/** A table per sensor: configuration, timing, alignment with the reference, drops (with timecode when measured). */
import type { PairOffset, SensorAudit, TakeAudit } from '../../audit/types.js';
import { EPOCH_CLOCK_MIN_US, epochDate, familyName } from '../../recording/index.js';
import { html, join, type Html, type Interpolation } from './html.js';
import { basename, int, num, plural, ppm, seconds, signed, us } from './format.js';
import { checkName, sensorChecks, sensorStatus, ROLE_NAMES } from './facts.js';
import { dropTimecode, sensorTimecode, sensorsHaveDropTimecode } from './timecode.js';

type Row = [label: string, value: Interpolation];

function kv(title: string, rows: Row[]): Html {
  return html`<table class="kv"><caption>${title}</caption><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v === null || v === undefined || v === '' ? '—' : v}</td></tr>`)}</tbody></table>`;
}

function yesNo(v: boolean | null): string {
  return v === null ? '—' : v ? 'yes' : 'no';
}

function recording(s: SensorAudit): Row[] {
  return [
    ['File', html`<span class="mono">${basename(s.file)}</span>`],
    ['Colour mode', s.colorMode ?? 'off'],
    ['Depth mode', s.depthMode ?? 'off'],
    ['Frame rate', s.fps === null ? null : `${s.fps} fps`],
    ['Device', s.deviceFamily === null ? null : familyName(s.deviceFamily)],
    ['Firmware', `colour ${s.firmware.color ?? '—'} · depth ${s.firmware.depth ?? '—'}`],
    ['Depth delay', us(s.depthDelayUs, 0)],
    ['Subordinate delay', us(s.subordinateDelayUs, 0)],
  ];
}

function timing(s: SensorAudit): Row[] {
  const rows: Row[] = [
    ['Frames', int(s.frames)],
    ...(s.firstDeviceTimestampUs !== null && s.firstDeviceTimestampUs >= EPOCH_CLOCK_MIN_US
      ? [['Device clock', `counts from the Unix epoch: first frame at ${epochDate(s.firstDeviceTimestampUs)}`] as Row]
      : []),
    ['First frame', seconds(s.firstDeviceTimestampUs, 6)],
    ['Last frame', seconds(s.lastDeviceTimestampUs, 6)],
    ['Outside window', s.window ? `${int(s.window.framesBefore)} before, ${int(s.window.framesAfter)} after` : 'not in the window'],
    ['Clock rate', s.clockRatePpm === null ? null : `${ppm(s.clockRatePpm)} ± ${num(s.clockRateStdErrPpm)}`],
  ];
  if (s.rateSegments.length > 1) {
    rows.push([
      'Rate segments',
      join(s.rateSegments.map((g) => html`frames ${g.fromFrame}–${g.toFrame}: ${ppm(g.ratePpm)}${g.freeRunning ? html` <span class="bad">free-running</span>` : ''}`), html`<br>`),
    ]);
  }
  rows.push(
    ['Jitter', s.jitterTicks ? `${num(s.jitterTicks.rms, 1)} rms, ${num(s.jitterTicks.max, 1)} max (ticks)` : null],
    ['Locked', s.role === 'subordinate' ? html`${yesNo(s.locked)} <span class="dim">(${s.lockEvidence})</span>` : html`<span class="dim">${s.role === 'unknown' ? '—' : `n/a, ${s.role}`}</span>`],
  );
  if (s.lockLostAtFrame !== null) rows.push(['Lock lost at', html`<span class="bad">frame ${s.lockLostAtFrame}</span>`]);
  if (s.hostRateVsReferencePpm !== null) rows.push(['Host rate vs reference', ppm(s.hostRateVsReferencePpm)]);
  const tc = sensorTimecode(s);
  if (tc.tcIn !== null || tc.tcOut !== null) rows.push(['Timecode', html`<span class="mono">${tc.tcIn ?? '—'} → ${tc.tcOut ?? '—'}</span>`]);
  if (tc.driftPpm !== null) rows.push(['Drift vs timecode', ppm(tc.driftPpm)]);
  return rows;
}

function offsetRows(o: PairOffset, prefix: string): Row[] {
  const aligned = o.aligned === null ? '—' : o.aligned ? html`<span class="good">yes</span>` : html`<span class="bad">no</span>`;
  const label = (s: string) => (prefix ? `${prefix}${s}` : s.charAt(0).toUpperCase() + s.slice(1));
  return [
    [label('expected'), us(o.expectedUs)],
    [label('measured'), us(o.measuredUs)],
    [label('worst frame'), us(o.maxResidualUs)],
    [label('rate uncertainty'), o.uncertaintyUs === null ? null : `± ${us(o.uncertaintyUs, 0)}`],
    [label('frame shift'), o.frameShift === null ? null : o.frameShift === 0 ? '0' : html`<span class="bad">${signed(o.frameShift, 0)} periods</span>`],
    [label('aligned'), aligned],
  ];
}

function alignment(take: TakeAudit, s: SensorAudit): Row[] {
  if (s.serial === take.reference) return [['Reference', 'this sensor: others are measured against it']];
  const rows: Row[] = [];
  if (s.offset) {
    const o = s.offset;
    rows.push(['Against', html`<span class="mono">${o.reference}</span> (${o.track === 'COLOR' ? 'colour' : 'depth'})`], ...offsetRows(o, ''));
    rows.push(
      ['Paired by', o.pairedBy === null ? null : `${o.pairedBy}, ${plural(o.matchedFrames, 'frame')}`],
      ['Trend', o.trendUsPerMinute === null ? null : `${signed(o.trendUsPerMinute, 1)}${o.trendStdErrUsPerMinute != null ? ` ± ${num(o.trendStdErrUsPerMinute, 1)}` : ''} µs/min`],
      ['Raw divergence', us(o.rawDivergenceUs, 0)],
    );
  }
  if (s.depthOffset) rows.push(...offsetRows(s.depthOffset, 'Depth: ').filter(([k]) => k !== 'Depth: frame shift'));
  if (s.colorToDepth) rows.push(['Colour → depth', `${us(s.colorToDepth.measuredUs)} (expected ${us(s.colorToDepth.expectedUs)})`]);
  if (rows.length === 0) rows.push(['Offset', 'not measured']);
  return rows;
}

function dropsTable(s: SensorAudit): Html {
  if (s.drops.length === 0) return html`<p class="dim small">No dropped frames.</p>`;
  const tc = sensorsHaveDropTimecode([s]);
  const total = s.drops.reduce((n, d) => n + d.count, 0);
  return html`<table class="data drops"><caption>Dropped frames: ${int(total)} in ${plural(s.drops.length, 'gap')}</caption>
<thead><tr><th class="num">First missing frame</th><th class="num">Frames missing</th><th class="num">Device time</th>${tc ? html`<th>Timecode</th>` : ''}</tr></thead>
<tbody>${s.drops.map((d) => html`<tr><td class="num">${int(d.frameIndex)}</td><td class="num">${int(d.count)}</td><td class="num">${seconds(d.deviceTimestampUs, 6)}</td>${tc ? html`<td class="mono">${dropTimecode(d) ?? '—'}</td>` : ''}</tr>`)}</tbody></table>`;
}

function sensorCard(take: TakeAudit, s: SensorAudit): Html {
  const status = sensorStatus(take, s.serial);
  const checks = sensorChecks(take, s.serial);
  const head = html`<header class="sensor-head"><h3><span class="mono">${s.serial}</span></h3>
<span class="tag">${ROLE_NAMES[s.role]}</span>${s.serial === take.reference ? html`<span class="tag">reference</span>` : ''}<span class="pill pill-${status.toLowerCase()}">${status}</span></header>`;
  if (s.error) {
    return html`<section class="sensor">${head}<p class="bad"><strong>${s.error.code}</strong>: ${s.error.message}</p>${kv('File', [['File', html`<span class="mono">${s.file}</span>`]])}</section>`;
  }
  const chips = checks.length
    ? html`<p class="chips">${checks.map((c) => html`<span class="chip chip-${c.status.toLowerCase()}">${checkName(c.id)}</span>`)}</p>`
    : '';
  return html`<section class="sensor">${head}${chips}
<div class="kv-grid">${kv('Recording', recording(s))}${kv('Timing', timing(s))}${kv('Alignment', alignment(take, s))}</div>
${dropsTable(s)}
</section>`;
}

export function sensorsSection(take: TakeAudit): Html {
  return html`<section id="sensors" class="block">
<h2>Sensors</h2>
${join(take.sensors.map((s) => sensorCard(take, s)))}
</section>`;
}
