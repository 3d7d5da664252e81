/** The first screen: the verdict, then every check that failed or warned with its value, threshold and remedy. */
import type { Check, TakeAudit } from '../../audit/types.js';
import { html, join, type Html } from './html.js';
import { checkName, checkUnit, issues } from './facts.js';
import { figure, plural } from './format.js';

const VERDICT_WORDS = {
  PASS: 'Synchronized and complete.',
  WARN: 'Usable, with warnings worth a look.',
  FAIL: 'Not synchronized or not complete.',
} as const;

/** "2 checks failed (000200000004)" and the like: what the banner says under the verdict. */
function summary(take: TakeAudit): Html {
  const failed = take.checks.filter((c) => c.status === 'FAIL');
  const warned = take.checks.filter((c) => c.status === 'WARN');
  const who = (cs: Check[]) => {
    const sensors = [...new Set(cs.map((c) => c.sensor ?? 'rig'))];
    return html` on <span class="mono">${sensors.join(', ')}</span>`;
  };
  const parts: Html[] = [];
  if (failed.length > 0) parts.push(html`${plural(failed.length, 'check')} failed${who(failed)}`);
  if (warned.length > 0) parts.push(html`${plural(warned.length, 'check')} warned${who(warned)}`);
  if (parts.length === 0) parts.push(html`All ${plural(take.checks.filter((c) => c.status === 'PASS').length, 'check')} passed`);
  const unmeasured = take.checks.filter((c) => c.status === 'NOT_MEASURABLE').length;
  if (unmeasured > 0) parts.push(html`${plural(unmeasured, 'check')} could not be measured from these files`);
  return join(parts, '; ');
}

export function verdictBanner(take: TakeAudit): Html {
  const v = take.verdict;
  return html`<section class="verdict verdict-${v.toLowerCase()}" aria-label="Verdict">
<div class="verdict-word">${v}</div>
<div class="verdict-text"><p class="verdict-lead">${VERDICT_WORDS[v]}</p><p class="verdict-sub">${summary(take)}.</p></div>
</section>`;
}

function measure(c: Check): Html {
  if (c.value === null && c.threshold === null) return html``;
  const u = checkUnit(c);
  const unit = (s: string) => (s ? html` <span class="unit">${s}</span>` : '');
  return html`<dl class="measure">
<div><dt>measured</dt><dd>${figure(c.value)}${c.value !== null ? unit(u.value) : ''}</dd></div>
${c.threshold !== null ? html`<div><dt>${u.thresholdLabel}</dt><dd>${figure(c.threshold)}${unit(u.threshold)}</dd></div>` : ''}
</dl>`;
}

function issueCard(c: Check): Html {
  const s = c.status.toLowerCase();
  return html`<article class="issue issue-${s}">
<header><span class="pill pill-${s}">${c.status}</span> <span class="issue-check">${checkName(c.id)}</span>${c.sensor !== null ? html` <span class="issue-sensor mono">${c.sensor}</span>` : html` <span class="issue-sensor">whole rig</span>`}</header>
<div class="issue-body"><p class="issue-message">${c.message}</p>${measure(c)}</div>
${c.remedy !== null ? html`<p class="remedy"><strong>What to do:</strong> ${c.remedy}</p>` : ''}
</article>`;
}

/** Failed and warned checks, failures first; NOT_MEASURABLE checks as a short note, so nobody reads them as fine. */
export function issuesSection(take: TakeAudit): Html {
  const list = issues(take);
  const unmeasured = take.checks.filter((c) => c.status === 'NOT_MEASURABLE');
  return html`<section id="issues" class="block issues" aria-label="Checks that failed or warned">
${join(list.map(issueCard))}
${unmeasured.length > 0
    ? html`<div class="unmeasured"><h3>Not measured</h3><ul>${unmeasured.map(
        (c) => html`<li><span class="pill pill-not_measurable">N/M</span> <strong>${checkName(c.id)}</strong>${c.sensor !== null ? html` <span class="mono">${c.sensor}</span>` : ''}: ${c.message}</li>`,
      )}</ul></div>`
    : ''}
</section>`;
}
