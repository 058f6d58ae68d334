import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { DtlError } from '../errors.ts';

/**
 * The temporary name of an atomic write: `path.tmp-<pid>`. A leftover of a killed writer is
 * recognised by this pattern (see {@link ATOMIC_TEMP_PATTERN}) and removed by whoever holds the
 * directory's lock next.
 */
export function atomicTempPath(path: string, pid: number = process.pid): string {
  return `${path}.tmp-${pid}`;
}

/** Matches {@link atomicTempPath} names; group 1 is the writer's pid. */
export const ATOMIC_TEMP_PATTERN = /\.tmp-(\d+)$/;

/**
 * Writes `data` to `path` atomically: to {@link atomicTempPath} first, then renamed over `path`, so a
 * reader (or a crash) never sees a half-written file. A failed write removes its temporary file and
 * is an `IO_ERROR` naming the path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = atomicTempPath(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new DtlError('IO_ERROR', `cannot write the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { location: { file: path }, cause: error });
  }
}

/** {@link writeFileAtomic} of `JSON.stringify(value, null, 2)` and a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
