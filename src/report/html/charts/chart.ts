/** A chart of the report: its Vega-Lite spec and the server-side markup around it (title, caption, fallback). */
import type { TopLevelSpec } from 'vega-lite';
import { html, type Html } from '../html.js';

export interface Chart {
  /** Stable id: the container's data-chart attribute and the key of its compiled spec. */
  id: string;
  title: string;
  /** What the chart shows and how to read it, as server-side HTML (readable without JavaScript). */
  caption: Html;
  spec: TopLevelSpec;
}

/** The figure a chart is drawn into; without JavaScript it says where the same figures are in the tables. */
export function chartFigure(chart: Chart): Html {
  return html`<figure class="chart" id="chart-${chart.id}">
<figcaption><strong>${chart.title}.</strong> ${chart.caption}</figcaption>
<div class="chart-view" data-chart="${chart.id}" role="img" aria-label="${chart.title}"><noscript><p class="fallback">This chart needs JavaScript; its figures are in the sensor tables below.</p></noscript></div>
</figure>`;
}
