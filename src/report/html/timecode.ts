/**
 * Timecode, when the audit measured it (a take with LTC): the take on the generator's timecode line, each sensor's
 * timecode in and out and its drift against timecode, drops with their timecode, and audio files placed on the line.
 * Every field is read here, and only here, as optional: a document without them (no LTC, or written before they
 * existed) shows no timecode at all, and nothing else in the report needs to know about them.
 */
import type { Drop, SensorAudit, TakeAudit } from '../../audit/types.js';
import { html, type Html } from './html.js';
import { basename, ppm } from './format.js';

/** The fields as the report reads them; each may be absent. */
interface SensorTimecodeFields {
  timecodeIn?: unknown;
  timecodeOut?: unknown;
  driftVsTimecodePpm?: unknown;
}
interface DropTimecodeFields {
  timecode?: unknown;
}
interface TakeTimecodeFields {
  timecode?: unknown;
  audio?: unknown;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export interface SensorTimecode {
  tcIn: string | null;
  tcOut: string | null;
  driftPpm: number | null;
}

export function sensorTimecode(s: SensorAudit): SensorTimecode {
  const t = s as SensorAudit & SensorTimecodeFields;
  return { tcIn: text(t.timecodeIn), tcOut: text(t.timecodeOut), driftPpm: finite(t.driftVsTimecodePpm) };
}

export function dropTimecode(d: Drop): string | null {
  return text((d as Drop & DropTimecodeFields).timecode);
}

/** The take on the timecode line: its rate, where the timecode came from, and the take's first and last timecode. */
export interface TakeTimecode {
  rate: string | null;
  source: string | null;
  tcIn: string | null;
  tcOut: string | null;
}

export function takeTimecode(take: TakeAudit): TakeTimecode | null {
  const t = record((take as TakeAudit & TakeTimecodeFields).timecode);
  if (!t) return null;
  return { rate: text(t.rate), source: text(t.source), tcIn: text(t.in), tcOut: text(t.out) };
}

export interface AudioRow {
  file: string;
  source: string | null;
  start: string | null;
  covers: string | null;
  error: string | null;
}

export function takeAudio(take: TakeAudit): AudioRow[] {
  const a = (take as TakeAudit & TakeTimecodeFields).audio;
  if (!Array.isArray(a)) return [];
  return a.flatMap((x) => {
    const r = record(x);
    const file = r && text(r.file);
    return r && file !== null ? [{ file, source: text(r.source), start: text(r.startTimecode), covers: text(r.covers), error: text(r.error) }] : [];
  });
}

function measured(t: SensorTimecode): boolean {
  return t.tcIn !== null || t.tcOut !== null || t.driftPpm !== null;
}

export function takeHasTimecode(take: TakeAudit): boolean {
  return (
    takeTimecode(take) !== null ||
    takeAudio(take).length > 0 ||
    take.sensors.some((s) => measured(sensorTimecode(s)) || s.drops.some((d) => dropTimecode(d) !== null))
  );
}

export function sensorsHaveDropTimecode(sensors: SensorAudit[]): boolean {
  return sensors.some((s) => s.drops.some((d) => dropTimecode(d) !== null));
}

const COVERS: Record<string, string> = { all: 'the whole take', part: 'part of the take', none: 'none of the take' };

/** The timecode section: the take's line, in, out and drift per sensor, audio placed; absent when nothing was measured. */
export function timecodeSection(take: TakeAudit): Html | null {
  if (!takeHasTimecode(take)) return null;
  const line = takeTimecode(take);
  const sensors = take.sensors.filter((s) => measured(sensorTimecode(s)));
  const audio = takeAudio(take);
  const lead = line
    ? html`<p class="lede">The take runs from <strong class="mono">${line.tcIn ?? '—'}</strong> to <strong class="mono">${line.tcOut ?? '—'}</strong> on the timecode line${line.rate ? html` (${line.rate} fps)` : ''}${line.source ? html`, read from <span class="mono">${line.source}</span>` : ''}. Below, each sensor's first and last frame on that line, and how far its clock drifts against it.</p>`
    : html`<p class="lede">Each sensor's first and last frame on the timecode line, and how far its clock drifts against it.</p>`;
  const sensorTable = sensors.length
    ? html`<table class="data tc"><thead><tr><th>Sensor</th><th>Timecode in</th><th>Timecode out</th><th class="num">Drift against timecode</th></tr></thead>
<tbody>${sensors.map((s) => {
        const t = sensorTimecode(s);
        return html`<tr><td class="mono">${s.serial}</td><td class="mono">${t.tcIn ?? '—'}</td><td class="mono">${t.tcOut ?? '—'}</td><td class="num">${ppm(t.driftPpm)}</td></tr>`;
      })}</tbody></table>`
    : '';
  const audioTable = audio.length
    ? html`<table class="data tc"><caption>Audio on the timecode line</caption><thead><tr><th>File</th><th>Start timecode</th><th>From</th><th>Covers</th></tr></thead>
<tbody>${audio.map(
        (a) => html`<tr><td class="mono">${basename(a.file)}</td><td class="mono">${a.start ?? '—'}</td><td>${a.source === 'bwf' ? 'BWF time reference' : a.source === 'ltc' ? 'LTC in its audio' : '—'}</td><td>${a.error ? html`<span class="bad">${a.error}</span>` : a.covers ? (COVERS[a.covers] ?? a.covers) : '—'}</td></tr>`,
      )}</tbody></table>`
    : '';
  return html`<section id="timecode" class="block">
<h2>Timecode</h2>
${lead}
${sensorTable}
${audioTable}
</section>`;
}
