/** Per sensor, the device time between consecutive delivered frames over the take: drops and lost lock marked. */
import type { TakeAudit } from '../../../audit/types.js';
import { html } from '../html.js';
import { num } from '../format.js';
import { periodUs } from '../facts.js';
import { CHART_WIDTH, COLORS } from './compile.js';
import type { Chart } from './chart.js';

/** Row label of a sensor in the small multiples: serial and role (values from the file, drawn as SVG text). */
export function rowLabel(serial: string, role: string): string {
  return `${serial} · ${role}`;
}

/**
 * Rows carry only the sensor's index `o`; its label is joined in by a lookup, so that a serial is written once per
 * sensor rather than once per point (a one-minute take has thousands of points per sensor).
 */
/**
 * One row per sensor, each with its own y scale: one sensor far off (milliseconds) must not flatten the others.
 */
export function rowPerSensor(rows: unknown[], labels: { o: number; h: string }[], layer: unknown[], height: number): Chart['spec'] {
  return {
    data: { values: rows },
    transform: rowLabels(labels),
    facet: { row: { field: 'h', type: 'nominal', sort: { field: 'o', op: 'min' }, title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFont: 'ui-monospace, Menlo, Consolas, monospace', labelPadding: 4 } } },
    spacing: 14,
    resolve: { scale: { y: 'independent' } },
    spec: { width: CHART_WIDTH, height, layer },
  } as unknown as Chart['spec'];
}

export function rowLabels(labels: { o: number; h: string }[]): unknown[] {
  return [{ lookup: 'o', from: { data: { values: labels }, key: 'o', fields: ['h'] } }];
}

const ROW_HEIGHT = 64;

export function intervalsChart(take: TakeAudit): Chart | null {
  const rows: Record<string, unknown>[] = [];
  const labels: { o: number; h: string }[] = [];
  take.sensors.forEach((s, o) => {
    if (!s.series || s.series.frameIndex.length === 0) return;
    labels.push({ o, h: rowLabel(s.serial, s.role === 'unknown' ? 'unreadable' : s.role) });
    const { frameIndex, intervalUs } = s.series;
    for (let i = 0; i < frameIndex.length; i++) {
      const v = intervalUs[i];
      if (v === undefined || !Number.isFinite(v)) continue;
      rows.push({ k: 'i', o, f: frameIndex[i], v: Math.round(v) / 1000 });
    }
    const p = periodUs(s.fps);
    if (p !== null) rows.push({ k: 'p', o, v: p / 1000 });
    for (const d of s.drops) rows.push({ k: 'd', o, f: d.frameIndex, n: d.count, label: `${d.count} dropped` });
    if (s.lockLostAtFrame !== null) rows.push({ k: 'l', o, f: s.lockLostAtFrame, label: 'sync lost' });
  });
  if (rows.length === 0) return null;
  const x = { field: 'f', type: 'quantitative', title: 'frame', scale: { zero: false, nice: false } } as const;
  const only = (k: string) => [{ filter: { field: 'k', equal: k } }];
  const layer = [
    {
      transform: only('p'),
      mark: { type: 'rule', color: COLORS.reference, strokeDash: [4, 3] },
      encoding: { y: { field: 'v', type: 'quantitative' } },
    },
    {
      transform: only('i'),
      mark: { type: 'line', color: COLORS.line, strokeWidth: 1, interpolate: 'linear' },
      encoding: {
        x,
        y: { field: 'v', type: 'quantitative', title: null, scale: { zero: false }, axis: { tickCount: 3, format: '.2f', labelExpr: "datum.label + ' ms'" } },
        tooltip: [
          { field: 'f', type: 'quantitative', title: 'frame' },
          { field: 'v', type: 'quantitative', title: 'interval (ms)', format: '.3f' },
        ],
      },
    },
    {
      transform: only('d'),
      mark: { type: 'rule', color: COLORS.warn, strokeWidth: 2 },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal', title: 'drop' }, { field: 'f', type: 'quantitative', title: 'first missing frame' }] },
    },
    {
      transform: only('d'),
      mark: { type: 'text', color: COLORS.warn, align: 'left', dx: 4, dy: 8, fontWeight: 600 },
      encoding: { x, y: { value: 0 }, text: { field: 'label' } },
    },
    {
      transform: only('l'),
      mark: { type: 'rule', color: COLORS.lost, strokeWidth: 2, strokeDash: [5, 3] },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal', title: 'event' }, { field: 'f', type: 'quantitative', title: 'frame' }] },
    },
    {
      transform: only('l'),
      mark: { type: 'text', color: COLORS.lost, align: 'left', dx: 4, dy: 8, fontWeight: 600 },
      encoding: { x, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
  const fps = take.fps;
  const period = periodUs(fps);
  const caption = html`Device time from each delivered frame to the one before it, on the sensor's own clock${period !== null ? html` (nominal ${num(period / 1000, 3)} ms at ${fps} fps, dashed)` : ''}.
A dropped frame shows as a step to a multiple of the period (orange); where a subordinate stopped following the sync pulses, a violet line marks it. Each row has its own scale; long takes are thinned, keeping every extreme.`;
  return {
    id: 'intervals',
    title: 'Frame interval',
    caption,
    spec: rowPerSensor(rows, labels, layer, ROW_HEIGHT),
  };
}
