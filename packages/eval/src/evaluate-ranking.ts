import { DtlError, type Csr, type DenseMatrix, type ProgressFn } from '@dtl/core';
import { topKFromScores, type TopKBackend, type TopKResult, type WorkerPool } from '@dtl/kernels';
import { checkEmbeddings, checkWorkers, rankOnPool } from './internal/rank-embeddings.ts';
import { DEFAULT_KS, METRIC_NAMES, accumulateUserMetrics, metricRecord, rankDiscounts } from './metrics.ts';

/**
 * A model's own scorer: fill `out` (`userIds.length × nItems`, row-major) with the scores of every
 * item for each user. Called on batches of users, in the calling thread.
 */
export type BatchScorer = (userIds: Int32Array, out: Float32Array) => void;

/** Options of {@link evaluateRanking}. Give `users` + `items`, or `scorer`. */
export interface EvaluateRankingOptions {
  /** User embeddings (`nUsers × dim`); score = dot product with `items`. */
  readonly users?: DenseMatrix | undefined;
  readonly items?: DenseMatrix | undefined;
  /** Alternative to embeddings: a batched scorer (single thread; `pool`/`workers` are ignored). */
  readonly scorer?: BatchScorer | undefined;
  /** Users × items never ranked, normally the training interactions. Default: none. */
  readonly mask?: Csr | undefined;
  /** Users × items held out (valid or test); users with no relevant item are not evaluated. */
  readonly relevant: Csr;
  /** Cutoffs; default `[5, 10, 20, 30, 50]`. */
  readonly ks?: readonly number[] | undefined;
  /** Also return every evaluated user's values. Default false. */
  readonly perUser?: boolean | undefined;
  /** Pool to rank on (embedding path). Not closed by the evaluator. */
  readonly pool?: WorkerPool | undefined;
  /** Without `pool`: number of worker threads to start for this call (closed at the end); default 1 = in this thread. */
  readonly workers?: number | undefined;
  /** Dot-product backend of the embedding path; default `auto` (WebAssembly SIMD when available). */
  readonly backend?: TopKBackend | undefined;
  /** Users per scorer call (scorer path); default 256. */
  readonly batchSize?: number | undefined;
  readonly onProgress?: ProgressFn | undefined;
}

/** Per-user values, aligned with `userIds` (the evaluated users, ascending). */
export interface PerUserMetrics {
  readonly userIds: Int32Array;
  readonly values: Record<string, Float64Array>;
}

/** Output of {@link evaluateRanking}. */
export interface RankingEvaluation {
  /** Number of users averaged over (those with ≥ 1 relevant item). */
  readonly users: number;
  /** `recall@K`, `ndcg@K`, `precision@K`, `hit@K`, `mrr@K` for every K, averaged over users. */
  readonly metrics: Record<string, number>;
  readonly perUser?: PerUserMetrics | undefined;
  /** Wall-clock seconds per phase: `rank` (scoring + masked top-K) and `metrics`. */
  readonly timings: { readonly rank: number; readonly metrics: number; readonly total: number };
}

/**
 * Exact full-ranking evaluation: every item not in `mask` is scored for every user with a relevant
 * item, the top max(ks) are kept (ties: lower item index first), and Recall / NDCG / Precision / Hit /
 * MRR @K are averaged over those users (see `metrics.ts` for the definitions). Relevant items that
 * are also masked can never be ranked but stay in the denominators (as in the LightGCN code). The
 * pool path returns exactly the numbers of the single-thread path.
 */
export async function evaluateRanking(options: EvaluateRankingOptions): Promise<RankingEvaluation> {
  const t0 = performance.now();
  const { relevant, mask, onProgress } = options;
  const ks = [...(options.ks ?? DEFAULT_KS)];
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: ks must be positive integers, got [${ks.join(', ')}]`);
  }
  const maxK = Math.max(...ks);
  const nItems = relevant.nCols;
  if (mask && (mask.nCols !== nItems || mask.nRows < relevant.nRows)) {
    throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: mask is ${mask.nRows}×${mask.nCols} but relevant is ${relevant.nRows}×${nItems}`);
  }
  const ids: number[] = [];
  for (let u = 0; u < relevant.nRows; u++) if (relevant.indptr[u + 1]! > relevant.indptr[u]!) ids.push(u);
  const userIds = Int32Array.from(ids);
  const total = userIds.length;
  onProgress?.({ stage: 'eval', done: 0, total });

  let top: TopKResult;
  if (options.scorer) {
    top = rankWithScorer(options.scorer, userIds, nItems, maxK, mask, options.batchSize ?? 256, onProgress);
  } else {
    const { users, items } = options;
    if (!users || !items) throw new DtlError('INVALID_ARGUMENT', 'evaluateRanking: give users + items embeddings, or a scorer');
    if (users.dim !== items.dim) throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: user dim ${users.dim} ≠ item dim ${items.dim}`);
    if (items.rows !== nItems) throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: ${items.rows} item rows but relevant has ${nItems} items`);
    checkEmbeddings('evaluateRanking', users, items);
    if (total > 0 && userIds[total - 1]! >= users.rows) {
      throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: user ${userIds[total - 1]} has relevant items but only ${users.rows} user rows`);
    }
    const params = { users: users.data, items: items.data, dim: users.dim, userIds, k: maxK, mask, backend: options.backend };
    const workers = checkWorkers('evaluateRanking', options.workers);
    top = await rankOnPool(params, options.pool, workers, (done) => onProgress?.({ stage: 'eval', done, total }));
  }
  const t1 = performance.now();

  const nm = METRIC_NAMES.length;
  const sums = new Float64Array(ks.length * nm);
  const stamp = new Int32Array(nItems);
  const discounts = rankDiscounts(maxK);
  const per = options.perUser ? new Float64Array(total * ks.length * nm) : undefined;
  let counted = 0;
  for (let j = 0; j < total; j++) {
    const u = userIds[j]!;
    const rel = relevant.indices.subarray(relevant.indptr[u]!, relevant.indptr[u + 1]!);
    const target = per ?? sums;
    const n = accumulateUserMetrics(top.items, j * maxK, maxK, rel, ks, discounts, stamp, j + 1, target, per ? j * ks.length * nm : 0);
    if (n > 0) counted++;
  }
  if (per) {
    // Sum in user order, as the direct path does, so both give the same floating-point result.
    for (let j = 0; j < total; j++) for (let m = 0; m < sums.length; m++) sums[m] = sums[m]! + per[j * sums.length + m]!;
  }
  const metrics = metricRecord(sums, ks, counted);
  let perUser: PerUserMetrics | undefined;
  if (per) {
    const values: Record<string, Float64Array> = {};
    for (let ki = 0; ki < ks.length; ki++) {
      for (let m = 0; m < nm; m++) {
        const col = new Float64Array(total);
        for (let j = 0; j < total; j++) col[j] = per[j * ks.length * nm + ki * nm + m]!;
        values[`${METRIC_NAMES[m]}@${ks[ki]}`] = col;
      }
    }
    perUser = { userIds, values };
  }
  const t2 = performance.now();
  onProgress?.({ stage: 'eval', done: total, total });
  return {
    users: counted,
    metrics,
    ...(perUser ? { perUser } : {}),
    timings: { rank: (t1 - t0) / 1000, metrics: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
  };
}

function rankWithScorer(
  scorer: BatchScorer,
  userIds: Int32Array,
  nItems: number,
  k: number,
  mask: Csr | undefined,
  batchSize: number,
  onProgress: ProgressFn | undefined,
): TopKResult {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DtlError('INVALID_ARGUMENT', `evaluateRanking: batchSize must be a positive integer, got ${batchSize}`);
  const total = userIds.length;
  const items = new Int32Array(total * k);
  const scores = new Float32Array(total * k);
  const buffer = new Float32Array(Math.min(batchSize, Math.max(1, total)) * nItems);
  for (let b0 = 0; b0 < total; b0 += batchSize) {
    const batch = userIds.subarray(b0, Math.min(total, b0 + batchSize));
    const out = buffer.subarray(0, batch.length * nItems);
    out.fill(0);
    scorer(batch, out);
    const part = topKFromScores({ scores: out, nItems, userIds: batch, k, mask });
    items.set(part.items, b0 * k);
    scores.set(part.scores, b0 * k);
    onProgress?.({ stage: 'eval', done: b0 + batch.length, total });
  }
  return { k, items, scores };
}
