/** Clock rate of each sensor in ppm with its standard error; both segments when the rate changes part-way. */
import type { TakeAudit } from '../../../audit/types.js';
import { html } from '../html.js';
import { num, signed } from '../format.js';
import { CHART_WIDTH, COLORS } from './compile.js';
import type { Chart } from './chart.js';

const WHOLE = 'whole take';
const SEGMENT = 'segment following pulses';
const FREE = 'segment free-running';

export function ratesChart(take: TakeAudit): Chart | null {
  const rows: Record<string, unknown>[] = [];
  take.sensors.forEach((s, o) => {
    const segments = s.rateSegments.length > 1 ? s.rateSegments : [];
    if (segments.length > 0) {
      segments.forEach((g, i) => {
        rows.push({
          s: s.serial, o, i, c: g.freeRunning ? FREE : SEGMENT, r: g.ratePpm, lo: g.ratePpm - g.stdErrPpm, hi: g.ratePpm + g.stdErrPpm,
          label: `${signed(g.ratePpm)} ppm, frames ${g.fromFrame}–${g.toFrame}${g.freeRunning ? ' (free-running)' : ''}`,
        });
      });
    } else if (s.clockRatePpm !== null) {
      const se = s.clockRateStdErrPpm ?? 0;
      rows.push({ s: s.serial, o, i: 0, c: WHOLE, r: s.clockRatePpm, lo: s.clockRatePpm - se, hi: s.clockRatePpm + se, label: `${signed(s.clockRatePpm)} ± ${num(se)} ppm` });
    }
  });
  if (rows.length === 0) return null;
  const y = { field: 's', type: 'nominal', sort: { field: 'o', op: 'min' }, title: null, axis: { labelFont: 'ui-monospace, Menlo, Consolas, monospace', labelColor: COLORS.ink } } as const;
  const yOffset = { field: 'i', type: 'nominal', legend: null } as const;
  // Room on the right for the value labels, and zero always in view.
  const lo = Math.min(0, ...rows.map((r) => r.lo as number));
  const hi = Math.max(0, ...rows.map((r) => r.hi as number));
  const span = hi - lo || 1;
  const x = { type: 'quantitative', title: 'clock rate (ppm)', axis: { tickCount: 8 }, scale: { domain: [lo - span * 0.08, hi + span * 0.6], nice: false } } as const;
  const color = { field: 'c', type: 'nominal', title: null, scale: { domain: [WHOLE, SEGMENT, FREE], range: [COLORS.line, COLORS.line, COLORS.fail] } } as const;
  const twoSegments = rows.some((r) => r.c !== WHOLE);
  const tooltip = [{ field: 's', type: 'nominal', title: 'sensor' }, { field: 'label', type: 'nominal', title: 'rate' }];
  return {
    id: 'rates',
    title: 'Clock rates',
    caption: html`Each sensor's frame period against the nominal one, in parts per million (1 ppm = 3.6 ms per hour), with ±1 standard error.
For a subordinate this is its crystal measured against the pulses it follows: every crystal is a little off, so a spread of a few tens of ppm is normal.
${twoSegments ? html`<strong>A sensor whose rate changes part-way shows both segments; a free-running segment (red) is one in which it followed no pulses.</strong>` : ''}`,
    spec: {
      width: CHART_WIDTH,
      height: { step: twoSegments ? 34 : 24 },
      data: { values: rows },
      layer: [
        { data: { values: [{ z: 0 }] }, mark: { type: 'rule', color: COLORS.reference, strokeDash: [4, 3] }, encoding: { x: { field: 'z', ...x } } },
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, yOffset, x: { field: 'lo', ...x }, x2: { field: 'hi' }, color: { ...color, legend: null } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { y, yOffset, x: { field: 'r', ...x }, color: twoSegments ? color : { ...color, legend: null }, tooltip } },
        { mark: { type: 'text', align: 'left', dx: 9, color: COLORS.ink, fontSize: 11 }, encoding: { y, yOffset, x: { field: 'hi', ...x }, text: { field: 'label' } } },
      ],
    } as unknown as Chart['spec'],
  };
}
