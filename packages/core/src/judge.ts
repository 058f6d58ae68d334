/**
 * The false-negative judge contract (method.md §6): offline, a judge reads the tree codes of one
 * user's training history and of some candidate items (unobserved items a trained model ranks high)
 * and says which candidates the user would likely like — "false negatives" of negative sampling.
 *
 * Candidates are named by their LOCAL INDEX in {@link JudgeRequest.candidates}, never by code: codes
 * are not unique (a tree leaf holds many items), so a code cannot name an item.
 */

/** Both tree codes of one item: root→leaf child indices in the `co` and `se` trees. */
export interface JudgeItemCodes {
  readonly co: ArrayLike<number>;
  readonly se: ArrayLike<number>;
}

/**
 * One judging call. Per-user granularity sends all of a user's candidates at once; per-pair
 * granularity sends a single candidate (local index 0). `history` is the user's full training
 * history; prompt-based judges truncate it to their token budget themselves.
 */
export interface JudgeRequest {
  readonly history: readonly JudgeItemCodes[];
  readonly candidates: readonly JudgeItemCodes[];
}

export type JudgeLabel = 'positive' | 'negative';

/** What a judge answered for one request. */
export interface JudgeResult {
  /**
   * One entry per candidate local index (`labels.length === request.candidates.length`); `null`
   * when the answer said nothing usable about that candidate. Judgments about indices that were
   * not candidates are dropped by the judge.
   */
  readonly labels: ReadonlyArray<JudgeLabel | null>;
  /** The raw model output (for the cache and for audits); `""` for judges without a model. */
  readonly raw: string;
  /** Prompt tokens (reported by the provider, else estimated); 0 for judges without a model. */
  readonly promptTokens: number;
  /** Response tokens (reported by the provider, else estimated); 0 for judges without a model. */
  readonly responseTokens: number;
}

/**
 * A false-negative judge: a plain object, made by a `createXJudge(options)` factory in `@dtl/llm-fn`.
 * Implementations run `describeFalseNegativeJudgeContract` from `@dtl/core/testing`.
 */
export interface FalseNegativeJudge {
  /**
   * Stable identity of the judge and its model and settings, e.g. `rule:either>=1` or
   * `langchain:gpt-4o-mini:p1`. Part of every cache key. Never contains secrets.
   */
  readonly id: string;
  /**
   * A deterministic string naming exactly what would be sent for `request` (the rendered prompt for
   * LLM judges, a canonical form of the codes otherwise). Callers hash it with `id` for cache keys.
   */
  key(request: JudgeRequest): string;
  /**
   * Judges one request. Rejects with a `DtlError` (`PROVIDER_FAILURE`, `TIMEOUT`, `CANCELLED`, …)
   * when no usable answer was obtained; `signal` aborts the call (rejecting with `CANCELLED`).
   */
  judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult>;
}
