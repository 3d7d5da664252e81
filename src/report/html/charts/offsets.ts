/** Per sensor, its frames' offset from the reference (clock-rate corrected, expected offset removed) against ±tolerance. */
import type { TakeAudit } from '../../../audit/types.js';
import { html } from '../html.js';
import { figure, signed } from '../format.js';
import { offsetTolerance } from '../facts.js';
import { COLORS } from './compile.js';
import type { Chart } from './chart.js';
import { rowLabel, rowPerSensor } from './intervals.js';

const ROW_HEIGHT = 84;

export function offsetsChart(take: TakeAudit): Chart | null {
  const tol = offsetTolerance(take);
  const rows: Record<string, unknown>[] = [];
  const shifted: string[] = [];
  const labels: { o: number; h: string }[] = [];
  take.sensors.forEach((s, o) => {
    if (!s.series || s.serial === take.reference) return;
    const { frameIndex, offsetResidualUs } = s.series;
    let any = false;
    for (let i = 0; i < frameIndex.length; i++) {
      const r = offsetResidualUs[i];
      if (r === null || r === undefined || !Number.isFinite(r)) continue;
      rows.push({ k: 'r', o, f: frameIndex[i], r: Math.round(r * 100) / 100, ...(tol !== null && Math.abs(r) > tol ? { out: 1 } : {}) });
      any = true;
    }
    if (!any) return;
    labels.push({ o, h: rowLabel(s.serial, s.role === 'unknown' ? 'unreadable' : s.role) });
    if (tol !== null) rows.push({ k: 'b', o });
    if (s.lockLostAtFrame !== null) rows.push({ k: 'l', o, f: s.lockLostAtFrame, label: 'sync lost' });
    if (s.offset?.frameShift) shifted.push(`${s.serial} (${signed(s.offset.frameShift, 0)})`);
  });
  if (rows.length === 0) return null;
  const x = { field: 'f', type: 'quantitative', title: 'frame', scale: { zero: false, nice: false } } as const;
  const only = (k: string) => [{ filter: { field: 'k', equal: k } }];
  const layer: unknown[] = [];
  if (tol !== null) {
    layer.push(
      { transform: only('b'), mark: { type: 'rect', color: COLORS.band, opacity: 0.6 }, encoding: { y: { datum: -tol, type: 'quantitative' }, y2: { datum: tol } } },
      { transform: only('b'), mark: { type: 'rule', color: COLORS.pass, strokeDash: [4, 3] }, encoding: { y: { datum: tol, type: 'quantitative' } } },
      { transform: only('b'), mark: { type: 'rule', color: COLORS.pass, strokeDash: [4, 3] }, encoding: { y: { datum: -tol, type: 'quantitative' } } },
    );
  }
  layer.push(
    {
      transform: only('r'),
      mark: { type: 'line', color: COLORS.line, strokeWidth: 1 },
      encoding: {
        x,
        y: { field: 'r', type: 'quantitative', title: null, scale: { padding: 10, nice: true }, axis: { tickCount: 4, labelExpr: "datum.label + ' µs'" } },
        tooltip: [
          { field: 'f', type: 'quantitative', title: 'frame' },
          { field: 'r', type: 'quantitative', title: 'residual (µs)', format: '.1f' },
        ],
      },
    },
    {
      transform: [...only('r'), { filter: { field: 'out', equal: 1 } }],
      mark: { type: 'point', color: COLORS.fail, filled: true, size: 18 },
      encoding: { x, y: { field: 'r', type: 'quantitative' }, tooltip: [{ field: 'f', type: 'quantitative', title: 'frame' }, { field: 'r', type: 'quantitative', title: 'residual (µs)', format: '.1f' }] },
    },
    { transform: only('l'), mark: { type: 'rule', color: COLORS.lost, strokeWidth: 2, strokeDash: [5, 3] }, encoding: { x } },
    { transform: only('l'), mark: { type: 'text', color: COLORS.lost, align: 'left', dx: 4, dy: 8, fontWeight: 600 }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
  );
  const caption = html`How far each frame sits from where the configured delays say it must, against the reference
<span class="mono">${take.reference ?? '—'}</span>, after each clock's rate is corrected (colour frames, or depth when colour is off).
${tol !== null ? html`The green band is the tolerance, ±${figure(tol)} µs at ${take.fps} fps; frames outside it are red. Each row has its own scale.` : 'No tolerance is defined for this frame rate.'}
A sensor that follows the same pulses stays flat inside the band; one that drifts away is not following them.
${shifted.length > 0 ? html`<span class="bad">Whole frame periods are removed from these curves: ${shifted.join(', ')} ${shifted.length === 1 ? 'is' : 'are'} shifted by that many periods (a start-order fault, see the checks).</span>` : ''}`;
  return {
    id: 'offsets',
    title: 'Offset to the reference',
    caption,
    spec: rowPerSensor(rows, labels, layer, ROW_HEIGHT),
  };
}
