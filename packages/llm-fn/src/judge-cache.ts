/**
 * A SQLite cache of judge calls (better-sqlite3 12). One row per call key = SHA-256 of
 * (judge id, judge.key(request)) — i.e. judge + model + prompt hash — holding the status, the raw
 * response, the parsed labels, token counts, timing and attempts. Every completed call is written in
 * its own transaction the moment it finishes (WAL journal), so a process killed at any point loses at
 * most the calls still in flight: a rerun repeats no completed call. Failed calls are stored with
 * status `failed` and are retried by the next run.
 */
import Database from 'better-sqlite3';
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge, JudgeLabel, JudgeRequest } from '@dtl/core';
import { sha256 } from './internal/hash.ts';

/** One cached call. */
export interface CachedCall {
  readonly key: string;
  readonly judgeId: string;
  readonly status: 'ok' | 'failed';
  readonly raw: string;
  /** Labels per local index (`null` = not judged); empty for failed calls. */
  readonly labels: ReadonlyArray<JudgeLabel | null>;
  readonly promptTokens: number;
  readonly responseTokens: number;
  /** Wall time of the last attempt, milliseconds. */
  readonly ms: number;
  readonly attempts: number;
  /** Error message of a failed call (secrets redacted). */
  readonly error?: string | undefined;
}

/** The cache handle. */
export interface JudgeCache {
  get(key: string): CachedCall | undefined;
  /** Inserts or replaces a row in its own transaction (durable before it returns). */
  put(call: CachedCall): void;
  /** Row counts by status. */
  counts(): { ok: number; failed: number };
  close(): void;
}

/** The cache key of a request for a judge: hex SHA-256 of the judge id and its prompt / canonical request. */
export function judgeCallKey(judge: FalseNegativeJudge, request: JudgeRequest): string {
  return sha256(judge.id, judge.key(request));
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

/** Opens (creating if needed) a cache file; `:memory:` for a throwaway cache. */
export function openJudgeCache(path: string): JudgeCache {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new DtlError('IO_ERROR', `cannot open judge cache: ${String((error as Error)?.message ?? error)}`, {
      location: { file: path },
      cause: error,
    });
  }
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process kill (not a power loss) and keeps commits cheap.
  db.pragma('synchronous = NORMAL');
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
  const getStmt = db.prepare<[string], Row>('SELECT * FROM judge_calls WHERE key = ?');
  const putStmt = db.prepare(
    `INSERT OR REPLACE INTO judge_calls (key, judge_id, status, raw, labels, prompt_tokens, response_tokens, ms, attempts, error, updated_at)
     VALUES (@key, @judge_id, @status, @raw, @labels, @prompt_tokens, @response_tokens, @ms, @attempts, @error, @updated_at)`,
  );
  const countStmt = db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM judge_calls GROUP BY status');
  return {
    get(key) {
      const row = getStmt.get(key);
      if (!row) return undefined;
      return {
        key: row.key,
        judgeId: row.judge_id,
        status: row.status === 'ok' ? 'ok' : 'failed',
        raw: row.raw,
        labels: JSON.parse(row.labels) as Array<JudgeLabel | null>,
        promptTokens: row.prompt_tokens,
        responseTokens: row.response_tokens,
        ms: row.ms,
        attempts: row.attempts,
        error: row.error ?? undefined,
      };
    },
    put(call) {
      putStmt.run({
        key: call.key,
        judge_id: call.judgeId,
        status: call.status,
        raw: call.raw,
        labels: JSON.stringify(call.labels),
        prompt_tokens: call.promptTokens,
        response_tokens: call.responseTokens,
        ms: call.ms,
        attempts: call.attempts,
        error: call.error ?? null,
        updated_at: new Date().toISOString(),
      });
    },
    counts() {
      const out = { ok: 0, failed: 0 };
      for (const r of countStmt.all()) {
        if (r.status === 'ok') out.ok += r.n;
        else out.failed += r.n;
      }
      return out;
    },
    close() {
      db.close();
    },
  };
}
