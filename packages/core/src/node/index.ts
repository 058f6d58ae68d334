/**
 * `@dtl/core/node`: node-only helpers shared by the app and the node packages (the main
 * `@dtl/core` entry stays platform-free): the cross-process file lock and the atomic file writer.
 */
export { acquireFileLock, isPidAlive, readFileLockHolder } from './file-lock.ts';
export type { FileLock, FileLockBusy, FileLockHolder, FileLockOptions } from './file-lock.ts';
export { ATOMIC_TEMP_PATTERN, atomicTempPath, writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';
