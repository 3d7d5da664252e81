/**
 * Vega-Lite specs are compiled to Vega here, in Node, when the report is made: the page then needs only the vega
 * runtime, not vega-lite and vega-embed. The compiled spec carries its data inline; it loads nothing.
 */
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Chart width in px (the inner plot); the SVG scales down with the page (print, narrow windows) by its viewBox. */
export const CHART_WIDTH = 840;

export const COLORS = {
  ink: '#1d2939',
  muted: '#667085',
  grid: '#eaecf0',
  line: '#3e6b9e',
  reference: '#98a2b3',
  fail: '#d92d20',
  warn: '#dc6803',
  pass: '#079455',
  band: '#d1fadf',
  window: '#e0eaff',
  lost: '#7a5af8',
};

const CONFIG: Config = {
  font: FONT,
  background: '#ffffff',
  padding: 4,
  view: { stroke: null },
  axis: {
    labelColor: COLORS.muted,
    titleColor: COLORS.ink,
    titleFontWeight: 600,
    titleFontSize: 11,
    labelFontSize: 11,
    gridColor: COLORS.grid,
    domainColor: '#d0d5dd',
    tickColor: '#d0d5dd',
  },
  header: { labelFontSize: 12, labelColor: COLORS.ink, labelFontWeight: 600, titleFontSize: 11 },
  legend: { labelLimit: 0, labelColor: COLORS.muted, labelFontSize: 11, titleFontSize: 11, titleColor: COLORS.ink, orient: 'top', direction: 'horizontal' },
  text: { font: FONT, fontSize: 11 },
};

/** Compiles a Vega-Lite spec to a Vega spec object, without the $schema URL (the report names no address). */
export function toVega(spec: TopLevelSpec): Record<string, unknown> {
  const { $schema: _schema, ...vega } = compile(spec, { config: CONFIG }).spec as Record<string, unknown>;
  return vega;
}
