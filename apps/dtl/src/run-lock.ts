import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DtlError } from '@dtl/core';

/** The lock file's name inside a run directory. */
export const RUN_LOCK_FILE = 'run.lock';

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
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const held = new Map<string, () => void>();
let exitHookInstalled = false;

/** Lock files still held when the process exits (process.exit, an uncaught error) are removed. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const release of [...held.values()]) release();
  });
}

function readHolder(path: string): RunLockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunLockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string') {
      return { pid: value.pid, host: value.host, started: String(value.started ?? '?'), command: String(value.command ?? '?') };
    }
  } catch {
    // unreadable or half written: handled by the caller
  }
  return undefined;
}

function tryCreate(path: string, holder: RunLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx'); // O_CREAT | O_EXCL: exactly one process wins
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DtlError('IO_ERROR', `cannot create the run lock (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { location: { file: path }, cause: error });
  }
  try {
    writeSync(fd, JSON.stringify(holder) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

function ageMs(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? Date.now() - st.mtimeMs : Infinity;
}

/**
 * Takes the lock of a run directory (one process per run directory): `runDir/run.lock`, created with
 * O_EXCL and holding pid, host, start time and command. A second process gets a `STATE_MISMATCH`
 * DtlError naming the holder's pid. A lock whose holder is a dead pid on this host (killed with
 * SIGKILL, a power cut) is taken over with a warning; a lock from another host is never taken over
 * (its pid cannot be checked from here) — the message says to delete it if that run is gone.
 *
 * Taking the lock then removes leftover temporary files of interrupted atomic writes in the run
 * directory (see {@link cleanStaleTempFiles}). The lock is released by `release()` and, as a last
 * resort, when the process exits.
 */
export function acquireRunLock(runDir: string, options: RunLockOptions = {}): RunLock {
  const path = join(runDir, RUN_LOCK_FILE);
  const me: RunLockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  const staleMs = options.unreadableStaleMs ?? 10_000;
  if (held.has(path)) {
    throw new DtlError('STATE_MISMATCH', `this process already holds the lock of ${runDir}`, { location: { file: path } });
  }
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, me)) break;
    const holder = readHolder(path);
    const staleReason = holder
      ? holder.host === me.host && (holder.pid === me.pid || !isPidAlive(holder.pid)) // our own pid: a previous process's (pid reuse)
        ? `its holder, pid ${holder.pid} (started ${holder.started}), is no longer running`
        : undefined
      : ageMs(path) > staleMs
        ? `it is unreadable and older than ${staleMs / 1000} s`
        : undefined;
    if (!staleReason || attempt >= 3) {
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} (started ${holder.started}: ${holder.command})`
        : 'a process that is still writing the lock file';
      const what = holder && holder.host !== me.host
        ? `; it runs on another host, so it cannot be checked from here — if that run is gone, delete ${path}`
        : holder
          ? `; wait for it to finish or stop it, or choose another --out (if pid ${holder.pid} is not a dtl run, e.g. after a reboot, delete ${path})`
          : '; wait for it to finish or stop it, or choose another --out';
      throw new DtlError('STATE_MISMATCH', `run directory ${runDir} is in use by ${who}${what}`, { location: { file: path } });
    }
    // Only one process may take a stale lock over: the takeover itself is O_EXCL-guarded, and the lock
    // is re-read under it (another process may have replaced it since).
    const guard = `${path}.takeover`;
    if (existsSync(guard) && ageMs(guard) > staleMs) rmSync(guard, { force: true });
    if (!tryCreate(guard, me)) continue;
    try {
      const again = readHolder(path);
      if (JSON.stringify(again) === JSON.stringify(holder)) {
        rmSync(path, { force: true });
        options.onWarn?.(`warning: took over the stale lock ${path}: ${staleReason}`);
      }
    } finally {
      rmSync(guard, { force: true });
    }
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    held.delete(path);
    // Remove only our own lock (a user may have deleted it and another process taken it since).
    const current = readHolder(path);
    if (current && current.pid === me.pid && current.host === me.host && current.started === me.started) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  held.set(path, release);
  installExitHook();
  const cleaned = cleanStaleTempFiles(runDir);
  if (cleaned.length > 0) options.onWarn?.(`removed ${cleaned.length} leftover temporary file(s) of interrupted writes: ${cleaned.slice(0, 3).join(', ')}${cleaned.length > 3 ? ', …' : ''}`);
  return { path, holder: me, cleaned, release };
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
const TEMP_PATTERNS = [/\.tmp-(\d+)$/, /\.(\d+)\.tmp$/];

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
