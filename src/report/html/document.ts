/** The HTML document around a report: one file, its stylesheet and scripts inline, a policy that forbids any load. */
import { html, scriptBody, scriptJson, trusted, type Html } from './html.js';
import { STYLES } from './styles.js';
import { BOOTSTRAP, vegaRuntime } from './charts/runtime.js';

/** Marks every page k4sync writes: the one kind of existing file a report may replace (write.ts). */
export const GENERATOR_META = '<meta name="generator" content="k4sync">';

/**
 * Content-Security-Policy: nothing may be fetched, framed or submitted; only the inline style and scripts run (vega compiles its expressions with Function, hence 'unsafe-eval'). A
 * browser that honours it blocks any request the page could make, even one a future vega feature would try.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'; img-src data:; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'";

export interface DocumentParts {
  title: string;
  body: Html;
  /** Compiled Vega specs by chart id; when absent or empty the page carries no script at all. */
  charts?: Record<string, unknown>;
}

export function renderDocument(parts: DocumentParts): string {
  const charts = parts.charts && Object.keys(parts.charts).length > 0 ? parts.charts : null;
  const scripts = charts
    ? html`<script type="application/json" id="k4s-charts">${scriptJson(charts)}</script>
<script>${scriptBody(vegaRuntime())}</script>
<script>${scriptBody(BOOTSTRAP)}</script>`
    : '';
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
${trusted(GENERATOR_META)}
<title>${parts.title}</title>
<style>${trusted(STYLES)}</style>
</head>
<body>
<main class="page">
${parts.body}
</main>
${scripts}
</body>
</html>
`.value;
}
