import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { createMemoryJudgeCache } from './judge-cache.ts';
import type { CachedCall } from './judge-cache.ts';
import { loadBetterSqlite3, openJudgeCache } from './sqlite-judge-cache.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
let dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dtl-cache-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const row = (i: number, extra: Partial<CachedCall> = {}): CachedCall => ({
  key: `k${i}`,
  judgeId: 'j',
  status: 'ok',
  raw: `{"judgments":[{"index":0,"label":"positive"}]} ${'x'.repeat(200)} ${i}`,
  labels: ['positive'],
  promptTokens: 10,
  responseTokens: 5,
  ms: 1,
  attempts: 1,
  ...extra,
});

/** A real cache with enough rows to span many pages. */
function filledCache(dir: string): string {
  const path = join(dir, 'cache.sqlite');
  const c = openJudgeCache(path);
  for (let i = 0; i < 400; i++) c.put(row(i));
  c.close();
  expect(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0).toBe(false); // checkpointed on close
  return path;
}

/** Opens and reads every row; returns the error (or undefined when the file worked). */
function useCache(path: string): unknown {
  try {
    const c = openJudgeCache(path);
    try {
      for (let i = 0; i < 400; i++) c.get(`k${i}`);
      c.counts();
      c.put(row(1000));
    } finally {
      c.close();
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectClearCorruptError(error: unknown, path: string): void {
  expect(isDtlError(error, 'INVALID_DATA')).toBe(true);
  const message = (error as Error).message;
  expect(message).toContain(path);
  expect(message).toMatch(/delete it or move it aside/);
  expect(message).not.toMatch(/^SqliteError/);
}

describe('SQLite judge cache: corrupt files', () => {
  it('garbage bytes: a DtlError naming the file and what to do', () => {
    const path = join(tempDir(), 'cache.sqlite');
    writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 131 + 7) & 0xff)));
    expectClearCorruptError(useCache(path), path);
    expect(existsSync(`${path}.lock`)).toBe(false); // the lock is released on the error path
  });

  it('a text file that is not a database', () => {
    const path = join(tempDir(), 'cache.sqlite');
    writeFileSync(path, 'this is not sqlite\n'.repeat(300));
    expectClearCorruptError(useCache(path), path);
  });

  it('truncated to half', () => {
    const path = filledCache(tempDir());
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectClearCorruptError(useCache(path), path);
  });

  it('partly zeroed pages (header kept)', () => {
    const path = filledCache(tempDir());
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(Math.floor(size / 2)), 0, Math.floor(size / 2), 4096); // from page 2 on
    closeSync(fd);
    expectClearCorruptError(useCache(path), path);
  });

  it('a SQLite file that is not a judge cache', () => {
    const path = join(tempDir(), 'other.sqlite');
    const Database = loadBetterSqlite3();
    const db = new Database(path);
    db.exec('CREATE TABLE judge_calls (x INTEGER)');
    db.close();
    expectClearCorruptError(useCache(path), path);
  });

  it('a healthy cache survives the same use', () => {
    expect(useCache(filledCache(tempDir()))).toBeUndefined();
  });
});

describe('SQLite judge cache: optional better-sqlite3', () => {
  it('names the package to install when it is missing', () => {
    const error = (() => {
      try {
        loadBetterSqlite3(() => {
          throw Object.assign(new Error("Cannot find module 'better-sqlite3'"), { code: 'MODULE_NOT_FOUND' });
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isDtlError(error, 'UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/better-sqlite3/);
    expect((error as Error).message).toMatch(/createMemoryJudgeCache/);
  });

  it('the memory cache needs no SQLite and redacts secret values', () => {
    const c = createMemoryJudgeCache({ redact: ['lm-studio-abcdef123456'] });
    c.put(row(1, { raw: 'echo lm-studio-abcdef123456', status: 'failed', error: '401 key lm-studio-abcdef123456 invalid' }));
    expect(c.get('k1')?.raw).toBe('echo [redacted]');
    expect(c.get('k1')?.error).toBe('401 key [redacted] invalid');
    expect(c.counts()).toEqual({ ok: 0, failed: 1 });
  });
});

describe('SQLite judge cache: redaction and lock', () => {
  it('stores neither raw nor error with the secret value in it', () => {
    const path = join(tempDir(), 'cache.sqlite');
    const secret = 'lm-studio-9f8e7d6c5b4a';
    const c = openJudgeCache(path, { redact: [secret] });
    c.put(row(1, { raw: `ok, your key is ${secret}` }));
    c.put(row(2, { status: 'failed', error: `401: Incorrect API key provided: ${secret}`, raw: JSON.stringify({ key: secret }) }));
    expect(c.get('k1')?.raw).toBe('ok, your key is [redacted]');
    c.close();
    expect(readFileSync(path).includes(secret)).toBe(false);
  });

  it('a second process cannot open a cache a live process holds; a dead holder\'s lock is taken over', async () => {
    const path = join(tempDir(), 'cache.sqlite');
    const holderScript = `
      import { openJudgeCache } from '${join(ROOT, 'packages/llm-fn/src/sqlite-judge-cache.ts')}';
      const c = openJudgeCache(${JSON.stringify(path)});
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', '--input-type=module', '-e', holderScript], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
      child.on('exit', () => fail(new Error(`holder exited: ${err}`)));
    });
    const busy = (() => {
      try {
        openJudgeCache(path).close();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isDtlError(busy, 'STATE_MISMATCH')).toBe(true);
    expect((busy as Error).message).toContain(`process ${child.pid}`);
    expect((busy as Error).message).toContain(`${path}.lock`);

    const exited = new Promise((ok) => child.on('exit', ok));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(`${path}.lock`)).toBe(true); // left behind by the killed holder
    const c = openJudgeCache(path); // stale: taken over
    c.put(row(1));
    c.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 30_000);
});
