export { checkNewTakeFolder, checkOutputFile, checkOutputParent, fileStart, nextFreeName, type OutputCheck } from './guard.js';
export { pendingFile, pendingFolder, temporaryPath, writeFileAtomic, type PendingOutput } from './atomic.js';
export { installInterruptHandler, onInterrupt } from './interrupt.js';
