import { hostname } from 'node:os';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { DtlError } from '@dtl/core';

/** A held lock file; `release()` removes it if it is still ours. */
export interface FileLock {
  readonly path: string;
  release(): void;
}

interface LockBody {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly what: string;
}

const heldHere = new Map<string, number>();

function handle(path: string): FileLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      releaseHere(path);
    },
  };
}

function releaseHere(path: string): void {
  const n = heldHere.get(path) ?? 0;
  if (n > 1) {
    heldHere.set(path, n - 1);
    return;
  }
  heldHere.delete(path);
  if (readBody(path)?.pid === process.pid) {
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBody(path: string): LockBody | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockBody>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0) {
      return { pid: v.pid, host: String(v.host ?? ''), started: String(v.started ?? ''), what: String(v.what ?? '') };
    }
  } catch {
    /* unreadable */
  }
  return undefined;
}

/**
 * Takes `path` as an exclusive lock file (created with O_EXCL, holding pid, host and start time).
 * A lock whose pid is dead on this host — a process killed before it released it — is taken over; a
 * lock of a live process is a STATE_MISMATCH error naming the holder. An unreadable lock younger than
 * 10 s is a lock being written and counts as held.
 */
export function acquireFileLock(path: string, what: string): FileLock {
  // Re-entrant within one process (two handles on one cache in one process share the lock).
  const held = heldHere.get(path);
  if (held !== undefined && readBody(path)?.pid === process.pid) {
    heldHere.set(path, held + 1);
    return handle(path);
  }
  const host = hostname();
  const body: LockBody = { pid: process.pid, host, started: new Date().toISOString(), what };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(body) + '\n', { flag: 'wx' });
      heldHere.set(path, 1);
      return handle(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new DtlError('IO_ERROR', `cannot create the lock file: ${(error as Error).message}`, { location: { file: path }, cause: error });
      }
    }
    const holder = readBody(path);
    let stale: boolean;
    if (holder) {
      stale = holder.host === host && holder.pid !== process.pid && !alive(holder.pid);
    } else {
      let age = 0;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // vanished: try again
      }
      stale = age > 10_000;
    }
    if (!stale) {
      const who = holder
        ? `process ${holder.pid}${holder.host !== host ? ` on host ${holder.host}` : holder.pid === process.pid ? ' (this process)' : ''} since ${holder.started}`
        : 'another process (its lock is being written)';
      throw new DtlError(
        'STATE_MISMATCH',
        `${what} is in use by ${who}; wait for it to finish or stop it (two processes on one ${what} would repeat each other's work). If that process no longer runs, delete the lock file`,
        { location: { file: path } },
      );
    }
    // Stale: move it aside atomically (only one taker's rename succeeds), then retry the create.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      unlinkSync(`${path}.stale-${process.pid}`);
    } catch {
      /* someone else took it over first: retry */
    }
  }
  throw new DtlError('STATE_MISMATCH', `could not take the lock for ${what} (contended)`, { location: { file: path } });
}
