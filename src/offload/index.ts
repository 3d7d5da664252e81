/**
 * Checksum-verified copies of takes to one or more destinations, each with its ASC MHL v2 history
 * (../shared/spec/ascmhl): offload copies and records, verify checks a destination against its history.
 */
export { offload, type OffloadOutcome, type OffloadRequest } from './offload.js';
export { historyRoots, verifyRoot, type VerifyOptions } from './verify.js';
export { AUDIT_OUTPUT, REPORT_OUTPUT } from './deliverables.js';
export { appendGeneration, HISTORY_FOLDER, latestRecords, loadHistory, type History } from './history.js';
export { CHAIN_FILE, readChain, writeChain, type ChainEntry } from './chain.js';
export { readGeneration } from './mhl-reader.js';
export { writeGeneration } from './mhl-writer.js';
export { directoryHashes, hashBytes, hashFile, loadHashing } from './hash.js';
export { treeHashes } from './tree.js';
export type * from './types.js';
