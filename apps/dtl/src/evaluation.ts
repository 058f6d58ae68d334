import type { Csr, InteractionData, ModelView } from '@dtl/core';
import { evaluateRanking } from '@dtl/eval';
import type { Metrics, SplitEvaluator } from '@dtl/models';
import type { WorkerPool } from '@dtl/kernels';

export interface SplitEvaluatorOptions {
  /** Items masked at ranking time; default the observed train interactions (clean protocol). */
  readonly mask?: Csr;
  /** Items masked when ranking for the test split; default `mask` (see `testMaskFor` in protocol.ts). */
  readonly testMask?: Csr;
  readonly ks?: readonly number[];
  readonly pool?: WorkerPool;
}

/**
 * The only place in the app that reads held-out labels: it closes over valid/test and hands the fit
 * loop a function that returns metrics, never the labels themselves.
 */
export function createSplitEvaluator(data: InteractionData, options: SplitEvaluatorOptions = {}): SplitEvaluator {
  const mask = options.mask ?? data.train;
  return async (model: ModelView, split): Promise<Metrics> => {
    const relevant = split === 'valid' ? data.valid : data.test;
    if (!relevant) return {};
    const result = await evaluateRanking({
      users: { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() },
      items: { rows: model.nItems, dim: model.dim, data: model.pooledItems() },
      mask: split === 'test' ? (options.testMask ?? mask) : mask,
      relevant,
      ks: options.ks,
      pool: options.pool,
    });
    return result.metrics;
  };
}
