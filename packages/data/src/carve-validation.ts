import { DtlError, createRng, shuffleInPlace } from '@dtl/core';
import type { Csr } from '@dtl/core';

/** Options of {@link carveValidation}. */
export interface CarveValidationOptions {
  /** Fraction of each user's train items moved to validation, rounded per user. Default 0.1. */
  readonly fraction?: number | undefined;
  /** Seed of the RNG stream (required: the carve must be reproducible). */
  readonly seed: number;
  /** Never leave a user with fewer train items than this. Default 1. */
  readonly minTrainPerUser?: number | undefined;
}

/** The result of {@link carveValidation}: two disjoint matrices whose union is the input. */
export interface CarvedSplit {
  readonly train: Csr;
  readonly valid: Csr;
  /** Interactions moved from train to valid. */
  readonly moved: number;
  /** Users who got ≥1 validation item. */
  readonly usersWithValid: number;
}

/**
 * Carves a validation split out of train, for datasets published without one (early stopping on
 * test is not allowed in this project — see docs/benchmarks.md).
 *
 * The rule (per-user leave-fraction-out, the scheme LightGCN-style random splits use):
 * one RNG `createRng(seed)`; users are visited in ascending id; for a user with n train items,
 * k = min(round(fraction·n), n − minTrainPerUser) (Math.round, so half rounds up; k ≤ 0 → nothing
 * moves and no random number is drawn); otherwise the user's items, in ascending id order, are
 * Fisher–Yates shuffled with the RNG (`shuffleInPlace`) and the first k go to valid. The same seed
 * and input give the same split on every platform. Users with fewer than ⌈0.5/fraction⌉ items
 * (e.g. < 5 at 0.1) keep all of theirs.
 */
export function carveValidation(train: Csr, options: CarveValidationOptions): CarvedSplit {
  const fraction = options.fraction ?? 0.1;
  const minTrain = options.minTrainPerUser ?? 1;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new DtlError('INVALID_ARGUMENT', `carveValidation: fraction must be in [0, 1), got ${fraction}`);
  }
  if (!Number.isInteger(minTrain) || minTrain < 0) {
    throw new DtlError('INVALID_ARGUMENT', `carveValidation: minTrainPerUser must be a non-negative integer, got ${minTrain}`);
  }
  if (!Number.isFinite(options.seed)) {
    throw new DtlError('INVALID_ARGUMENT', `carveValidation: seed must be a finite number, got ${options.seed}`);
  }
  const rng = createRng(options.seed);
  const nnz = train.indptr[train.nRows]!;
  const tIndptr = new Int32Array(train.nRows + 1);
  const vIndptr = new Int32Array(train.nRows + 1);
  const tIndices = new Int32Array(nnz);
  const vIndices = new Int32Array(nnz);
  let t = 0;
  let v = 0;
  let usersWithValid = 0;
  for (let u = 0; u < train.nRows; u++) {
    tIndptr[u] = t;
    vIndptr[u] = v;
    const row = train.indices.subarray(train.indptr[u]!, train.indptr[u + 1]!);
    const n = row.length;
    const k = Math.min(Math.round(fraction * n), n - minTrain);
    if (k <= 0) {
      tIndices.set(row, t);
      t += n;
      continue;
    }
    const shuffled = shuffleInPlace(Int32Array.from(row), rng);
    const held = shuffled.subarray(0, k).sort();
    const kept = shuffled.subarray(k).sort();
    vIndices.set(held, v);
    v += k;
    tIndices.set(kept, t);
    t += n - k;
    usersWithValid++;
  }
  tIndptr[train.nRows] = t;
  vIndptr[train.nRows] = v;
  return {
    train: { nRows: train.nRows, nCols: train.nCols, indptr: tIndptr, indices: tIndices.slice(0, t) },
    valid: { nRows: train.nRows, nCols: train.nCols, indptr: vIndptr, indices: vIndices.slice(0, v) },
    moved: v,
    usersWithValid,
  };
}
