/** The files of a folder as an ASC MHL history sees them, and the folder hashes of a set of file hashes. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromSystemError } from '../errors.js';
import { directoryHashes, type DirectoryChild } from './hash.js';
import { HISTORY_FOLDER } from './history.js';
import type { DirectoryHash, DirectoryHashes } from './types.js';

/**
 * What no history records: the history itself, macOS folder metadata, and the temporary names k4sync writes under
 * (src/output/atomic.ts) that a killed copy may leave.
 */
export const IGNORE_PATTERNS = ['.DS_Store', HISTORY_FOLDER, `${HISTORY_FOLDER}/`, '.*.k4sync-*.tmp*'];

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A name that a pattern (ASC MHL's ignore list: shell-style, matched against each name) excludes. */
export function ignoredBy(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

export interface TreeFile {
  /** Relative to the root, `/`-separated. */
  path: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

/** Every file under `root` that is not ignored, sorted by path. */
export function listFiles(root: string, patterns: readonly string[] = IGNORE_PATTERNS): TreeFile[] {
  const ignored = ignoredBy(patterns);
  const out: TreeFile[] = [];
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw fromSystemError(e, dir, 'read');
    }
    for (const name of names.sort()) {
      if (ignored(name)) continue;
      const abs = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = statSync(abs);
      } catch (e) {
        throw fromSystemError(e, abs, 'read');
      }
      if (st.isDirectory()) walk(abs, path);
      else if (st.isFile()) out.push({ path, abs, size: st.size, mtimeMs: st.mtimeMs });
    }
  };
  walk(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface Folder {
  files: Map<string, string>;
  folders: Map<string, Folder>;
}

/** The root's and every folder's content and structure hashes, from the xxh64 of every file (path → hash). */
export function treeHashes(fileHashes: ReadonlyMap<string, string>): { root: DirectoryHashes; directories: DirectoryHash[] } {
  const top: Folder = { files: new Map(), folders: new Map() };
  for (const [path, hash] of fileHashes) {
    const parts = path.split('/');
    let at = top;
    for (const part of parts.slice(0, -1)) {
      let next = at.folders.get(part);
      if (!next) at.folders.set(part, (next = { files: new Map(), folders: new Map() }));
      at = next;
    }
    at.files.set(parts.at(-1)!, hash);
  }
  const directories: DirectoryHash[] = [];
  const hashFolder = (f: Folder, rel: string): DirectoryHashes => {
    const children: DirectoryChild[] = [...f.files].map(([name, content]) => ({ name, content }));
    for (const [name, sub] of [...f.folders].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const path = rel ? `${rel}/${name}` : name;
      const h = hashFolder(sub, path);
      directories.push({ path, ...h });
      children.push({ name, content: h.content, structure: h.structure });
    }
    return directoryHashes('xxh64', children);
  };
  const root = hashFolder(top, '');
  return { root, directories: directories.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}
