import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { K4sError } from '../errors.js';

/** A take to audit: the MKVs of one recording session, one per sensor. */
export interface TakeFiles {
  name: string;
  files: string[];
}

export class AuditInputError extends K4sError {
  constructor(message: string, remedy?: string) {
    super('K4S_NO_TAKE', message, remedy);
  }
}

const isMkv = (f: string) => /\.mkv$/i.test(f);

function mkvsIn(dir: string): string[] {
  return readdirSync(dir).filter(isMkv).sort().map((f) => join(dir, f));
}

/**
 * What the user pointed at, as takes: a take folder (MKVs inside), a shoot-day folder (take folders inside), or MKV
 * files, which together form one take.
 */
export function resolveTakes(paths: string[]): TakeFiles[] {
  const takes: TakeFiles[] = [];
  const loose: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new AuditInputError(`${p} does not exist. Give take folders or .mkv files.`);
    }
    if (st.isFile()) {
      if (!isMkv(p)) throw new AuditInputError(`${p} is not an .mkv file. Give take folders or the MKVs of one take.`);
      loose.push(resolve(p));
      continue;
    }
    const direct = mkvsIn(p);
    if (direct.length > 0) {
      takes.push({ name: basename(resolve(p)), files: direct });
      continue;
    }
    const day = readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(p, d.name))
      .sort()
      .map((d) => ({ name: basename(d), files: mkvsIn(d) }))
      .filter((t) => t.files.length > 0);
    if (day.length === 0) throw new AuditInputError(`${p} holds no .mkv files, and no folders of them. Point at a take folder.`);
    takes.push(...day);
  }
  if (loose.length > 0) {
    const parents = new Set(loose.map((f) => dirname(f)));
    takes.push({ name: parents.size === 1 ? basename([...parents][0]!) : 'files', files: loose });
  }
  return takes;
}
