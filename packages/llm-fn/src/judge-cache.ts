/**
 * The judge-call cache contract, its key, and an in-memory implementation. One entry per call key =
 * SHA-256 of (judge id, judge.key(request)) — i.e. judge + model + prompt hash — holding the status,
 * the raw response, the parsed labels, token counts, timing and attempts. The durable SQLite
 * implementation is {@link openJudgeCache} (`sqlite-judge-cache.ts`), which loads the optional
 * package better-sqlite3 only when it is called: users without a cache never load it.
 */
import type { FalseNegativeJudge, JudgeLabel, JudgeRequest } from '@dtl/core';
import { sha256 } from './internal/hash.ts';
import { createRedactor } from './internal/redact.ts';

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

/** The cache handle. Implementations redact `raw` and `error` before they persist them. */
export interface JudgeCache {
  get(key: string): CachedCall | undefined;
  /** Inserts or replaces an entry (durable before it returns, for durable implementations). */
  put(call: CachedCall): void;
  /** Entry counts by status. */
  counts(): { ok: number; failed: number };
  close(): void;
}

/** Options of the cache implementations. */
export interface JudgeCacheOptions {
  /** Secret values (e.g. the API key) removed from every stored string; see `redactSecrets`. */
  readonly redact?: readonly string[];
}

/** The cache key of a request for a judge: hex SHA-256 of the judge id and its prompt / canonical request. */
export function judgeCallKey(judge: FalseNegativeJudge, request: JudgeRequest): string {
  return sha256(judge.id, judge.key(request));
}

/** A cache that lives as long as the process (tests, one-off runs, installs without better-sqlite3). */
export function createMemoryJudgeCache(options: JudgeCacheOptions = {}): JudgeCache {
  const redact = createRedactor(options.redact);
  const rows = new Map<string, CachedCall>();
  return {
    get: (key) => rows.get(key),
    put(call) {
      rows.set(call.key, { ...call, raw: redact(call.raw), labels: [...call.labels], ...(call.error !== undefined ? { error: redact(call.error) } : {}) });
    },
    counts() {
      const out = { ok: 0, failed: 0 };
      for (const r of rows.values()) out[r.status === 'ok' ? 'ok' : 'failed']++;
      return out;
    },
    close() {
      rows.clear();
    },
  };
}
