/** The record for the deliverables: every check, the files with their fingerprints, the thresholds, provenance. */
import type { TakeAudit, Thresholds } from '../../audit/types.js';
import { html, type Html } from './html.js';
import { basename, bytes, figure, folder, int, utc } from './format.js';
import { checkName } from './facts.js';

export function checksTable(take: TakeAudit): Html {
  return html`<section id="checks" class="block">
<h2>All checks</h2>
<table class="data checks"><thead><tr><th>Status</th><th>Check</th><th>Sensor</th><th>Finding</th><th class="num">Value</th><th class="num">Threshold</th></tr></thead>
<tbody>${take.checks.map(
    (c) => html`<tr><td><span class="pill pill-${c.status.toLowerCase()}">${c.status === 'NOT_MEASURABLE' ? 'N/M' : c.status}</span></td><td>${checkName(c.id)}</td><td class="mono">${c.sensor ?? 'rig'}</td><td>${c.message}</td><td class="num">${figure(c.value)}</td><td class="num">${figure(c.threshold)}</td></tr>`,
  )}</tbody></table>
<p class="dim small">N/M: not measurable from these files; it does not change the verdict.</p>
</section>`;
}

/** "sha256-edges:c6ed…" as the method (dim) over the digest. */
function fingerprint(fp: string): Html {
  const i = fp.indexOf(':');
  return i > 0 && i < 40 ? html`<span class="dim">${fp.slice(0, i + 1)}</span><br>${fp.slice(i + 1)}` : html`${fp}`;
}

/**
 * `hashes` (file path as in the audit → xxh64 as its ASC MHL records it) adds an xxh64 column: the report of an
 * offload shows the very hashes its drive's history holds, so one can be checked against the other.
 */
export function filesTable(take: TakeAudit, hashes?: ReadonlyMap<string, string>): Html {
  return html`<section id="files" class="block">
<h2>Files</h2>
<table class="data files"><thead><tr><th>File</th><th>Sensor</th><th class="num">Size</th><th>Modified</th><th>Fingerprint</th>${hashes ? html`<th>xxh64 (ASC MHL)</th>` : ''}</tr></thead>
<tbody>${take.sensors.map((s) => {
    const f = s.fileInfo;
    return html`<tr><td><span class="mono">${basename(s.file)}</span>${folder(s.file) ? html`<div class="dim small mono path">${folder(s.file)}</div>` : ''}</td><td class="mono">${s.serial}</td>
<td class="num">${f ? html`${bytes(f.bytes)}<div class="dim small">${int(f.bytes)} bytes</div>` : '—'}</td><td>${f ? utc(f.modified) : '—'}</td><td class="mono fingerprint">${f ? fingerprint(f.fingerprint) : '—'}</td>${hashes ? html`<td class="mono xxh64">${hashes.get(s.file) ?? '—'}</td>` : ''}</tr>`;
  })}</tbody></table>
</section>`;
}

function thresholdRows(t: Thresholds): [string, string][] {
  const tol = Object.entries(t.offsetToleranceUs)
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([fps, v]) => `${figure(v)} µs at ${fps} fps`)
    .join(', ');
  return [
    ['Offset tolerance', tol],
    ['Drops that fail a take', `more than ${figure(t.dropFailFraction * 100)} % of a sensor's frames (any drop warns)`],
    ['Jitter warning', `${figure(t.jitterWarnTicks)} ticks (90 kHz)`],
    ['Implausible clock rate', `${figure(t.implausibleRatePpm)} ppm`],
    ['Minimum depth spacing', `${figure(t.minDepthSpacingUs)} µs`],
    ['Colour to depth tolerance', `${figure(t.colorDepthToleranceUs)} µs`],
  ];
}

export function provenance(take: TakeAudit): Html {
  return html`<section id="record" class="block record">
<h2>Thresholds and provenance</h2>
<div class="kv-grid two">
<table class="kv"><caption>Thresholds used</caption><tbody>${thresholdRows(take.thresholds).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
<table class="kv"><caption>Audit</caption><tbody>
<tr><th scope="row">Take</th><td class="mono">${take.take}</td></tr>
<tr><th scope="row">Audited</th><td>${utc(take.auditedAt)}</td></tr>
<tr><th scope="row">k4sync</th><td>${take.k4syncVersion}</td></tr>
<tr><th scope="row">Schema</th><td class="mono">${take.schema}</td></tr>
</tbody></table>
</div>
</section>`;
}

export function footer(take: TakeAudit): Html {
  return html`<footer class="foot">Made by k4sync ${take.k4syncVersion} from the audit of ${utc(take.auditedAt)} (schema <span class="mono">${take.schema}</span>). This file is self-contained: it loads nothing.</footer>`;
}
