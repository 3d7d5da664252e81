/** One take's report: a single self-contained HTML file, in the order a reader needs it. */
import type { TakeAudit } from '../../audit/types.js';
import { html, join, type Html } from './html.js';
import { int, plural, seconds, utc } from './format.js';
import { SYNC_SOURCE_NAMES } from './facts.js';
import { renderDocument } from './document.js';
import { verdictBanner, issuesSection } from './verdict.js';
import { rigCaption, rigSvg } from './rig.js';
import { chartFigure, type Chart } from './charts/chart.js';
import { toVega } from './charts/compile.js';
import { timelineChart } from './charts/timeline.js';
import { intervalsChart } from './charts/intervals.js';
import { offsetsChart } from './charts/offsets.js';
import { ratesChart } from './charts/rates.js';
import { takeTimecode, timecodeSection } from './timecode.js';
import { sensorsSection } from './sensors.js';
import { checksTable, filesTable, footer, provenance } from './records.js';

function header(take: TakeAudit): Html {
  const w = take.window;
  const facts: [string, string | Html][] = [
    ['Sensors', int(take.sensors.length)],
    ['Frame rate', take.fps === null ? '—' : `${take.fps} fps`],
    ['Sync', SYNC_SOURCE_NAMES[take.syncSource]],
    ['Reference', html`<span class="mono">${take.reference ?? '—'}</span>`],
    ['Common window', w ? `${plural(w.frames, 'frame')} · ${seconds(w.endUs - w.startUs, 2)}` : 'none'],
  ];
  const tc = takeTimecode(take);
  if (tc && (tc.tcIn || tc.tcOut)) facts.push(['Timecode', html`<span class="mono">${tc.tcIn ?? '—'} → ${tc.tcOut ?? '—'}</span>`]);
  facts.push(['Audited', utc(take.auditedAt)]);
  return html`<header class="top">
<div class="brand">k4sync · sync report</div><h1>${take.take}</h1>
<dl class="facts">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
</header>`;
}

function section(id: string, title: string, body: Html, lede?: Html | string): Html {
  return html`<section id="${id}" class="block"><h2>${title}</h2>${lede ? html`<p class="lede">${lede}</p>` : ''}${body}</section>`;
}

export interface TakeReportOptions {
  /** Each file's xxh64 by its path in the audit, as an ASC MHL records it (k4sync offload). */
  hashes?: ReadonlyMap<string, string>;
}

export function renderTakeReport(take: TakeAudit, options: TakeReportOptions = {}): string {
  const charts = [timelineChart(take), intervalsChart(take), offsetsChart(take), ratesChart(take)].filter((c): c is Chart => c !== null);
  const chart = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c ? chartFigure(c) : '';
  };
  const compiled: Record<string, unknown> = {};
  for (const c of charts) compiled[c.id] = toVega(c.spec);
  const tc = timecodeSection(take);
  const toc: [string, string][] = [
    ['rig', 'Rig'],
    ['timing', 'Timing'],
    ...(tc ? ([['timecode', 'Timecode']] as [string, string][]) : []),
    ['sensors', 'Sensors'],
    ['checks', 'All checks'],
    ['files', 'Files'],
    ['record', 'Thresholds'],
  ];
  const body = html`${header(take)}
${verdictBanner(take)}
${issuesSection(take)}
<nav aria-label="Contents"><ul class="toc">${toc.map(([id, t]) => html`<li><a href="#${id}">${t}</a></li>`)}</ul></nav>
${section('rig', 'Rig', html`<figure class="rig-wrap">${rigSvg(take)}<figcaption>${rigCaption(take)}</figcaption></figure>`)}
<section id="timing" class="block"><h2>Timing</h2>
${join([chart('timeline'), chart('intervals'), chart('offsets'), chart('rates')])}
</section>
${tc ?? ''}
${sensorsSection(take)}
${checksTable(take)}
${filesTable(take, options.hashes)}
${provenance(take)}
${footer(take)}`;
  return renderDocument({ title: `${take.verdict} · ${take.take} · k4sync sync report`, body, charts: compiled });
}
