/**
 * Runs a judge over a candidate set: builds one request per user (default) or per (user, candidate),
 * answers what it can from the cache, calls the judge for the rest with bounded concurrency, a
 * timeout per call, and retries with exponential backoff; writes every finished call to the cache at
 * once. A failed request is recorded (status `failed`), not fatal, and is retried by the next run.
 * Aborting `signal` stops scheduling, cancels in-flight calls (not recorded) and rejects with
 * `CANCELLED` once everything in flight has settled — a rerun repeats no completed call.
 */
import { DtlError, codeOf, csrRow, isDtlError } from '@dtl/core';
import type { Csr, DualCodebook, FalseNegativeJudge, JudgeItemCodes, JudgeRequest, ProgressFn, Rng } from '@dtl/core';
import type { CandidateSet } from './candidate-set.ts';
import { sleep } from './internal/abort.ts';
import { createRedactor } from './internal/redact.ts';
import { judgeCallKey } from './judge-cache.ts';
import type { JudgeCache } from './judge-cache.ts';

export type Granularity = 'user' | 'pair';

/** Options of {@link runJudging}. */
export interface RunJudgingOptions {
  readonly judge: FalseNegativeJudge;
  readonly codes: DualCodebook;
  /** Training interactions (users × items): each user's history. */
  readonly history: Csr;
  readonly candidates: CandidateSet;
  /** One prompt per user with all candidates (`user`, default) or one per pair (`pair`). */
  readonly granularity?: Granularity;
  /** Calls in flight at once (default 4). */
  readonly concurrency?: number;
  /** Per-call timeout in ms (default 120 000). */
  readonly timeoutMs?: number;
  /** Retries after a failed attempt (default 2). */
  readonly retries?: number;
  /** First backoff delay in ms (default 500), doubled per retry, capped by `maxBackoffMs` (default 30 000). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Seeded jitter: each delay is scaled by U(0.5, 1). Without it, no jitter. */
  readonly rng?: Rng;
  /** Where completed and failed calls are stored; without it nothing persists. */
  readonly cache?: JudgeCache;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressFn;
  /**
   * Secret values (e.g. the API key) removed from every string this run persists (cache `raw` and
   * `error`) — in addition to the credential patterns `redactSecrets` always removes.
   */
  readonly redact?: readonly string[];
  /**
   * Largest reply accepted, in UTF-8 bytes (default {@link DEFAULT_MAX_REPLY_BYTES} = 256 KiB). A
   * longer reply is recorded as a failed call (`REPLY_TOO_LARGE`, with only its first 1 KiB stored)
   * and is not retried.
   */
  readonly maxReplyBytes?: number;
  /**
   * Never call the judge: requests without an `ok` cache entry stay unlabeled and count as
   * `missing` (used after a batch import). Default false.
   */
  readonly cacheOnly?: boolean;
}

/** Default reply size cap of {@link runJudging}: 256 KiB. */
export const DEFAULT_MAX_REPLY_BYTES = 256 * 1024;

/** Bytes of an oversized reply kept in the cache for audits. */
const KEPT_PREFIX = 1024;

/**
 * Checks a reply against the size cap; returns the failure message, or undefined when it fits.
 * Shared by the live runner and the batch import, so both validate alike.
 */
export function replySizeError(raw: string, maxReplyBytes: number): string | undefined {
  if (raw.length * 3 <= maxReplyBytes) return undefined; // cheap bound: ≤ 3 bytes per UTF-16 unit
  const bytes = Buffer.byteLength(raw, 'utf8');
  return bytes > maxReplyBytes ? `REPLY_TOO_LARGE: reply of ${bytes} bytes exceeds the cap of ${maxReplyBytes} bytes (maxReplyBytes)` : undefined;
}

/** The first bytes of an oversized reply (what is stored instead of the whole). */
export function replyPrefix(raw: string): string {
  return raw.slice(0, KEPT_PREFIX);
}

/** Counters of a run. */
export interface JudgingStats {
  /** Requests (prompts) the candidate set needs at this granularity. */
  readonly requests: number;
  /** Judge invocations made by this run, retries included. */
  readonly calls: number;
  /** Requests answered from the cache. */
  readonly cached: number;
  /** Requests without an answer after all retries (recorded as failed). */
  readonly failed: number;
  /** Of `failed`: replies over the size cap. */
  readonly tooLarge: number;
  /** `cacheOnly` runs: requests without an `ok` cache entry (unlabeled; not called). */
  readonly missing: number;
  readonly retries: number;
  readonly timeouts: number;
  /** Candidate slots (padding excluded) and their outcome. */
  readonly candidates: number;
  readonly positives: number;
  readonly negatives: number;
  readonly unlabeled: number;
  /** Tokens of the calls made by this run. */
  readonly promptTokens: number;
  readonly responseTokens: number;
  /** Wall time of the run and the summed duration of its calls, seconds. */
  readonly seconds: number;
  readonly callSeconds: number;
}

/** The outcome of {@link runJudging}. */
export interface JudgingOutcome {
  /** Per candidate slot (`r·k + j`): 1 positive, 0 negative, −1 no label (padding, failed, unparsed). */
  readonly labels: Int8Array;
  readonly stats: JudgingStats;
}

/** One request of a run: a candidate-set row and the candidate slots it covers. */
export interface JudgingTask {
  readonly row: number;
  readonly slots: readonly number[];
}
type Task = JudgingTask;

/** What {@link planJudging} needs: the request-shaping part of {@link RunJudgingOptions}. */
export type JudgingPlanOptions = Pick<RunJudgingOptions, 'codes' | 'history' | 'candidates' | 'granularity'>;

/**
 * The requests a candidate set needs at a granularity, in order (shared by the live runner and the
 * batch writer / importer, so both make exactly the same prompts and cache keys).
 */
export function planJudging(o: JudgingPlanOptions): { tasks: JudgingTask[]; nCandidates: number; requestOf: (task: JudgingTask) => JudgeRequest } {
  const { candidates, codes, history } = o;
  const granularity = o.granularity ?? 'user';
  const k = candidates.k;
  const tasks: Task[] = [];
  let nCandidates = 0;
  for (let r = 0; r < candidates.users.length; r++) {
    const slots: number[] = [];
    for (let j = 0; j < k; j++) if (candidates.items[r * k + j]! >= 0) slots.push(r * k + j);
    nCandidates += slots.length;
    if (slots.length === 0) continue;
    if (granularity === 'user') tasks.push({ row: r, slots });
    else for (const s of slots) tasks.push({ row: r, slots: [s] });
  }
  const codesOf = (item: number): JudgeItemCodes => ({ co: codeOf(codes.co, item), se: codeOf(codes.se, item) });
  const requestOf = (task: Task): JudgeRequest => ({
    history: Array.from(csrRow(history, candidates.users[task.row]!), codesOf),
    candidates: task.slots.map((s) => codesOf(candidates.items[s]!)),
  });
  return { tasks, nCandidates, requestOf };
}

/** Checks the candidate set against history and codebooks, and the numeric options. */
export function validateJudging(o: Pick<RunJudgingOptions, 'codes' | 'history' | 'candidates' | 'concurrency' | 'retries' | 'timeoutMs' | 'maxReplyBytes'>): void {
  const { candidates: c, history, codes } = o;
  if (!(c.k > 0) || c.items.length !== c.users.length * c.k) {
    throw new DtlError('INVALID_ARGUMENT', `candidate set: ${c.items.length} items for ${c.users.length} users × k=${c.k}`);
  }
  for (const u of c.users) {
    if (u < 0 || u >= history.nRows) throw new DtlError('INVALID_ARGUMENT', `candidate user ${u} outside history of ${history.nRows} users`);
  }
  for (const i of c.items) {
    if (i >= codes.co.nItems || i >= codes.se.nItems || i < -1) {
      throw new DtlError('INVALID_ARGUMENT', `candidate item ${i} has no code (codebooks hold ${codes.co.nItems}/${codes.se.nItems} items)`);
    }
  }
  for (const [name, v, min] of [
    ['concurrency', o.concurrency, 1],
    ['retries', o.retries, 0],
    ['timeoutMs', o.timeoutMs, 1],
    ['maxReplyBytes', o.maxReplyBytes, 1],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new DtlError('INVALID_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${v}`);
  }
}

/** Runs the judge over the candidates (see the module comment). */
export async function runJudging(options: RunJudgingOptions): Promise<JudgingOutcome> {
  validateJudging(options);
  const { judge, codes, history, candidates, cache, signal } = options;
  const granularity = options.granularity ?? 'user';
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const redact = createRedactor(options.redact);
  const k = candidates.k;
  const labels = new Int8Array(candidates.items.length).fill(-1);

  const { tasks, nCandidates, requestOf } = planJudging(options);

  const stats = { calls: 0, cached: 0, failed: 0, tooLarge: 0, missing: 0, retries: 0, timeouts: 0, promptTokens: 0, responseTokens: 0, callSeconds: 0 };
  const started = performance.now();
  let next = 0;
  let done = 0;

  const apply = (task: Task, result: ReadonlyArray<'positive' | 'negative' | null>): void => {
    task.slots.forEach((slot, local) => {
      const l = result[local];
      labels[slot] = l === 'positive' ? 1 : l === 'negative' ? 0 : -1;
    });
  };

  const runTask = async (task: Task): Promise<void> => {
    const request = requestOf(task);
    const key = judgeCallKey(judge, request);
    const hit = cache?.get(key);
    if (hit?.status === 'ok') {
      stats.cached++;
      apply(task, hit.labels);
      return;
    }
    if (options.cacheOnly) {
      stats.missing++;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new DtlError('CANCELLED', 'judging cancelled', { cause: signal.reason });
      const timeout = AbortSignal.timeout(timeoutMs);
      const callSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const t0 = performance.now();
      stats.calls++;
      let result: Awaited<ReturnType<FalseNegativeJudge['judge']>>;
      try {
        result = await judge.judge(request, callSignal);
      } catch (error) {
        const ms = performance.now() - t0;
        stats.callSeconds += ms / 1000;
        if (signal?.aborted) throw new DtlError('CANCELLED', 'judging cancelled', { cause: signal.reason });
        const timedOut = timeout.aborted;
        if (timedOut) stats.timeouts++;
        const fatal = isDtlError(error, 'INVALID_ARGUMENT');
        if (attempt >= retries || fatal) {
          stats.failed++;
          const message = timedOut ? `TIMEOUT: no answer within ${timeoutMs} ms` : `${(error as { code?: string }).code ?? 'ERROR'}: ${String((error as Error)?.message ?? error)}`;
          const cause = (error as { cause?: { raw?: unknown } }).cause;
          cache?.put({
            key,
            judgeId: judge.id,
            status: 'failed',
            raw: redact(typeof cause?.raw === 'string' ? replyPrefix(cause.raw) : ''),
            labels: [],
            promptTokens: 0,
            responseTokens: 0,
            ms,
            attempts: attempt + 1,
            error: redact(message),
          });
          return;
        }
        stats.retries++;
        const base = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
        const delay = options.rng ? base * (0.5 + 0.5 * options.rng.next()) : base;
        if (delay > 0) await sleep(delay, signal);
        continue;
      }
      const ms = performance.now() - t0;
      stats.callSeconds += ms / 1000;
      stats.promptTokens += result.promptTokens;
      stats.responseTokens += result.responseTokens;
      const tooLarge = replySizeError(result.raw, maxReplyBytes);
      if (tooLarge !== undefined) {
        // Not stored whole and not retried: a deterministic model would send it again.
        stats.failed++;
        stats.tooLarge++;
        cache?.put({
          key,
          judgeId: judge.id,
          status: 'failed',
          raw: redact(replyPrefix(result.raw)),
          labels: [],
          promptTokens: result.promptTokens,
          responseTokens: result.responseTokens,
          ms,
          attempts: attempt + 1,
          error: tooLarge,
        });
        return;
      }
      // Written at once, in its own transaction: a kill after this line never repeats this call.
      cache?.put({
        key,
        judgeId: judge.id,
        status: 'ok',
        raw: redact(result.raw),
        labels: result.labels,
        promptTokens: result.promptTokens,
        responseTokens: result.responseTokens,
        ms,
        attempts: attempt + 1,
      });
      apply(task, result.labels);
      return;
    }
  };

  const worker = async (): Promise<void> => {
    while (next < tasks.length && !signal?.aborted) {
      const task = tasks[next++]!;
      await runTask(task);
      done++;
      options.onProgress?.({ stage: 'judge', done, total: tasks.length });
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, Math.max(1, tasks.length)) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (signal?.aborted) throw new DtlError('CANCELLED', `judging cancelled after ${done} of ${tasks.length} requests`, { cause: signal.reason });
  if (rejected) throw rejected.reason;

  let positives = 0;
  let negatives = 0;
  for (let s = 0; s < labels.length; s++) {
    if (candidates.items[s]! < 0) continue;
    if (labels[s] === 1) positives++;
    else if (labels[s] === 0) negatives++;
  }
  return {
    labels,
    stats: {
      requests: tasks.length,
      ...stats,
      candidates: nCandidates,
      positives,
      negatives,
      unlabeled: nCandidates - positives - negatives,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
