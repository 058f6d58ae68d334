import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DtlError } from '@dtl/core';
import { ATOMIC_TEMP_PATTERN, acquireFileLock, isPidAlive } from '@dtl/core/node';

/** The lock file's name inside a run directory (see `run-dir/files.ts`). */
export { RUN_LOCK_FILE } from './run-dir/files.ts';
import { RUN_LOCK_FILE } from './run-dir/files.ts';

/** What a lock file holds (JSON). */
export interface RunLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly started: string;
  /** The holder's command line (for the message a second process prints). */
  readonly command: string;
}

export interface RunLockOptions {
  /** Warnings: a stale lock taken over, leftover temporary files removed. */
  readonly onWarn?: ((line: string) => void) | undefined;
  /**
   * A lock file that cannot be parsed (a holder killed between creating and filling it) is stale
   * once it is older than this, default 10 000 ms; younger, its writer may still be alive.
   */
  readonly unreadableStaleMs?: number | undefined;
}

/** A held lock; `release()` is idempotent. */
export interface RunLock {
  readonly path: string;
  readonly holder: RunLockHolder;
  /** Temporary files of dead writers removed when the lock was taken. */
  readonly cleaned: readonly string[];
  release(): void;
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export { isPidAlive };

/**
 * Takes the lock of a run directory (one process per run directory): `runDir/run.lock`, through the
 * one cross-process lock of `@dtl/core/node` (O_EXCL, holding pid, host, start time and command). A
 * second process gets a `STATE_MISMATCH` DtlError naming the holder's pid. A lock whose holder is a
 * dead pid on this host (killed with SIGKILL, a power cut) is taken over with a warning; a lock from
 * another host is never taken over (its pid cannot be checked from here) — the message says to
 * delete it if that run is gone.
 *
 * Taking the lock then removes leftover temporary files of interrupted atomic writes in the run
 * directory (see {@link cleanStaleTempFiles}). The lock is released by `release()` and, as a last
 * resort, when the process exits.
 */
export function acquireRunLock(runDir: string, options: RunLockOptions = {}): RunLock {
  const path = join(runDir, RUN_LOCK_FILE);
  const lock = acquireFileLock(path, {
    what: `run directory ${runDir}`,
    unreadableStaleMs: options.unreadableStaleMs,
    onWarn: options.onWarn,
    busyMessage: ({ holder, me }) => {
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} (started ${holder.started}: ${holder.command})`
        : 'a process that is still writing the lock file';
      const what = holder && holder.host !== me.host
        ? `; it runs on another host, so it cannot be checked from here — if that run is gone, delete ${path}`
        : holder
          ? `; wait for it to finish or stop it, or choose another --out (if pid ${holder.pid} is not a dtl run, e.g. after a reboot, delete ${path})`
          : '; wait for it to finish or stop it, or choose another --out';
      return `run directory ${runDir} is in use by ${who}${what}`;
    },
  });
  const { pid, host, started, command } = lock.holder;
  const cleaned = cleanStaleTempFiles(runDir);
  if (cleaned.length > 0) options.onWarn?.(`removed ${cleaned.length} leftover temporary file(s) of interrupted writes: ${cleaned.slice(0, 3).join(', ')}${cleaned.length > 3 ? ', …' : ''}`);
  return { path, holder: { pid, host, started, command }, cleaned, release: () => lock.release() };
}

/** Creates a run directory (and its parents); a path that is a file or not writable is IO_ERROR naming it. */
export function ensureRunDir(runDir: string): void {
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'exists and is not a directory (or a parent is a file)' : `cannot be created (${code ?? String(error)})`;
    throw new DtlError('IO_ERROR', `run directory ${why}; choose another --out`, { location: { file: runDir }, cause: error });
  }
}

/** Runs `work` holding the run directory's lock; released when it settles (errors included). */
export async function withRunLock<T>(runDir: string, work: (lock: RunLock) => Promise<T>, options: RunLockOptions = {}): Promise<T> {
  const lock = acquireRunLock(runDir, options);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

/** `name.tmp-<pid>` (checkpoints, JSON state, artifacts) and `name.<pid>.tmp` (the HTML report). */
const TEMP_PATTERNS = [ATOMIC_TEMP_PATTERN, /\.(\d+)\.tmp$/];

/**
 * Removes temporary files of atomic writes (write to a temporary name, then rename) whose writer is
 * gone: under `dir`, up to `maxDepth` folders deep, every `*.tmp-<pid>` / `*.<pid>.tmp` whose pid is
 * not a running process — or is this process but the file predates it (pid reuse). Call it only
 * while holding the directory's lock, so that no live writer's file can be mistaken for a leftover.
 * Returns the removed paths.
 */
export function cleanStaleTempFiles(dir: string, maxDepth = 4): string[] {
  const removed: string[] = [];
  const startedAt = Date.now() - process.uptime() * 1000;
  const walk = (d: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth) walk(p, depth + 1);
        continue;
      }
      if (!e.isFile()) continue;
      const m = TEMP_PATTERNS.map((re) => re.exec(e.name)).find((x) => x !== null);
      if (!m) continue;
      const pid = Number(m[1]);
      const stale = pid === process.pid ? (statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < startedAt : !isPidAlive(pid);
      if (!stale) continue;
      try {
        unlinkSync(p);
        removed.push(p);
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(dir, 0);
  return removed;
}
