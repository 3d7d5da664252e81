/** One generation of an ASC MHL v2 history as XML, in the element order ASCMHL.xsd requires. */
import { element } from './xml.js';
import { HASH_FORMATS, type DirectoryHashes, type Generation } from './types.js';

export const MHL_NAMESPACE = 'urn:ASC:MHL:v2.0';

/** The <content> and <structure> pair of a folder (and of the root). */
function folderHashes(h: DirectoryHashes, hashDate: string | undefined): string[] {
  return [
    `<content>${element(h.format, { hashdate: hashDate }, h.content)}</content>`,
    `<structure>${element(h.format, { hashdate: hashDate }, h.structure)}</structure>`,
  ];
}

const indent = (lines: string[], n: number) => lines.map((l) => `${' '.repeat(n)}${l}`);

export function writeGeneration(g: Generation): string {
  const creator = [
    element('creationdate', {}, g.created),
    element('hostname', {}, g.hostname),
    element('tool', { version: g.tool.version }, g.tool.name),
    ...(g.comment !== undefined ? [element('comment', {}, g.comment)] : []),
  ];
  const process = [
    element('process', {}, g.process),
    ...(g.root ? ['<roothash>', ...indent(folderHashes(g.root, g.created), 2), '</roothash>'] : []),
    ...(g.ignore.length > 0 ? ['<ignore>', ...indent(g.ignore.map((p) => element('pattern', {}, p)), 2), '</ignore>'] : []),
  ];
  const hashes: string[] = [];
  for (const f of g.files) {
    hashes.push('<hash>', `  ${element('path', { size: f.size, lastmodificationdate: f.modified }, f.path)}`);
    for (const format of HASH_FORMATS) {
      const h = f.hashes[format];
      if (h) hashes.push(`  ${element(format, { action: h.action, hashdate: h.hashDate }, h.value)}`);
    }
    hashes.push('</hash>');
  }
  for (const d of g.directories) {
    hashes.push('<directoryhash>', `  ${element('path', { lastmodificationdate: d.modified }, d.path)}`);
    hashes.push(...indent(folderHashes(d, g.created), 2), '</directoryhash>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<hashlist version="2.0" xmlns="${MHL_NAMESPACE}">`,
    '  <creatorinfo>',
    ...indent(creator, 4),
    '  </creatorinfo>',
    '  <processinfo>',
    ...indent(process, 4),
    '  </processinfo>',
    // The schema allows no empty <hashes>: a generation that hashed nothing leaves it out.
    ...(hashes.length > 0 ? ['  <hashes>', ...indent(hashes, 4), '  </hashes>'] : []),
    '</hashlist>',
    '',
  ].join('\n');
}
