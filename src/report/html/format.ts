/** Number, time and size formatting for the report: deterministic (no locale), a true minus sign, tabular-friendly. */

const MINUS = '\u2212';

/** Fixed decimals with a real minus sign; '—' for null. */
export function num(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = Math.abs(v).toFixed(decimals);
  return (v < 0 && Number(s) !== 0 ? MINUS : '') + s;
}

/** Like num, with an explicit + on positive values (rates, trends). */
export function signed(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = num(v, decimals);
  return v > 0 && Number(Math.abs(v).toFixed(decimals)) !== 0 ? `+${s}` : s;
}

/** Integers with thousands separators: 1,486,356. */
export function int(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const r = Math.round(v);
  const digits = String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (r < 0 ? MINUS : '') + digits;
}

/** A check's value or threshold: numbers at up to 2 decimals, strings as they are. */
export function figure(v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? int(v) : num(v, Math.abs(v) >= 100 ? 1 : 2);
}

export function us(v: number | null | undefined, decimals = 1): string {
  return v === null || v === undefined ? '—' : `${num(v, decimals)} µs`;
}

export function ppm(v: number | null | undefined, decimals = 2): string {
  return v === null || v === undefined ? '—' : `${signed(v, decimals)} ppm`;
}

/** Device time in µs as seconds: 4.233244 s. */
export function seconds(usValue: number | null | undefined, decimals = 3): string {
  return usValue === null || usValue === undefined ? '—' : `${num(usValue / 1e6, decimals)} s`;
}

export function bytes(v: number): string {
  if (v >= 1e9) return `${num(v / 1e9, 2)} GB`;
  if (v >= 1e6) return `${num(v / 1e6, 2)} MB`;
  if (v >= 1e3) return `${num(v / 1e3, 1)} kB`;
  return `${v} B`;
}

/** ISO 8601 as "2026-11-24 07:36:07 UTC"; anything unparseable is returned as given. */
export function utc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

/** The folder part of a path as given ('' when there is none). */
export function folder(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i + 1) : '';
}

/** The last path component, for either separator. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
