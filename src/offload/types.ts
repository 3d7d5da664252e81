/** The data of an ASC MHL v2 history and of an offload, as the rest of k4sync sees it. */

/** The hash formats ASC MHL v2 allows, in the schema's order (a <hash> lists them in this order). */
export const HASH_FORMATS = ['c4', 'md5', 'sha1', 'xxh128', 'xxh3', 'xxh64'] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

/** original: hashed from the file when it was created here; verified: hashed again and equal; failed: not equal. */
export type HashAction = 'original' | 'verified' | 'failed';

export type ProcessKind = 'in-place' | 'transfer' | 'flatten';

export interface HashValue {
  value: string;
  action?: HashAction;
  /** ISO 8601 date-time. */
  hashDate?: string;
}

/** One file of a generation. `path` is relative to the history's root, with `/` between folders. */
export interface FileHash {
  path: string;
  size?: number;
  /** ISO 8601 date-time of the file's last modification, whole seconds. */
  modified?: string;
  hashes: Partial<Record<HashFormat, HashValue>>;
}

/** Content and structure hashes of a folder (ASC MHL's directory hashes), in one format. */
export interface DirectoryHashes {
  format: HashFormat;
  content: string;
  structure: string;
}

export interface DirectoryHash extends DirectoryHashes {
  path: string;
  modified?: string;
}

/** One generation: one `.mhl` file of the history. */
export interface Generation {
  created: string;
  hostname: string;
  tool: { name: string; version?: string };
  comment?: string;
  process: ProcessKind;
  root?: DirectoryHashes;
  ignore: string[];
  files: FileHash[];
  directories: DirectoryHash[];
}

/** A generation as found in a history folder. */
export interface StoredGeneration {
  sequence: number;
  /** File name inside `ascmhl/`. */
  file: string;
  generation: Generation;
}

/** What `offload --verify` found in one history root. */
export interface VerifyFinding {
  path: string;
  kind: 'changed' | 'missing' | 'added' | 'unverifiable' | 'history';
  detail: string;
}

export interface VerifyResult {
  root: string;
  verified: number;
  findings: VerifyFinding[];
  /** The generation appended to the history, or null when none could be written. */
  generationFile: string | null;
}

/** Progress of one destination: bytes written (copy) or read back (verify). */
export interface OffloadProgress {
  destination: string;
  phase: 'copy' | 'verify';
  done: number;
  total: number;
}
