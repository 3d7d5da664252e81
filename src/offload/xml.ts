/** Writing XML text by hand: the few rules that keep any file name or host name well-formed. */
import { K4sError } from '../errors.js';

// XML 1.0 cannot carry these at all, escaped or not (a file name on Linux may hold them).
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Text or an attribute value (double-quoted), escaped; a character XML cannot hold is refused with a code. */
export function xmlEscape(text: string): string {
  if (NOT_XML.test(text)) {
    throw new K4sError('K4S_BAD_MHL', `"${text.replace(NOT_XML, '?')}" holds a control character, which an ASC MHL file (XML) cannot record.`, 'Rename the file without control characters and run the command again.');
  }
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** An element with attributes (undefined ones left out) and text. */
export function element(name: string, attributes: Record<string, string | number | undefined>, text: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
  return `<${name}${attrs}>${xmlEscape(text)}</${name}>`;
}

/** ISO 8601 in UTC, whole seconds, as ascmhl writes it: 2020-01-16T09:15:00+00:00. */
export function mhlDate(d: Date): string {
  return `${d.toISOString().slice(0, 19)}+00:00`;
}
