import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFileLock, readFileLockHolder } from './file-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'dtl-core-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that surely no longer runs: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('@dtl/core/node acquireFileLock', () => {
  it('creates the lock with pid, host, start and what, and release removes it', () => {
    const path = join(root, 'a.lock');
    const lock = acquireFileLock(path, { what: 'thing A' });
    const holder = readFileLockHolder(path);
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), what: 'thing A' });
    expect(holder?.started).toBe(lock.holder.started);
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(path)).toBe(false);
  });

  it('a live holder is a STATE_MISMATCH naming its pid; the default message and a custom one', () => {
    const path = join(root, 'b.lock');
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), started: 'then', command: 'x', what: 'b' }) + '\n');
    expect(() => acquireFileLock(path, { what: 'thing B' })).toThrow(new RegExp(`thing B is in use by pid ${process.ppid}`));
    expect(() => acquireFileLock(path, { what: 'thing B', busyMessage: ({ holder }) => `held by ${holder?.pid}` })).toThrow(`held by ${process.ppid}`);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.ppid); // untouched
  });

  it('a dead holder on this host is taken over with a warning; another host never is', () => {
    const path = join(root, 'c.lock');
    const dead = deadPid();
    writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), started: 'then', command: 'x', what: 'c' }) + '\n');
    const warnings: string[] = [];
    const lock = acquireFileLock(path, { what: 'thing C', onWarn: (w) => warnings.push(w) });
    expect(readFileLockHolder(path)?.pid).toBe(process.pid);
    expect(warnings.join('\n')).toMatch(new RegExp(`pid ${dead} .* is no longer running`));
    lock.release();
    writeFileSync(path, JSON.stringify({ pid: dead, host: 'elsewhere.example', started: 'then', command: 'x', what: 'c' }) + '\n');
    expect(() => acquireFileLock(path, { what: 'thing C' })).toThrow(/another host/);
  });

  it('an unreadable young lock counts as held; older than unreadableStaleMs it is taken over', () => {
    const path = join(root, 'd.lock');
    writeFileSync(path, '');
    expect(() => acquireFileLock(path, { what: 'thing D' })).toThrow(/still writing the lock file/);
    const lock = acquireFileLock(path, { what: 'thing D', unreadableStaleMs: -1 });
    expect(readFileLockHolder(path)?.pid).toBe(process.pid);
    lock.release();
  });

  it('re-entrant handles share the lock (removed with the last); non-re-entrant refuses a second acquire', () => {
    const path = join(root, 'e.lock');
    const a = acquireFileLock(path, { what: 'thing E', reentrant: true });
    const b = acquireFileLock(path, { what: 'thing E', reentrant: true });
    a.release();
    expect(existsSync(path)).toBe(true);
    b.release();
    expect(existsSync(path)).toBe(false);
    const c = acquireFileLock(path, { what: 'thing E' });
    expect(() => acquireFileLock(path, { what: 'thing E' })).toThrow(/already holds the lock of thing E/);
    c.release();
    expect(existsSync(path)).toBe(false);
  });
});
