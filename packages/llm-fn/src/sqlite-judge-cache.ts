/**
 * The durable judge cache: a SQLite file through better-sqlite3 12, an OPTIONAL package loaded with
 * `require` only when {@link openJudgeCache} is called (a DtlError names the package when it is
 * missing). Every completed call is written in its own transaction the moment it finishes (WAL
 * journal), so a process killed at any point loses at most the calls still in flight: a rerun repeats
 * no completed call. Failed calls are stored with status `failed` and are retried by the next run.
 *
 * One process at a time: opening a file cache takes `<file>.lock` (pid, host, start time); a second
 * process gets a STATE_MISMATCH error naming the holder, so two `dtl judge` on one cache never make the
 * same call twice. The lock of a process that died (SIGKILL) is taken over. A corrupt file (garbage,
 * truncated, partly zeroed) or a SQLite file that is not a judge cache is an INVALID_DATA error naming
 * the file and what to do — never a raw SqliteError.
 */
import { createRequire } from 'node:module';
import { DtlError } from '@dtl/core';
import type { JudgeLabel } from '@dtl/core';
import { acquireFileLock } from './internal/file-lock.ts';
import type { FileLock } from './internal/file-lock.ts';
import { createRedactor } from './internal/redact.ts';
import type { JudgeCache, JudgeCacheOptions } from './judge-cache.ts';

/** Options of {@link openJudgeCache}. */
export interface OpenJudgeCacheOptions extends JudgeCacheOptions {
  /** Take `<file>.lock` for as long as the cache is open (default true; ignored for `:memory:`). */
  readonly lock?: boolean;
}

interface Row {
  key: string;
  judge_id: string;
  status: string;
  raw: string;
  labels: string;
  prompt_tokens: number;
  response_tokens: number;
  ms: number;
  attempts: number;
  error: string | null;
}

/**
 * The part of better-sqlite3's API this module uses, declared here so the published type files never
 * reference the optional package (consumers without it still typecheck with `skipLibCheck: false`).
 */
interface SqliteStatement<P extends unknown[], R> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
  run(...params: P): unknown;
}
export interface SqliteDatabase {
  readonly open: boolean;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  prepare<P extends unknown[] = unknown[], R = unknown>(source: string): SqliteStatement<P, R>;
  close(): unknown;
}
export type DatabaseCtor = new (path: string, options?: { readonly?: boolean }) => SqliteDatabase;
let loaded: DatabaseCtor | undefined;

/** Loads better-sqlite3 on first use; a `loader` (tests) bypasses the memo. */
export function loadBetterSqlite3(loader?: () => unknown): DatabaseCtor {
  if (loaded && !loader) return loaded;
  try {
    const mod = (loader ?? (() => createRequire(import.meta.url)('better-sqlite3')))() as DatabaseCtor | { default: DatabaseCtor };
    const ctor = typeof mod === 'function' ? mod : mod.default;
    if (!loader) loaded = ctor;
    return ctor;
  } catch (error) {
    throw new DtlError(
      'UNSUPPORTED',
      'the SQLite judge cache needs the optional package better-sqlite3 (^12); install it (npm i better-sqlite3), or pass a cache from createMemoryJudgeCache()',
      { cause: error },
    );
  }
}

const SQLITE_CORRUPT = /^SQLITE_(NOTADB|CORRUPT|IOERR_SHORT_READ|FORMAT|RANGE)/;

function cacheError(path: string, error: unknown, during: string): DtlError {
  if (error instanceof DtlError) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = String((error as Error)?.message ?? error);
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_PERM')) {
    return new DtlError('IO_ERROR', `cannot open judge cache (${during}): ${message}; check that the folder exists and is writable`, { location: { file: path }, cause: error });
  }
  const what = SQLITE_CORRUPT.test(code) || /malformed|not a database/i.test(message) ? 'is corrupt' : 'is not a usable judge cache';
  return new DtlError(
    'INVALID_DATA',
    `judge cache ${what} (${during}: ${message}); delete it or move it aside (mv "${path}" "${path}.bad") and rerun — the calls it held will be made again`,
    { location: { file: path }, cause: error },
  );
}

/** Opens (creating if needed) a SQLite cache file; `:memory:` for a throwaway one (see the module comment). */
export function openJudgeCache(path: string, options: OpenJudgeCacheOptions = {}): JudgeCache {
  const Database = loadBetterSqlite3();
  const redact = createRedactor(options.redact);
  const lock: FileLock | undefined = path !== ':memory:' && path !== '' && options.lock !== false ? acquireFileLock(`${path}.lock`, `judge cache ${path}`) : undefined;
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process kill (not a power loss) and keeps commits cheap.
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`integrity check failed: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    db.exec(`CREATE TABLE IF NOT EXISTS judge_calls (
      key TEXT PRIMARY KEY,
      judge_id TEXT NOT NULL,
      status TEXT NOT NULL,
      raw TEXT NOT NULL,
      labels TEXT NOT NULL,
      prompt_tokens INTEGER NOT NULL,
      response_tokens INTEGER NOT NULL,
      ms REAL NOT NULL,
      attempts INTEGER NOT NULL,
      error TEXT,
      updated_at TEXT NOT NULL
    )`);
  } catch (error) {
    try {
      db?.close();
    } catch {
      /* ignore */
    }
    lock?.release();
    throw cacheError(path, error, 'opening');
  }
  const open = db;
  const guard = <T>(during: string, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      throw cacheError(path, error, during);
    }
  };
  const { getStmt, putStmt, countStmt } = guard('preparing', () => ({
    getStmt: open.prepare<[string], Row>('SELECT key, judge_id, status, raw, labels, prompt_tokens, response_tokens, ms, attempts, error FROM judge_calls WHERE key = ?'),
    putStmt: open.prepare<[Record<string, unknown>], never>(
      `INSERT OR REPLACE INTO judge_calls (key, judge_id, status, raw, labels, prompt_tokens, response_tokens, ms, attempts, error, updated_at)
       VALUES (@key, @judge_id, @status, @raw, @labels, @prompt_tokens, @response_tokens, @ms, @attempts, @error, @updated_at)`,
    ),
    countStmt: open.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM judge_calls GROUP BY status'),
  }));
  return {
    get(key) {
      return guard('reading', () => {
        const row = getStmt.get(key);
        if (!row) return undefined;
        const labels = JSON.parse(row.labels) as unknown;
        if (!Array.isArray(labels)) throw Object.assign(new Error(`row ${key.slice(0, 12)}… has unreadable labels`), { code: 'SQLITE_CORRUPT' });
        return {
          key: row.key,
          judgeId: row.judge_id,
          status: row.status === 'ok' ? 'ok' : 'failed',
          raw: row.raw,
          labels: labels as Array<JudgeLabel | null>,
          promptTokens: row.prompt_tokens,
          responseTokens: row.response_tokens,
          ms: row.ms,
          attempts: row.attempts,
          error: row.error ?? undefined,
        };
      });
    },
    put(call) {
      guard('writing', () =>
        putStmt.run({
          key: call.key,
          judge_id: call.judgeId,
          status: call.status,
          raw: redact(call.raw),
          labels: JSON.stringify(call.labels),
          prompt_tokens: call.promptTokens,
          response_tokens: call.responseTokens,
          ms: call.ms,
          attempts: call.attempts,
          error: call.error !== undefined ? redact(call.error) : null,
          updated_at: new Date().toISOString(),
        }),
      );
    },
    counts() {
      return guard('counting', () => {
        const out = { ok: 0, failed: 0 };
        for (const r of countStmt.all()) {
          if (r.status === 'ok') out.ok += r.n;
          else out.failed += r.n;
        }
        return out;
      });
    },
    close() {
      try {
        if (open.open) open.close();
      } finally {
        lock?.release();
      }
    },
  };
}
