/**
 * Reads ASC MHL v2 files written by any tool (Silverstack, ShotPut Pro, Hedge, ascmhl, k4sync) into typed data.
 * Whatever a file holds, the result is a Generation or a K4S_BAD_MHL naming the file and what is wrong: never a
 * crash, and never a path that leads outside the history's folder.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { K4sError } from '../errors.js';
import { HASH_FORMATS, type DirectoryHash, type DirectoryHashes, type FileHash, type Generation, type HashAction, type HashFormat, type HashValue, type ProcessKind } from './types.js';

type Node = Record<string, unknown>;

// Elements that may repeat, by their place in the document (a generation's root is itself named hashlist).
const ARRAYS = new Set(['hashlist.hashes.hash', 'hashlist.hashes.directoryhash', 'hashlist.processinfo.ignore.pattern', 'hashlist.creatorinfo.author', 'ascmhldirectory.hashlist']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributesGroupName: '@',
  attributeNamePrefix: '',
  removeNSPrefix: true,
  // Hashes such as 0000000000001234 or 1e10... must stay text, never become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  // A file name may begin or end with a space: text is kept exactly, and trimmed only where the schema allows it.
  trimValues: false,
  textNodeName: '#text',
  // Numeric character references (&#9; for a tab in a name) are XML; fast-xml-parser decodes them with this on.
  htmlEntities: true,
  isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
});

export function badMhl(where: string, what: string): K4sError {
  return new K4sError('K4S_BAD_MHL', `${where} is not a readable ASC MHL v2 file: ${what}.`);
}

/** Well-formed XML with the root element `root`; documents with a DOCTYPE (entity expansion) are refused. */
export function parseXml(xml: string, where: string, root: string): Node {
  if (/<!DOCTYPE/i.test(xml)) throw badMhl(where, 'it declares a DOCTYPE, which ASC MHL files never do');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw badMhl(where, `${valid.err.msg} (line ${valid.err.line})`);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    throw badMhl(where, (e as Error).message);
  }
  const top = doc[root];
  if (!isNode(top)) throw badMhl(where, `its root element is not <${root}>`);
  return top;
}

export const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An element's text ('' for an empty element), or null when there is no such element. */
export function text(n: unknown): string | null {
  if (typeof n === 'string') return n;
  if (isNode(n)) return typeof n['#text'] === 'string' ? n['#text'] : '';
  return null;
}

export function attr(n: unknown, name: string): string | undefined {
  const a = isNode(n) ? n['@'] : undefined;
  const v = isNode(a) ? a[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

const list = (n: unknown): unknown[] => (Array.isArray(n) ? n : n === undefined ? [] : [n]);

function required(n: Node, name: string, where: string): string {
  const t = text(n[name])?.trim() ?? null;
  if (t === null || t === '') throw badMhl(where, `<${name}> is missing`);
  return t;
}

const HEX: Partial<Record<HashFormat, number>> = { md5: 32, sha1: 40, xxh64: 16, xxh3: 16, xxh128: 32 };

function hashValue(format: HashFormat, n: unknown, where: string): HashValue {
  const value = (text(n) ?? '').trim().toLowerCase();
  const ok = format === 'c4' ? /^c4[1-9A-HJ-NP-Za-km-z]{88}$/.test(text(n)?.trim() ?? '') : value.length === HEX[format] && /^[0-9a-f]+$/.test(value);
  if (!ok) throw badMhl(where, `the ${format} hash "${text(n)}" is not a ${format} hash`);
  const action = attr(n, 'action');
  if (action !== undefined && action !== 'original' && action !== 'verified' && action !== 'failed') throw badMhl(where, `action="${action}" is not original, verified or failed`);
  const hashDate = attr(n, 'hashdate');
  return { value: format === 'c4' ? text(n)!.trim() : value, ...(action ? { action: action as HashAction } : {}), ...(hashDate ? { hashDate } : {}) };
}

/** A path as the history records it: relative, `/`-separated, never leaving the history's folder. */
export function relativePath(raw: string | null, where: string): string {
  const p = raw ?? '';
  const parts = p.split(/[\\/]/);
  if (p === '' || /^[\\/]/.test(p) || /^[A-Za-z]:/.test(p) || parts.some((s) => s === '..' || s === '')) {
    throw badMhl(where, `the path "${p}" is not a path inside the folder`);
  }
  return parts.join('/');
}

function folderHashes(n: Node, where: string, what: string): DirectoryHashes {
  const content = n.content;
  const structure = n.structure;
  if (!isNode(content) || !isNode(structure)) throw badMhl(where, `${what} lacks its content or structure hash`);
  for (const format of HASH_FORMATS) {
    if (content[format] !== undefined && structure[format] !== undefined) {
      return { format, content: hashValue(format, content[format], where).value, structure: hashValue(format, structure[format], where).value };
    }
  }
  throw badMhl(where, `${what} has no hash in a format both its content and structure give`);
}

function optionalInteger(s: string | undefined, where: string): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw badMhl(where, `size="${s}" is not a whole number of bytes`);
  return Number(s);
}

function fileHash(n: unknown, where: string): FileHash {
  if (!isNode(n)) throw badMhl(where, 'a <hash> is empty');
  const path = relativePath(text(n.path), where);
  const hashes: FileHash['hashes'] = {};
  for (const format of HASH_FORMATS) if (n[format] !== undefined) hashes[format] = hashValue(format, n[format], where);
  if (Object.keys(hashes).length === 0) throw badMhl(where, `${path} has no hash`);
  const size = optionalInteger(attr(n.path, 'size'), where);
  const modified = attr(n.path, 'lastmodificationdate');
  return { path, ...(size !== undefined ? { size } : {}), ...(modified ? { modified } : {}), hashes };
}

function directoryHash(n: unknown, where: string): DirectoryHash {
  if (!isNode(n)) throw badMhl(where, 'a <directoryhash> is empty');
  const path = relativePath(text(n.path), where);
  const modified = attr(n.path, 'lastmodificationdate');
  return { path, ...(modified ? { modified } : {}), ...folderHashes(n, where, `the folder ${path}`) };
}

const PROCESSES: readonly ProcessKind[] = ['in-place', 'transfer', 'flatten'];

/** One `.mhl` file's text; `where` names it in errors. */
export function readGeneration(xml: string, where: string): Generation {
  const top = parseXml(xml, where, 'hashlist');
  if (attr(top, 'version') !== '2.0') throw badMhl(where, `its version is "${attr(top, 'version') ?? ''}", not 2.0`);
  const creator = top.creatorinfo;
  const info = top.processinfo;
  if (!isNode(creator)) throw badMhl(where, '<creatorinfo> is missing');
  if (!isNode(info)) throw badMhl(where, '<processinfo> is missing');
  const process = required(info, 'process', where) as ProcessKind;
  if (!PROCESSES.includes(process)) throw badMhl(where, `<process> "${process}" is not in-place, transfer or flatten`);
  const hashes = isNode(top.hashes) ? top.hashes : {};
  const toolVersion = attr(creator.tool, 'version');
  const comment = text(creator.comment);
  return {
    created: required(creator, 'creationdate', where),
    hostname: text(creator.hostname)?.trim() ?? '',
    tool: { name: required(creator, 'tool', where), ...(toolVersion !== undefined ? { version: toolVersion } : {}) },
    ...(comment !== null ? { comment } : {}),
    process,
    ...(isNode(info.roothash) ? { root: folderHashes(info.roothash, where, '<roothash>') } : {}),
    ignore: isNode(info.ignore) ? list(info.ignore.pattern).map((p) => text(p)?.trim() ?? '').filter((p) => p !== '') : [],
    files: list(hashes.hash).map((h) => fileHash(h, where)),
    directories: list(hashes.directoryhash).map((d) => directoryHash(d, where)),
  };
}
