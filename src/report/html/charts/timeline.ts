/** Every sensor's first and last frame on device time, the common window shaded, drops marked. */
import type { TakeAudit } from '../../../audit/types.js';
import { html } from '../html.js';
import { int, seconds } from '../format.js';
import { periodUs } from '../facts.js';
import { CHART_WIDTH, COLORS } from './compile.js';
import type { Chart } from './chart.js';

const X = { title: 'device time (s)', axis: { tickCount: 10 }, scale: { zero: false, nice: false } };
const IN_WINDOW = 'in the common window';
const OUTSIDE = 'not aligned with the reference';

export function timelineChart(take: TakeAudit): Chart | null {
  const spans = take.sensors.flatMap((s, o) =>
    s.firstDeviceTimestampUs === null || s.lastDeviceTimestampUs === null
      ? []
      : [{
          s: s.serial,
          o,
          a: s.firstDeviceTimestampUs / 1e6,
          b: s.lastDeviceTimestampUs / 1e6,
          k: s.serial === take.reference || s.window !== null ? IN_WINDOW : OUTSIDE,
          n: s.frames,
        }],
  );
  if (spans.length === 0) return null;
  const drops = take.sensors.flatMap((s, o) =>
    s.drops.map((d) => {
      const p = periodUs(s.fps) ?? 0;
      return { s: s.serial, o, t: d.deviceTimestampUs / 1e6, t2: (d.deviceTimestampUs + p * d.count) / 1e6, n: d.count, f: d.frameIndex };
    }),
  );
  const w = take.window;
  const kinds = [IN_WINDOW, OUTSIDE].filter((k) => spans.some((s) => s.k === k));
  const layers: unknown[] = [];
  if (w) {
    layers.push({
      data: { values: [{ a: w.startUs / 1e6, b: w.endUs / 1e6 }] },
      mark: { type: 'rect', color: COLORS.window, opacity: 0.9, stroke: '#a4bcfd', strokeDash: [4, 3], strokeWidth: 1 },
      encoding: {
        x: { field: 'a', type: 'quantitative', ...X },
        x2: { field: 'b' },
        tooltip: [
          { field: 'a', type: 'quantitative', title: 'window start (s)', format: '.3f' },
          { field: 'b', type: 'quantitative', title: 'window end (s)', format: '.3f' },
        ],
      },
    });
  }
  layers.push({
    data: { values: spans },
    mark: { type: 'bar', height: 14, cornerRadius: 2 },
    encoding: {
      y: { field: 's', type: 'nominal', sort: { field: 'o', op: 'min' }, title: null, axis: { labelFont: 'ui-monospace, Menlo, Consolas, monospace', labelFontSize: 11, labelColor: COLORS.ink } },
      x: { field: 'a', type: 'quantitative', ...X },
      x2: { field: 'b' },
      color: {
        field: 'k',
        type: 'nominal',
        title: null,
        scale: { domain: kinds, range: kinds.map((k) => (k === IN_WINDOW ? COLORS.line : COLORS.fail)) },
        legend: kinds.length > 1 ? {} : null,
      },
      tooltip: [
        { field: 's', type: 'nominal', title: 'sensor' },
        { field: 'a', type: 'quantitative', title: 'first frame (s)', format: '.3f' },
        { field: 'b', type: 'quantitative', title: 'last frame (s)', format: '.3f' },
        { field: 'n', type: 'quantitative', title: 'frames' },
      ],
    },
  });
  if (drops.length > 0) {
    layers.push({
      data: { values: drops },
      mark: { type: 'tick', color: COLORS.warn, thickness: 3, size: 22 },
      encoding: {
        y: { field: 's', type: 'nominal', sort: { field: 'o', op: 'min' } },
        x: { field: 't', type: 'quantitative', ...X },
        tooltip: [
          { field: 's', type: 'nominal', title: 'sensor' },
          { field: 'n', type: 'quantitative', title: 'frames dropped' },
          { field: 'f', type: 'quantitative', title: 'first missing frame' },
          { field: 't', type: 'quantitative', title: 'device time (s)', format: '.3f' },
        ],
      },
    });
  }
  const outside = spans.filter((s) => s.k === OUTSIDE).map((s) => s.s);
  const caption = html`Device time of each sensor's first and last frame${drops.length > 0 ? ', with dropped frames marked in orange' : ''}.
${w ? html`The shaded band is the common window every aligned sensor covers: ${int(w.frames)} frames, ${seconds(w.endUs - w.startUs, 2)}.` : 'No common window: there is no reference or no overlap.'}
${outside.length > 0 ? html`<span class="bad">${outside.join(', ')}</span> ${outside.length === 1 ? 'is' : 'are'} not aligned with the reference and not part of the window.` : ''}
Each sensor counts its own device time; sensors that share the reference's time base line up to within microseconds.`;
  return {
    id: 'timeline',
    title: 'Timeline',
    caption,
    spec: {
      width: CHART_WIDTH,
      height: { step: 26 },
      layer: layers,
    } as Chart['spec'],
  };
}
