import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DtlError, csrFromPairs, csrUnion, isDtlError } from '@dtl/core';
import { readLightGcnFile } from '@dtl/data';
import type { Csr, DenseMatrix, DualCodebook, InteractionData } from '@dtl/core';
import { fniMetrics } from '@dtl/eval';
import type { FniMetrics } from '@dtl/eval';
import { createRedactor, flaggedPairs, importJudgeBatch, openJudgeCache, runJudging, topKCandidates, writeFalseNegativeSet, writeJudgeBatch } from '@dtl/llm-fn';
import type { ImportJudgeBatchStats, RuleJudgeOptions } from '@dtl/llm-fn';
import { createJudge, judgeEndpoint, judgeSecrets } from '../providers.ts';
import type { LlmSpec } from '../providers.ts';

export interface JudgeFalseNegativesOptions {
  readonly data: InteractionData;
  /** Pooled embeddings of the trained model that proposes candidates. */
  readonly userEmb: DenseMatrix;
  readonly itemEmb: DenseMatrix;
  readonly codes: DualCodebook;
  readonly spec: LlmSpec;
  readonly per: 'user' | 'pair';
  readonly concurrency?: number | undefined;
  /** Judge only users 0..n-1 (by id, never chosen by held-out labels); default all. */
  readonly users?: number | undefined;
  readonly candidates: number;
  readonly cachePath: string;
  readonly artifactPath: string;
  readonly rule?: RuleJudgeOptions;
  readonly tokenBudget?: number | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly threads: number;
  /** Reply cap in bytes (default 256 KiB): a longer reply is a failed call. */
  readonly maxReplyBytes?: number | undefined;
  /** Environment for the provider key (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly artifactMeta?: Record<string, unknown>;
  /**
   * Offline judging: import this batch results file (OpenAI batch output JSONL) into the cache, then
   * label from the cache only — no request is sent. Needs an `openai:` spec.
   */
  readonly batchIn?: string | undefined;
  /** `body.response_format` of batch request lines (default json_schema). */
  readonly batchResponseFormat?: 'json_schema' | 'json_object' | 'none' | undefined;
  readonly signal?: AbortSignal;
  readonly onInfo?: (line: string) => void;
  /**
   * Known true preferences that are in no split (the synthetic generator's planted likes), for an
   * exact measurement of false-negative identification. Reported only.
   */
  readonly planted?: Csr | undefined;
}

/** The planted preferences of a synthetic dataset folder (`truth/preferences.txt`), if it has them. */
export function readPlantedPreferences(dataDir: string, nUsers: number, nItems: number): Csr | undefined {
  const file = join(dataDir, 'truth', 'preferences.txt');
  if (!existsSync(file)) return undefined;
  const pairs = readLightGcnFile(file, { nUsers, nItems, allowEmpty: true });
  return csrFromPairs(nUsers, nItems, pairs.users, pairs.items).csr;
}

export interface JudgeFalseNegativesResult {
  readonly result: {
    judge: string;
    per: 'user' | 'pair';
    users: number;
    requests: number;
    calls: number;
    cached: number;
    failed: number;
    too_large: number;
    /** Batch import: requests without a usable result (unlabeled; write a new batch file for them). */
    missing: number;
    /** Batch import counters (with `--batch-in`). */
    batch?: ImportJudgeBatchStats | undefined;
    retries: number;
    timeouts: number;
    candidates: number;
    positives: number;
    unlabeled: number;
    positive_rate: number;
    precision: number;
    recall: number;
    f1: number;
    base_rate: number;
    held_out_in_candidates: number;
    prompt_tokens: number;
    response_tokens: number;
    call_seconds: number;
    seconds: number;
    artifact: string;
    cache: string;
    /** Against planted true preferences (synthetic data only): the exact FNI measurement. */
    planted?: { precision: number; recall: number; f1: number; base_rate: number } | undefined;
  };
  readonly metrics: FniMetrics;
  readonly pairs: Csr;
}

/**
 * False-negative identification (method.md §1, §6): each user's top-K unobserved items under the
 * trained model are judged (rule or LLM); every call goes through the SQLite cache, so a killed run
 * resumes without repeating a completed call; the flagged pairs are written as a versioned artifact.
 * Precision/recall against valid+test are computed here for the report only (evaluator side).
 */
export async function judgeFalseNegatives(options: JudgeFalseNegativesOptions): Promise<JudgeFalseNegativesResult> {
  return redacted(options, (o, secrets) => judge(o, secrets));
}

/** What {@link writeJudgeBatchFile} wrote. */
export interface JudgeBatchOutResult {
  readonly judge: string;
  readonly per: 'user' | 'pair';
  readonly users: number;
  readonly requests: number;
  /** Lines written: prompts without a cached answer. */
  readonly written: number;
  readonly cached: number;
  readonly prompt_tokens_estimate: number;
  readonly model: string;
  readonly batch_out: string;
  readonly cache: string;
}

/**
 * Writes every prompt of the candidate set not yet answered in the cache as an OpenAI batch request
 * line (`--batch-out`); nothing is sent. Run the file with `vllm run-batch` or a Batch API, then pass
 * the results with `batchIn`.
 */
export async function writeJudgeBatchFile(options: JudgeFalseNegativesOptions & { readonly batchOut: string }): Promise<JudgeBatchOutResult> {
  const batchOut = options.batchOut;
  return redacted(options, async (o, secrets) => {
    const { spec } = o;
    if (spec.kind !== 'openai') throw new DtlError('INVALID_ARGUMENT', `batch files need an openai:<model> judge (the model the batch engine serves), got ${spec.kind}`);
    const { candidates, nJudged, cache, app } = await setup(o, secrets);
    try {
      o.onInfo?.(`judge ${app.judge.id}, per ${o.per}: ${nJudged} users × ${o.candidates} candidates; writing batch requests (nothing is sent)`);
      const w = writeJudgeBatch(batchOut, {
        judge: app.judge,
        model: spec.model,
        codes: o.codes,
        history: o.data.train,
        candidates,
        granularity: o.per,
        cache,
        redact: secrets,
        ...(o.tokenBudget ? { prompt: { tokenBudget: o.tokenBudget } } : {}),
        ...(o.batchResponseFormat ? { responseFormat: o.batchResponseFormat } : {}),
      });
      return {
        judge: app.judge.id,
        per: o.per,
        users: nJudged,
        requests: w.requests,
        written: w.written,
        cached: w.cached,
        prompt_tokens_estimate: w.promptTokens,
        model: spec.model,
        batch_out: batchOut,
        cache: o.cachePath,
      };
    } finally {
      cache.close();
      await app.dispose();
    }
  });
}

async function redacted<T>(options: JudgeFalseNegativesOptions, f: (o: JudgeFalseNegativesOptions, secrets: readonly string[]) => Promise<T>): Promise<T> {
  const env = options.env ?? process.env;
  const secrets = judgeSecrets(env);
  const redact = createRedactor(secrets);
  try {
    return await f({ ...options, env, onInfo: options.onInfo ? (line) => options.onInfo!(redact(line)) : undefined }, secrets);
  } catch (error) {
    // Nothing that reaches a log may hold the key: rethrow with the message redacted.
    if (isDtlError(error)) {
      const message = redact(error.message);
      if (message === error.message) throw error;
      throw new DtlError(error.code, message);
    }
    throw new Error(redact(String((error as Error)?.message ?? error)));
  }
}

async function setup(options: JudgeFalseNegativesOptions, secrets: readonly string[]) {
  const { data, userEmb, itemEmb, spec } = options;
  const nJudged = Math.min(options.users ?? data.nUsers, data.nUsers);
  const candidates = topKCandidates({
    users: userEmb.data,
    items: itemEmb.data,
    dim: userEmb.dim,
    train: data.train,
    k: options.candidates,
    userIds: Int32Array.from({ length: nJudged }, (_, u) => u),
  });
  // The cache first: a cache locked by another live process fails before any model is loaded.
  const cache = openJudgeCache(options.cachePath, { redact: secrets });
  let app: Awaited<ReturnType<typeof createJudge>>;
  try {
    app = await createJudge(spec, {
      env: options.env ?? process.env,
      rule: options.rule,
      ...(options.tokenBudget ? { prompt: { tokenBudget: options.tokenBudget } } : {}),
      timeoutMs: options.timeoutMs,
      threads: options.threads,
      ...(options.maxReplyBytes ? { maxReplyBytes: options.maxReplyBytes } : {}),
    });
  } catch (error) {
    cache.close();
    throw error;
  }
  return { candidates, nJudged, cache, app };
}

async function judge(options: JudgeFalseNegativesOptions, secrets: readonly string[]): Promise<JudgeFalseNegativesResult> {
  const t0 = performance.now();
  const { data, spec } = options;
  if (options.batchIn !== undefined && spec.kind !== 'openai') {
    throw new DtlError('INVALID_ARGUMENT', `batch files need an openai:<model> judge (the one the batch file was written for), got ${spec.kind}`);
  }
  const { candidates, nJudged, cache, app } = await setup(options, secrets);
  let batch: ImportJudgeBatchStats | undefined;
  if (options.batchIn !== undefined) {
    try {
      batch = await importJudgeBatch(options.batchIn, {
        judge: app.judge,
        codes: options.codes,
        history: data.train,
        candidates,
        granularity: options.per,
        cache,
        redact: secrets,
        ...(options.maxReplyBytes ? { maxReplyBytes: options.maxReplyBytes } : {}),
      });
    } catch (error) {
      cache.close();
      await app.dispose();
      throw error;
    }
    options.onInfo?.(
      `batch ${options.batchIn}: ${batch.lines} lines, ${batch.stored} stored, ${batch.failed} failed (${batch.tooLarge} too large), ` +
        `${batch.alreadyCached} already cached, ${batch.malformed} malformed, ${batch.unknown} unknown and ${batch.duplicate} duplicate custom_id`,
    );
    for (const p of batch.problems) options.onInfo?.(`  ${p}`);
  } else {
    options.onInfo?.(`judge endpoint: ${judgeEndpoint(spec)}`);
  }
  options.onInfo?.(`judge ${app.judge.id}, per ${options.per}: ${nJudged} users × ${options.candidates} candidates; cache ${options.cachePath}`);
  let lastReport = 0;
  let outcome;
  try {
    outcome = await runJudging({
      judge: app.judge,
      codes: options.codes,
      history: data.train,
      candidates,
      granularity: options.per,
      concurrency: options.concurrency ?? (spec.kind === 'gguf' ? 1 : 4),
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      cache,
      cacheOnly: options.batchIn !== undefined,
      redact: secrets,
      ...(options.maxReplyBytes ? { maxReplyBytes: options.maxReplyBytes } : {}),
      signal: options.signal,
      onProgress: (e) => {
        const now = performance.now();
        if (now - lastReport > 2000 || e.done === e.total) {
          lastReport = now;
          options.onInfo?.(`  ${e.done}/${e.total} requests`);
        }
      },
    });
  } finally {
    cache.close();
    await app.dispose();
  }
  const { stats, labels } = outcome;
  const pairs = flaggedPairs(candidates, labels, data.nUsers, data.nItems);
  writeFalseNegativeSet(options.artifactPath, {
    meta: {
      judge: app.judge.id,
      granularity: options.per,
      nUsers: data.nUsers,
      nItems: data.nItems,
      candidatesPerUser: options.candidates,
      candidates: stats.candidates,
      positives: stats.positives,
      unlabeled: stats.unlabeled,
      usersJudged: nJudged,
      createdAt: new Date().toISOString(),
      ...options.artifactMeta,
    },
    pairs,
  }, { redact: secrets });
  // Reported only (evaluator side): flagged candidates vs the users' valid + test positives.
  const empty: Csr = csrFromPairs(data.nUsers, data.nItems, [], []).csr;
  const heldOut = csrUnion(data.valid ?? empty, data.test ?? empty);
  const m = fniMetrics({ candidates, labels, heldOut });
  const p = options.planted ? fniMetrics({ candidates, labels, heldOut: options.planted }) : undefined;
  return {
    metrics: m,
    pairs,
    result: {
      judge: app.judge.id,
      per: options.per,
      users: nJudged,
      requests: stats.requests,
      calls: stats.calls,
      cached: stats.cached,
      failed: stats.failed,
      too_large: stats.tooLarge,
      missing: stats.missing,
      batch,
      retries: stats.retries,
      timeouts: stats.timeouts,
      candidates: stats.candidates,
      positives: stats.positives,
      unlabeled: stats.unlabeled,
      positive_rate: m.positiveRate,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      base_rate: m.baseRate,
      held_out_in_candidates: m.heldOutInCandidates,
      prompt_tokens: stats.promptTokens,
      response_tokens: stats.responseTokens,
      call_seconds: stats.callSeconds,
      seconds: (performance.now() - t0) / 1000,
      artifact: options.artifactPath,
      cache: options.cachePath,
      planted: p ? { precision: p.precision, recall: p.recall, f1: p.f1, base_rate: p.baseRate } : undefined,
    },
  };
}
