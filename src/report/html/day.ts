/** A shoot day's index page: every take with its verdict, linking to its own report. No script. */
import type { AuditReport, TakeAudit } from '../../audit/types.js';
import { html, safeHref, type Html } from './html.js';
import { checkName, issues, SYNC_SOURCE_NAMES } from './facts.js';
import { int, plural, seconds, utc } from './format.js';
import { renderDocument } from './document.js';

export interface TakeLink {
  take: string;
  href: string;
}

function linkFor(take: TakeAudit, i: number, links: TakeLink[]): TakeLink | undefined {
  const same = links[i];
  return same && same.take === take.take ? same : links.find((l) => l.take === take.take);
}

function firstIssue(take: TakeAudit): Html {
  const list = issues(take);
  const top = list[0];
  if (!top) return html`<span class="take-issue">—</span>`;
  const more = list.length > 1 ? ` (+${list.length - 1} more)` : '';
  return html`<span class="take-issue"><strong>${checkName(top.id)}</strong>${top.sensor !== null ? html` <span class="mono">${top.sensor}</span>` : ''}: ${top.message}${more}</span>`;
}

export function renderDayIndex(report: AuditReport, links: TakeLink[]): string {
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const t of report.takes) counts[t.verdict]++;
  const v = report.verdict;
  const audited = report.takes[0]?.auditedAt;
  const version = report.takes[0]?.k4syncVersion;
  const rows = report.takes.map((t, i) => {
    const link = linkFor(t, i, links);
    const name = link ? html`<a class="take-name" href="${safeHref(link.href)}">${t.take}</a>` : html`<span class="take-name">${t.take}</span>`;
    return html`<tr><td><span class="pill pill-${t.verdict.toLowerCase()}">${t.verdict}</span></td><td>${name}</td><td class="num">${int(t.sensors.length)}</td><td class="num">${t.fps === null ? '—' : t.fps}</td><td>${SYNC_SOURCE_NAMES[t.syncSource]}</td><td class="num">${t.window ? seconds(t.window.endUs - t.window.startUs, 2) : '—'}</td><td>${firstIssue(t)}</td></tr>`;
  });
  const parts = (['FAIL', 'WARN', 'PASS'] as const).filter((k) => counts[k] > 0).map((k) => `${int(counts[k])} ${k === 'FAIL' ? 'failed' : k === 'WARN' ? 'warned' : 'passed'}`);
  const lead = v === 'PASS' ? 'Every take is synchronized.' : v === 'WARN' ? 'Every take is usable; some have warnings.' : 'At least one take is not synchronized or not complete.';
  const body = html`<header class="top"><div class="brand">k4sync · shoot-day report</div><h1>${plural(report.takes.length, 'take')}</h1>
<dl class="facts">${audited ? html`<div><dt>Audited</dt><dd>${utc(audited)}</dd></div>` : ''}${version ? html`<div><dt>k4sync</dt><dd>${version}</dd></div>` : ''}</dl></header>
<section class="verdict verdict-${v.toLowerCase()}" aria-label="Verdict"><div class="verdict-word">${v}</div>
<div class="verdict-text"><p class="verdict-lead">${lead}</p><p class="verdict-sub">${parts.join(', ') || 'no take'}.</p></div></section>
<section class="block"><h2>Takes</h2>
<table class="data takes"><thead><tr><th>Verdict</th><th>Take</th><th class="num">Sensors</th><th class="num">fps</th><th>Sync</th><th class="num">Window</th><th>First issue</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="dim small">Each take's report is a separate, self-contained file beside this one.</p></section>
<footer class="foot">Made by k4sync${version ? ` ${version}` : ''} (schema <span class="mono">${report.schema}</span>). This file is self-contained: it loads nothing.</footer>`;
  return renderDocument({ title: `${v} · shoot day · k4sync`, body });
}
