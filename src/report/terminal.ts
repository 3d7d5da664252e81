/**
 * The audit result as text for a terminal: per take, the verdict first, then what is wrong and what to do about it,
 * then one compact row per sensor. Depends only on the audit result type (see ARCHITECTURE.md, "Layout").
 */
import type { AuditReport, Check, SensorAudit, Status, TakeAudit } from '../audit/types.js';

export interface TerminalOptions {
  /** ANSI colour (red FAIL, yellow WARN, green PASS, dim details); the caller decides (TTY, NO_COLOR, --color). */
  color: boolean;
}

/** Lines are wrapped to this many columns so that the report reads in an 80-120 column terminal. */
const WIDTH = 110;

type Style = 'red' | 'yellow' | 'green' | 'dim' | 'bold' | null;

const SGR: Record<Exclude<Style, null>, string> = { red: '31', yellow: '33', green: '32', dim: '2', bold: '1' };

interface Segment {
  text: string;
  style: Style;
}

const STATUS_STYLE: Record<Status | 'NOT_MEASURABLE', Style> = { PASS: 'green', WARN: 'yellow', FAIL: 'red', NOT_MEASURABLE: 'dim' };

/**
 * Text from the files (serials, file names, messages that quote them) must not drive the terminal: a crafted tag could
 * carry escape sequences. Control characters become '?'.
 */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function paint(text: string, style: Style, color: boolean): string {
  return color && style && text ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;
}

/**
 * Word-wraps styled segments to WIDTH. The first line starts with `first` (already visible width `firstWidth`),
 * continuation lines with `indent` spaces. Widths count characters, which is right for the µ, ±, → this report uses.
 */
function wrap(segments: Segment[], color: boolean, first: string, firstWidth: number, indent: number): string[] {
  const words: Segment[] = [];
  for (const s of segments) {
    for (const w of clean(s.text).split(' ')) if (w !== '') words.push({ text: w, style: s.style });
  }
  const lines: string[] = [];
  let line = first;
  let width = firstWidth;
  let empty = true;
  let pending: Segment | null = null;
  const flush = () => {
    if (pending) line += paint(pending.text, pending.style, color);
    pending = null;
  };
  for (const w of words) {
    const need = (empty ? 0 : 1) + w.text.length;
    if (!empty && width + need > WIDTH) {
      flush();
      lines.push(line);
      line = ' '.repeat(indent);
      width = indent;
      empty = true;
    }
    const sep = empty ? '' : ' ';
    if (pending && pending.style === w.style) {
      pending.text += sep + w.text;
    } else {
      flush();
      line += sep;
      pending = { text: w.text, style: w.style };
    }
    width += (empty ? 0 : 1) + w.text.length;
    empty = false;
  }
  flush();
  lines.push(line);
  return lines;
}

/** Numbers as a crew reads them: integers as they are, others to two decimals without trailing zeros. */
function num(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(2).replace(/\.?0+$/, '');
}

/** A signed value: +12.00, -7.00, 0.00 (never -0.00). */
function signed(v: number, digits: number): string {
  const s = v.toFixed(digits);
  if (Number(s) === 0) return s.replace('-', '');
  return v > 0 ? `+${s}` : s;
}

const RIG: Record<TakeAudit['syncSource'], string> = {
  master: 'master rig',
  generator: 'generator rig',
  none: 'no sync (standalone)',
  mixed: 'mixed roles',
};

function verdictLine(take: TakeAudit, color: boolean): string {
  const n = take.sensors.length;
  const parts = [`${n} sensor${n === 1 ? '' : 's'}`, RIG[take.syncSource]];
  if (take.fps !== null) parts.push(`${take.fps} fps`);
  if (take.window) {
    // The footage the window holds: its frames at the take's rate (the span between first and last frame is one
    // period shorter).
    const seconds = take.fps ? take.window.frames / take.fps : (take.window.endUs - take.window.startUs) / 1e6;
    parts.push(`window ${take.window.frames} frames (${seconds.toFixed(2)} s)`);
  } else {
    parts.push('no common window');
  }
  return `${paint(take.verdict, STATUS_STYLE[take.verdict], color)}  ${paint(clean(take.take), 'bold', color)}  ${parts.join(', ')}`;
}

const RANK: Record<Check['status'], number> = { FAIL: 0, WARN: 1, PASS: 2, NOT_MEASURABLE: 3 };

function checkLines(c: Check, color: boolean): string[] {
  const status = c.status === 'NOT_MEASURABLE' ? 'N/M' : c.status;
  const head = `  ${paint(status, STATUS_STYLE[c.status], color)}  ${c.id}  `;
  const headWidth = 2 + status.length + 2 + c.id.length + 2;
  const segments: Segment[] = [];
  // Lock and offset messages begin with the serial; show it once.
  if (c.sensor !== null && !c.message.startsWith(c.sensor)) segments.push({ text: c.sensor, style: null });
  segments.push({ text: c.message, style: null });
  const measured: string[] = [];
  if (c.value !== null) measured.push(`measured ${num(c.value)}`);
  if (c.threshold !== null) measured.push(`threshold ${num(c.threshold)}`);
  if (measured.length) segments.push({ text: `(${measured.join(', ')})`, style: 'dim' });
  const lines = wrap(segments, color, head, headWidth, 8);
  if (c.remedy) lines.push(...wrap([{ text: c.remedy, style: null }], color, `        ${paint('→', STATUS_STYLE[c.status], color)} `, 10, 10));
  return lines;
}

function lockedCell(s: SensorAudit): string {
  if (s.lockEvidence === 'role') return s.role === 'master' ? '– (source)' : 'no (role)';
  const word = s.locked === true ? 'yes' : s.locked === false ? 'no' : '?';
  if (s.lockEvidence === 'none') return word;
  return s.lockLostAtFrame !== null ? `${word} (lost @${s.lockLostAtFrame})` : `${word} (${s.lockEvidence})`;
}

function rateCell(s: SensorAudit): string {
  if (s.rateSegments.length === 2) {
    // One number over a take whose rate changed would hide the change; show both.
    return `${signed(s.rateSegments[0]!.ratePpm, 2)} → ${signed(s.rateSegments[1]!.ratePpm, 2)}`;
  }
  if (s.clockRatePpm === null) return '–';
  return `${signed(s.clockRatePpm, 2)} ± ${(s.clockRateStdErrPpm ?? NaN).toFixed(2)}`;
}

function offsetCell(s: SensorAudit, reference: string | null): string {
  if (s.serial === reference) return 'reference';
  const o = s.offset;
  if (!o) return '–';
  if (o.measuredUs === null) return '?';
  let text = signed(o.measuredUs, 1);
  if (o.frameShift) text = `${o.frameShift > 0 ? '+' : ''}${o.frameShift} fr ${text}`;
  if (o.expectedUs !== 0) text += ` (exp ${signed(o.expectedUs, 1)})`;
  if (o.aligned === false) text += ' not aligned';
  // An offset whose clock rates are too poorly known to judge it is shown with what it could be off by.
  else if (o.aligned === null && o.uncertaintyUs !== null && o.uncertaintyUs >= 1) text += ` ±${o.uncertaintyUs.toFixed(0)}?`;
  return text;
}

function sensorTable(take: TakeAudit, color: boolean): string[] {
  const header = ['serial', 'role', 'frames', 'drops', 'rate ppm', 'locked', 'offset µs vs ref'];
  const right = [false, false, true, true, false, false, false];
  const rows: string[][] = [];
  const errors: string[] = [];
  for (const s of take.sensors) {
    if (s.error) {
      rows.push([s.serial, s.role, '–', '–', '–', '–', '–']);
      errors.push(`${s.serial}: ${s.error.code}`);
      continue;
    }
    rows.push([
      s.serial,
      s.role,
      String(s.frames),
      String(s.drops.reduce((n, d) => n + d.count, 0)),
      rateCell(s),
      lockedCell(s),
      offsetCell(s, take.reference),
    ]);
  }
  const cells = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    '  ' + r.map((c, i) => (i === r.length - 1 ? c : right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [paint(fmt(cells[0]!), 'dim', color), ...cells.slice(1).map(fmt)];
  if (errors.length) out.push(...wrap([{ text: `unreadable: ${errors.join(', ')}`, style: 'dim' }], color, '  ', 2, 4));
  return out;
}

function notMeasurableLine(checks: Check[], color: boolean): string[] {
  const byId = new Map<string, string[]>();
  for (const c of checks) {
    if (c.status !== 'NOT_MEASURABLE') continue;
    const sensors = byId.get(c.id) ?? [];
    if (c.sensor !== null) sensors.push(c.sensor);
    byId.set(c.id, sensors);
  }
  if (byId.size === 0) return [];
  const items = [...byId].map(([id, sensors]) => (sensors.length ? `${id} (${sensors.join(', ')})` : id));
  return wrap([{ text: `not measurable: ${items.join('; ')}`, style: 'dim' }], color, '  ', 2, 4);
}

function renderTake(take: TakeAudit, color: boolean): string[] {
  const lines = [verdictLine(take, color)];
  const problems = take.checks
    .filter((c) => c.status === 'FAIL' || c.status === 'WARN')
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RANK[a.c.status] - RANK[b.c.status] || a.i - b.i);
  for (const { c } of problems) lines.push(...checkLines(c, color));
  if (take.sensors.length) lines.push(...sensorTable(take, color));
  lines.push(...notMeasurableLine(take.checks, color));
  return lines;
}

/** The whole report: every take, a blank line between takes, and a summary line when there are several. */
export function renderTerminal(report: AuditReport, opts: TerminalOptions): string {
  const color = opts.color;
  const blocks = report.takes.map((t) => renderTake(t, color).join('\n'));
  let out = blocks.join('\n\n');
  if (report.takes.length > 1) {
    const count = (s: Status) => report.takes.filter((t) => t.verdict === s).length;
    const parts = (['PASS', 'WARN', 'FAIL'] as const).map((s) => {
      const n = count(s);
      return n > 0 ? paint(`${n} ${s}`, STATUS_STYLE[s], color) : `${n} ${s}`;
    });
    out += `\n\n${report.takes.length} takes: ${parts.join(', ')}`;
  }
  return `${out}\n`;
}
