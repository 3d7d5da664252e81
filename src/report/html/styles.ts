/** The report's stylesheet: screen first, then print (A4 and Letter alike: the paper size is left to the printer). */
export const STYLES = `
:root {
  --ink: #1d2939; --muted: #667085; --faint: #98a2b3; --rule: #eaecf0; --rule-strong: #d0d5dd; --paper: #ffffff; --desk: #f2f4f7;
  --fail: #b42318; --fail-bg: #fef3f2; --fail-line: #fda29b;
  --warn: #b54708; --warn-bg: #fffaeb; --warn-line: #fec84b;
  --pass: #067647; --pass-bg: #ecfdf3; --pass-line: #75e0a7;
  --nm: #475467; --nm-bg: #f2f4f7; --nm-line: #d0d5dd;
  --accent: #3e6b9e;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--desk); color: var(--ink); font: 15px/1.5 var(--sans); font-variant-numeric: tabular-nums; }
.page { max-width: 1060px; margin: 0 auto; padding: 22px 36px 36px; background: var(--paper); min-height: 100vh; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 26px; font-weight: 700; letter-spacing: -0.01em; word-break: break-word; }
h2 { font-size: 19px; font-weight: 650; margin: 0 0 10px; padding-top: 6px; }
h3 { font-size: 15px; font-weight: 650; }
p { margin: 0 0 8px; }
.mono { font-family: var(--mono); font-size: 0.93em; }
.dim { color: var(--muted); }
.small { font-size: 12.5px; }
.bad { color: var(--fail); font-weight: 600; }
.good { color: var(--pass); font-weight: 600; }
.unit { color: var(--muted); font-weight: 400; }
a { color: var(--accent); }

/* Header */
.top { padding-bottom: 10px; border-bottom: 1px solid var(--rule); margin-bottom: 14px; }
.brand { font-size: 12px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted); margin-bottom: 3px; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 26px; margin: 6px 0 0; font-size: 13.5px; }
.facts div { display: flex; gap: 6px; white-space: nowrap; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }

/* Verdict */
.verdict { display: flex; align-items: stretch; border: 1px solid; border-radius: 10px; overflow: hidden; margin-bottom: 14px; }
.verdict-word { display: flex; align-items: center; justify-content: center; min-width: 132px; padding: 14px 22px; color: #fff; font-size: 30px; font-weight: 800; letter-spacing: 0.06em; }
.verdict-text { padding: 12px 20px; display: flex; flex-direction: column; justify-content: center; }
.verdict-lead { font-size: 18px; font-weight: 650; margin: 0 0 2px; }
.verdict-sub { margin: 0; color: var(--ink); }
.verdict-fail { border-color: var(--fail-line); background: var(--fail-bg); } .verdict-fail .verdict-word { background: var(--fail); } .verdict-fail .verdict-lead { color: var(--fail); }
.verdict-warn { border-color: var(--warn-line); background: var(--warn-bg); } .verdict-warn .verdict-word { background: var(--warn); } .verdict-warn .verdict-lead { color: var(--warn); }
.verdict-pass { border-color: var(--pass-line); background: var(--pass-bg); } .verdict-pass .verdict-word { background: var(--pass); } .verdict-pass .verdict-lead { color: var(--pass); }

/* Issues */
.issues { margin-bottom: 8px; }
.issue { border: 1px solid var(--rule-strong); border-left: 5px solid; border-radius: 8px; padding: 10px 16px 10px 14px; margin-bottom: 10px; background: var(--paper); }
.issue-fail { border-left-color: var(--fail); } .issue-warn { border-left-color: var(--warn); }
.issue header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 4px; }
.issue-check { font-weight: 650; font-size: 16px; }
.issue-sensor { font-weight: 700; font-size: 15px; }
.issue-body { display: flex; gap: 20px; align-items: flex-start; justify-content: space-between; }
.issue-message { margin: 0 0 6px; flex: 1; }
.measure { display: flex; gap: 16px; margin: 0; flex: none; text-align: right; }
.measure dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.measure dd { margin: 0; font-weight: 700; font-size: 16px; white-space: nowrap; }
.remedy { margin: 4px 0 2px; padding: 7px 12px; border-radius: 6px; background: var(--desk); }
.issue-fail .remedy { background: var(--fail-bg); } .issue-warn .remedy { background: var(--warn-bg); }
.all-clear { color: var(--pass); font-weight: 600; }
.unmeasured { margin-top: 6px; font-size: 13px; color: var(--muted); }
.unmeasured h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin-bottom: 4px; }
.unmeasured ul { margin: 0; padding: 0; list-style: none; }
.unmeasured li { margin-bottom: 3px; }

/* Pills, chips and tags */
.pill { display: inline-block; min-width: 44px; text-align: center; padding: 1px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 700; letter-spacing: 0.04em; border: 1px solid; }
.pill-fail { color: #fff; background: var(--fail); border-color: var(--fail); }
.pill-warn { color: #fff; background: var(--warn); border-color: var(--warn); }
.pill-pass { color: var(--pass); background: var(--pass-bg); border-color: var(--pass-line); }
.pill-not_measurable { color: var(--nm); background: var(--nm-bg); border-color: var(--nm-line); }
.tag { display: inline-block; padding: 0 8px; border-radius: 4px; background: var(--desk); color: var(--muted); font-size: 12px; font-weight: 600; }
.chips { display: flex; flex-wrap: wrap; gap: 5px; margin: 6px 0 8px; }
.chip { font-size: 11.5px; padding: 0 8px; border-radius: 4px; border: 1px solid; }
.chip-pass { color: var(--pass); border-color: var(--pass-line); background: var(--pass-bg); }
.chip-warn { color: var(--warn); border-color: var(--warn-line); background: var(--warn-bg); font-weight: 600; }
.chip-fail { color: var(--fail); border-color: var(--fail-line); background: var(--fail-bg); font-weight: 600; }
.chip-not_measurable { color: var(--nm); border-color: var(--nm-line); background: var(--nm-bg); }

/* Sections */
.block { margin: 26px 0 0; }
.lede { color: var(--muted); font-size: 13.5px; max-width: 80ch; }
.toc { margin-top: 14px !important; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; margin: 4px 0 0; padding: 0; list-style: none; }
.toc a { text-decoration: none; }

/* Rig and charts */
.rig-wrap { margin: 0; }
.rig { display: block; max-width: 100%; height: auto; margin: 4px 0 8px; }
.rig .rig-frame { fill: var(--paper); stroke: var(--faint); stroke-width: 1.5; }
.rig .rig-bar { fill: var(--faint); }
.rig .rig-fail .rig-frame { stroke: var(--fail); fill: var(--fail-bg); } .rig .rig-fail .rig-bar { fill: var(--fail); }
.rig .rig-warn .rig-frame { stroke: var(--warn); fill: var(--warn-bg); } .rig .rig-warn .rig-bar { fill: var(--warn); }
.rig .rig-pass .rig-bar { fill: var(--pass); }
.rig .rig-gen .rig-frame { stroke-dasharray: 5 3; fill: var(--desk); }
.rig .rig-role { font: 600 10px var(--sans); letter-spacing: 0.08em; fill: var(--muted); }
.rig .rig-name { font: 700 14px var(--mono); fill: var(--ink); }
.rig .rig-note { font: 12px var(--sans); fill: var(--muted); }
.rig .rig-fail .rig-note { fill: var(--fail); font-weight: 600; } .rig .rig-warn .rig-note { fill: var(--warn); font-weight: 600; }
.rig .rig-cable { fill: none; stroke: #475467; stroke-width: 2; }
.rig .rig-cable-bad { stroke: #d92d20; stroke-dasharray: 6 4; }
figure { margin: 0; }
figcaption { font-size: 13.5px; color: var(--muted); max-width: 88ch; margin-bottom: 6px; }
figcaption strong { color: var(--ink); }
.chart { margin: 0 0 26px; }
.chart-view { min-height: 40px; }
.chart-view svg { display: block; max-width: 100%; height: auto; }
.chart-view.is-broken { color: var(--fail); font-size: 13px; }
.fallback { font-size: 13px; color: var(--muted); border: 1px dashed var(--rule-strong); border-radius: 6px; padding: 8px 12px; }

/* Tables */
table { border-collapse: collapse; }
.data { width: 100%; font-size: 13px; }
.data caption, .kv caption { text-align: left; font-weight: 650; font-size: 13px; padding: 0 0 4px; }
.data th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--rule-strong); padding: 5px 8px; white-space: nowrap; }
.data td { border-bottom: 1px solid var(--rule); padding: 6px 8px; vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
.data th.num { text-align: right; }
.checks td:nth-child(2), .checks td:nth-child(3) { white-space: nowrap; }
.files .fingerprint { word-break: break-all; font-size: 11.5px; width: 32.5ch; }
.files .path { overflow-wrap: anywhere; }
.files td:nth-child(4) { white-space: nowrap; }
.sensor { border-top: 1px solid var(--rule); padding: 14px 0 6px; }
.sensor-head { display: flex; align-items: center; gap: 8px; }
.sensor-head h3 { font-size: 16px; margin-right: 4px; }
.kv-grid { align-items: start; display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 22px; margin-bottom: 8px; }
.kv-grid.two { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.kv { width: 100%; font-size: 13px; }
.kv th { text-align: left; font-weight: 400; color: var(--muted); padding: 3px 10px 3px 0; vertical-align: top; white-space: nowrap; border-bottom: 1px solid var(--rule); }
.kv td { vertical-align: top; padding: 3px 0; border-bottom: 1px solid var(--rule); word-break: break-word; }
.drops { max-width: 640px; margin: 4px 0 6px; }
.tc { max-width: 760px; margin-bottom: 12px; }
.foot { margin-top: 30px; padding-top: 10px; border-top: 1px solid var(--rule); font-size: 12px; color: var(--muted); }

/* Day index */
.takes td { vertical-align: middle; }
.takes .take-name { font-weight: 650; font-size: 14px; white-space: nowrap; }
.takes .take-issue { color: var(--muted); font-size: 12.5px; }

@media (max-width: 820px) {
  .page { padding: 16px; }
  .top { flex-direction: column; align-items: flex-start; }
  .kv-grid, .kv-grid.two { grid-template-columns: 1fr; }
  .issue-body { flex-direction: column; gap: 4px; }
  .measure { text-align: left; }
}

@page { margin: 14mm 12mm 14mm 12mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; padding: 0; min-height: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3, .sensor-head, figcaption { break-after: avoid; page-break-after: avoid; }
  .verdict, .issue, .rig-wrap, .chart, .kv, .kv-grid, .drops, .record, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .chart-view svg { width: 100% !important; height: auto !important; }
  .toc { display: none; }
  a { color: inherit; text-decoration: none; }
  .files .fingerprint { width: 26ch; }
}
`;
