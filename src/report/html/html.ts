/**
 * Safe HTML building. Every value interpolated into `html`...`` is escaped unless it is already `Html` (built by
 * this tag or by `trusted`), so text from the files (serials, file names, messages that quote them) can never become
 * markup. Nothing else in the report writes markup by string concatenation.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function esc(text: string): string {
  // Control characters other than tab/newline are dropped: they have no business in a report and some are invalid in HTML.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function part(v: Interpolation): string {
  if (v instanceof Html) return v.value;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(part).join('');
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return esc(String(v));
}

/** Tagged template: literal parts are markup, interpolated values are escaped text (or nested Html). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup the report itself produced (CSS, the vega runtime, serialized JSON): never text from the files. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** Joins fragments with an optional separator. */
export function join(items: readonly Interpolation[], separator: Interpolation = ''): Html {
  return new Html(items.map(part).join(part(separator)));
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the line separators are written as \u
 * escapes, so no string in it can close the script element or open a comment.
 */
export function scriptJson(value: unknown): Html {
  const json = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new Html(json);
}

/** A script body the report ships (the vega runtime, the chart bootstrap): refuses anything that would end the element. */
export function scriptBody(source: string): Html {
  if (/<\/script|<!--/i.test(source)) throw new Error('A script body may not contain "</script" or "<!--".');
  return new Html(source);
}

/** A link target the report made (a relative file name): anything with a scheme is refused. */
export function safeHref(href: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(href.trim()) ? '#' : href;
}
