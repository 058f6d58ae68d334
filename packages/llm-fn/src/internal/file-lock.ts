import { acquireFileLock as acquireCoreFileLock } from '@dtl/core/node';
import type { FileLock } from '@dtl/core/node';

export type { FileLock } from '@dtl/core/node';

/**
 * Takes `path` as an exclusive lock file through the one cross-process lock of `@dtl/core/node`
 * (O_EXCL, pid + host + start time, dead-pid takeover, release on exit). Re-entrant within one
 * process (two handles on one cache in one process share the lock). A lock of a live process is a
 * STATE_MISMATCH error naming the holder's pid.
 */
export function acquireFileLock(path: string, what: string): FileLock {
  return acquireCoreFileLock(path, {
    what,
    reentrant: true,
    busyMessage: ({ holder, me }) => {
      const who = holder
        ? `process ${holder.pid}${holder.host !== me.host ? ` on host ${holder.host}` : holder.pid === me.pid ? ' (this process)' : ''} since ${holder.started}`
        : 'another process (its lock is being written)';
      return `${what} is in use by ${who}; wait for it to finish or stop it (two processes on one ${what} would repeat each other's work). If that process no longer runs, delete the lock file`;
    },
  });
}
