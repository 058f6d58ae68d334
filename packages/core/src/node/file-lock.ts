import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { DtlError } from '../errors.ts';

/** What a lock file holds (one JSON line). */
export interface FileLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly started: string;
  /** The holder's command line (for the message a second process prints). */
  readonly command: string;
  /** What the lock guards, in words (e.g. `judge cache /x/cache.sqlite`). */
  readonly what: string;
}

/** Why a lock could not be taken, handed to {@link FileLockOptions.busyMessage}. */
export interface FileLockBusy {
  /** The holder, or `undefined` when the lock file is being written (unreadable and young). */
  readonly holder: FileLockHolder | undefined;
  /** This process's would-be holder record. */
  readonly me: FileLockHolder;
}

export interface FileLockOptions {
  /** What the lock guards, in words; stored in the lock file and used by the default message. */
  readonly what: string;
  /**
   * A second acquire of the same path in this process shares the lock (released when every handle is)
   * instead of failing. Default false.
   */
  readonly reentrant?: boolean | undefined;
  /**
   * A lock file that cannot be parsed (a holder killed between creating and filling it) is stale
   * once it is older than this, default 10 000 ms; younger, its writer may still be alive.
   */
  readonly unreadableStaleMs?: number | undefined;
  /** Warnings (a stale lock taken over). */
  readonly onWarn?: ((line: string) => void) | undefined;
  /** The message of the STATE_MISMATCH error when the lock is held; default names the holder's pid. */
  readonly busyMessage?: ((busy: FileLockBusy) => string) | undefined;
}

/** A held lock; `release()` is idempotent and removes the file only while it is still ours. */
export interface FileLock {
  readonly path: string;
  readonly holder: FileLockHolder;
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

/** Locks held by this process: path → holder, handle count and the remover. */
const held = new Map<string, { holder: FileLockHolder; count: number; remove: () => void }>();
let exitHookInstalled = false;

/** Lock files still held when the process exits (process.exit, an uncaught error) are removed. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of [...held.values()]) entry.remove();
  });
}

/** The holder recorded in a lock file, or `undefined` when it is missing, unreadable or half written. */
export function readFileLockHolder(path: string): FileLockHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<FileLockHolder>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, started: String(v.started ?? '?'), command: String(v.command ?? '?'), what: String(v.what ?? '') };
    }
  } catch {
    // unreadable or half written: handled by the caller
  }
  return undefined;
}

function tryCreate(path: string, holder: FileLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx'); // O_CREAT | O_EXCL: exactly one process wins
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DtlError('IO_ERROR', `cannot create the lock file for ${holder.what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { location: { file: path }, cause: error });
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

function defaultBusyMessage({ holder, me }: FileLockBusy): string {
  const who = holder ? `pid ${holder.pid} on ${holder.host} (started ${holder.started})` : 'a process that is still writing the lock file';
  const hint = holder && holder.host !== me.host ? 'it runs on another host, so it cannot be checked from here' : 'wait for it to finish or stop it';
  return `${me.what} is in use by ${who}; ${hint} (if that process no longer runs, delete the lock file)`;
}

/**
 * Takes `path` as an exclusive cross-process lock file: created with O_EXCL and holding pid, host,
 * start time, command line and `what`. A second process gets a `STATE_MISMATCH` DtlError naming the
 * holder's pid ({@link FileLockOptions.busyMessage}). A lock whose holder is a dead pid on this host
 * (killed with SIGKILL, a power cut) — or this very pid from an earlier process (pid reuse) — is taken
 * over with a warning; a lock from another host is never taken over (its pid cannot be checked from
 * here). The takeover is itself O_EXCL-guarded (`path.takeover`) and re-reads the lock under the guard,
 * so two processes never both take one stale lock. Released by `release()` and, as a last resort,
 * when the process exits.
 */
export function acquireFileLock(path: string, options: FileLockOptions): FileLock {
  const mine = held.get(path);
  if (mine) {
    if (options.reentrant === true && readFileLockHolder(path)?.pid === process.pid) {
      mine.count++;
      return handleOf(path, mine.holder);
    }
    if (options.reentrant !== true) {
      throw new DtlError('STATE_MISMATCH', `this process already holds the lock of ${options.what}`, { location: { file: path } });
    }
    held.delete(path); // our lock file was removed by someone else: take it afresh
  }
  const me: FileLockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' '), what: options.what };
  const staleMs = options.unreadableStaleMs ?? 10_000;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, me)) break;
    const holder = readFileLockHolder(path);
    const age = ageMs(path);
    if (!holder && age === Infinity) continue; // vanished meanwhile: create again
    const staleReason = holder
      ? holder.host === me.host && (holder.pid === me.pid || !isPidAlive(holder.pid))
        ? `its holder, pid ${holder.pid} (started ${holder.started}), is no longer running`
        : undefined
      : age > staleMs
        ? `it is unreadable and older than ${staleMs / 1000} s`
        : undefined;
    if (!staleReason || attempt >= 3) {
      throw new DtlError('STATE_MISMATCH', (options.busyMessage ?? defaultBusyMessage)({ holder, me }), { location: { file: path } });
    }
    const guard = `${path}.takeover`;
    if (existsSync(guard) && ageMs(guard) > staleMs) rmSync(guard, { force: true });
    if (!tryCreate(guard, me)) continue;
    try {
      const again = readFileLockHolder(path);
      if (JSON.stringify(again) === JSON.stringify(holder)) {
        rmSync(path, { force: true });
        options.onWarn?.(`warning: took over the stale lock ${path}: ${staleReason}`);
      }
    } finally {
      rmSync(guard, { force: true });
    }
  }
  const remove = (): void => {
    held.delete(path);
    // Remove only our own lock (a user may have deleted it and another process taken it since).
    const current = readFileLockHolder(path);
    if (current && current.pid === me.pid && current.host === me.host && current.started === me.started) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  held.set(path, { holder: me, count: 1, remove });
  installExitHook();
  return handleOf(path, me);
}

function handleOf(path: string, holder: FileLockHolder): FileLock {
  let released = false;
  return {
    path,
    holder,
    release() {
      if (released) return;
      released = true;
      const entry = held.get(path);
      if (!entry || entry.holder !== holder) return;
      if (--entry.count <= 0) entry.remove();
    },
  };
}
