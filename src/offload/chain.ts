/**
 * The chain file `ascmhl/ascmhl_chain.xml`: every generation's file name and C4 ID, in order. A generation whose
 * bytes no longer give its C4 ID was changed after it was written; the chain is how a history proves itself.
 */
import { element } from './xml.js';
import { attr, badMhl, isNode, parseXml, relativePath, text } from './mhl-reader.js';

export const CHAIN_FILE = 'ascmhl_chain.xml';
export const CHAIN_NAMESPACE = 'urn:ASC:MHL:DIRECTORY:v2.0';

export interface ChainEntry {
  sequence: number;
  /** The generation's file name inside `ascmhl/`. */
  path: string;
  c4: string;
}

export function readChain(xml: string, where: string): ChainEntry[] {
  const top = parseXml(xml, where, 'ascmhldirectory');
  const entries = Array.isArray(top.hashlist) ? top.hashlist : [];
  return entries.map((h: unknown) => {
    if (!isNode(h)) throw badMhl(where, 'a <hashlist> entry is empty');
    const seq = attr(h, 'sequencenr');
    if (seq === undefined || !/^\d+$/.test(seq)) throw badMhl(where, `sequencenr="${seq ?? ''}" is not a whole number`);
    const path = relativePath(text(h.path), where);
    const c4 = text(h.c4)?.trim() ?? '';
    if (!/^c4[1-9A-HJ-NP-Za-km-z]{88}$/.test(c4)) throw badMhl(where, `the C4 ID of ${path} is not a C4 ID`);
    return { sequence: Number(seq), path, c4 };
  });
}

export function writeChain(entries: ChainEntry[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<ascmhldirectory xmlns="${CHAIN_NAMESPACE}">`,
    ...entries.flatMap((e) => [`  <hashlist sequencenr="${e.sequence}">`, `    ${element('path', {}, e.path)}`, `    ${element('c4', {}, e.c4)}`, '  </hashlist>']),
    '</ascmhldirectory>',
    '',
  ].join('\n');
}
