import { DtlError, csrFromPairs, csrHas, csrUnion } from '@dtl/core';
import type { Csr, InteractionData } from '@dtl/core';

/**
 * The evaluation protocols in one place. `clean` (default): only the evaluator reads valid/test labels;
 * judged positives are used as they are; evaluation masks the observed train items. `paper` (LEAKY):
 * the authors' code — judged positives that are valid/test items are dropped (reads held-out labels)
 * and evaluation masks the enhanced set. Everything that differs between the two is in this file.
 */
export const PROTOCOLS = ['clean', 'paper'] as const;

/** How judged false negatives enter training (method.md §7 and issue 8's alternatives). */
export type FnUse = 'positive' | 'exclude' | 'weighted';

export interface FalseNegativeInput {
  /** Judged false negatives, users × items. */
  readonly pairs: Csr;
  /**
   * `positive` (the paper): trained on as positives, in LightGCN's graph, never sampled as negatives.
   * `exclude`: only never sampled as negatives. `weighted`: positives with loss weight `weight`.
   */
  readonly use: FnUse;
  /** Loss weight of a judged positive under `weighted`, default 0.5. */
  readonly weight?: number;
  /** A label for logs and the fingerprint (e.g. the artifact path). */
  readonly label: string;
}

export type Protocol = (typeof PROTOCOLS)[number];

/** True when held-out labels influence training or masking: every number of such a run is LEAKY. */
export function isLeaky(protocol: Protocol): boolean {
  return protocol === 'paper';
}

/**
 * The positives to train on, the items never to sample, per-pair loss weights and the evaluation
 * mask, from the observed train set and judged false negatives under a protocol.
 */
export function trainingSets(
  data: InteractionData,
  fn: FalseNegativeInput | undefined,
  protocol: Protocol,
): { train: Csr; exclude: Csr; pairWeights: Float32Array | undefined; mask: Csr; used: number } {
  if (!fn) return { train: data.train, exclude: data.train, pairWeights: undefined, mask: data.train, used: 0 };
  if (fn.pairs.nRows !== data.nUsers || fn.pairs.nCols !== data.nItems) {
    throw new DtlError('INVALID_DATA', `false negatives are ${fn.pairs.nRows}×${fn.pairs.nCols}, dataset is ${data.nUsers}×${data.nItems}`);
  }
  let judged = csrDifference(fn.pairs, data.train);
  if (protocol === 'paper') {
    // LEAKY, as the authors' code: judged positives that are held-out items are removed.
    for (const heldOut of [data.valid, data.test]) if (heldOut) judged = csrDifference(judged, heldOut);
  }
  const used = judged.indices.length;
  const withJudged = csrUnion(data.train, judged);
  const mask = protocol === 'paper' ? withJudged : data.train;
  if (fn.use === 'exclude') return { train: data.train, exclude: withJudged, pairWeights: undefined, mask, used };
  let pairWeights: Float32Array | undefined;
  if (fn.use === 'weighted') {
    const w = fn.weight ?? 0.5;
    if (!(w > 0)) throw new DtlError('INVALID_ARGUMENT', `false-negative weight must be > 0, got ${w}`);
    pairWeights = new Float32Array(withJudged.indices.length);
    for (let u = 0; u < withJudged.nRows; u++) {
      for (let k = withJudged.indptr[u]!; k < withJudged.indptr[u + 1]!; k++) pairWeights[k] = csrHas(data.train, u, withJudged.indices[k]!) ? 1 : w;
    }
  }
  return { train: withJudged, exclude: withJudged, pairWeights, mask, used };
}

/** Entries of `a` not in `b` (same shape). */
function csrDifference(a: Csr, b: Csr): Csr {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let r = 0; r < a.nRows; r++) {
    for (let k = a.indptr[r]!; k < a.indptr[r + 1]!; k++) {
      const c = a.indices[k]!;
      if (!csrHas(b, r, c)) {
        rows.push(r);
        cols.push(c);
      }
    }
  }
  return csrFromPairs(a.nRows, a.nCols, rows, cols).csr;
}

/**
 * The items masked when ranking for the test split: the training mask, plus — when validation was
 * carved from the dataset's train file — the carved items, which are training interactions of the
 * published split (leaving them rankable would let them crowd test items out of the top K, more so the
 * better the model learns). A validation split that came with the dataset stays rankable at test
 * time, as in the reference code bases (parity).
 */
export function testMaskFor(mask: Csr, data: InteractionData, validCarved: boolean): Csr {
  return validCarved && data.valid ? csrUnion(mask, data.valid) : mask;
}
