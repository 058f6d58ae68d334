/**
 * Metrics of false-negative identification (FNI), measured directly (method.md, "beyond the paper"):
 * how many candidates a judge flags, and how many of the flagged ones are held-out positives the judge
 * never saw — the user's valid + test items on real data, the planted preferences on synthetic data.
 * These numbers are REPORTED only; nothing here may feed back into training (clean protocol).
 *
 * All counts are micro-averaged over candidate slots:
 *   precision = |flagged ∩ held-out| / |flagged|
 *   recall    = |flagged ∩ held-out| / |candidates ∩ held-out|   (what the judge could have found)
 *   baseRate  = |candidates ∩ held-out| / |candidates|            (the precision of flagging everything)
 *   lift      = precision / baseRate
 * A ratio with a zero denominator is NaN (serialized as null in JSON).
 */
import { DtlError, csrHas } from '@dtl/core';
import type { Csr } from '@dtl/core';

/** Candidates as `k` slots per row, row r for user `users[r]`; item −1 = padding. */
export interface FniCandidates {
  readonly k: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/** Input of {@link fniMetrics}. */
export interface FniMetricsInput {
  readonly candidates: FniCandidates;
  /** Per slot: 1 flagged (false negative), 0 not flagged, −1 no label (counted as not flagged). */
  readonly labels: Int8Array;
  /** Held-out positives, users × items, rows sorted (any `@dtl/core` CSR builder). */
  readonly heldOut: Csr;
}

/** Output of {@link fniMetrics}. */
export interface FniMetrics {
  readonly users: number;
  readonly candidates: number;
  /** Slots with a label (0 or 1). */
  readonly labeled: number;
  readonly positives: number;
  readonly positiveRate: number;
  readonly heldOutInCandidates: number;
  readonly baseRate: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly lift: number;
}

/** Computes the FNI metrics (see the module comment). */
export function fniMetrics(input: FniMetricsInput): FniMetrics {
  const { candidates: c, labels, heldOut } = input;
  if (labels.length !== c.items.length || c.items.length !== c.users.length * c.k) {
    throw new DtlError(
      'INVALID_ARGUMENT',
      `fniMetrics: ${labels.length} labels, ${c.items.length} candidate slots, ${c.users.length} users × k=${c.k}`,
    );
  }
  let users = 0;
  let candidates = 0;
  let labeled = 0;
  let positives = 0;
  let inHeldOut = 0;
  let tp = 0;
  for (let r = 0; r < c.users.length; r++) {
    const u = c.users[r]!;
    if (u < 0 || u >= heldOut.nRows) throw new DtlError('INVALID_ARGUMENT', `fniMetrics: user ${u} outside held-out rows 0..${heldOut.nRows - 1}`);
    let any = false;
    for (let j = 0; j < c.k; j++) {
      const s = r * c.k + j;
      const item = c.items[s]!;
      if (item < 0) continue;
      any = true;
      candidates++;
      const l = labels[s]!;
      if (l >= 0) labeled++;
      const held = item < heldOut.nCols && csrHas(heldOut, u, item);
      if (held) inHeldOut++;
      if (l === 1) {
        positives++;
        if (held) tp++;
      }
    }
    if (any) users++;
  }
  const precision = tp / positives;
  const recall = tp / inHeldOut;
  const baseRate = inHeldOut / candidates;
  return {
    users,
    candidates,
    labeled,
    positives,
    positiveRate: positives / candidates,
    heldOutInCandidates: inHeldOut,
    baseRate,
    truePositives: tp,
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall),
    lift: precision / baseRate,
  };
}
