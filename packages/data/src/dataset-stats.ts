import type { Csr, InteractionData } from '@dtl/core';
import { coldCounts, colDegrees, intersectionCount, rowDegrees } from './internal/csr-ops.ts';
import type { ColdCounts } from './internal/csr-ops.ts';

/** min / median / mean / max of a degree distribution. */
export interface DegreeSummary {
  readonly min: number;
  /** The middle value; the mean of the two middle values for an even count. */
  readonly median: number;
  readonly mean: number;
  readonly max: number;
}

/** Descriptive statistics of an {@link InteractionData}; see {@link datasetStats}. */
export interface DatasetStats {
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  /** Stored (unique) interactions per split and their sum. */
  readonly interactions: { readonly train: number; readonly valid: number; readonly test: number; readonly total: number };
  /** total / (nUsers · nItems). */
  readonly density: number;
  /** Degrees over all splits together (a pair in two splits counts twice), over every user 0..nUsers−1 (zeros included). */
  readonly userDegree: DegreeSummary;
  /** Degrees over all splits together, over every item 0..nItems−1. */
  readonly itemDegree: DegreeSummary;
  /** Degrees in train only. */
  readonly trainUserDegree: DegreeSummary;
  readonly trainItemDegree: DegreeSummary;
  /** Users / items with ≥1 train interaction. */
  readonly usersWithTrain: number;
  readonly itemsWithTrain: number;
  /** Users with ≥1 valid / test item (the users an evaluator scores). */
  readonly usersWithValid: number;
  readonly usersWithTest: number;
  /** Users / items with ≥1 interaction in any split. */
  readonly usersWithAny: number;
  readonly itemsWithAny: number;
  /** Pairs present in two splits. */
  readonly overlaps: { readonly trainValid: number; readonly trainTest: number; readonly validTest: number };
  /** Cold users / items of each eval split (no train interaction); undefined when the split is absent. */
  readonly cold: { readonly valid: ColdCounts | undefined; readonly test: ColdCounts | undefined };
}

/** Summary of a degree array (sorted copy; empty → all zeros). */
export function summarizeDegrees(degrees: ArrayLike<number>): DegreeSummary {
  const n = degrees.length;
  if (n === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = Float64Array.from(degrees).sort();
  let sum = 0;
  for (let k = 0; k < n; k++) sum += sorted[k]!;
  const mid = n >>> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, mean: sum / n, max: sorted[n - 1]! };
}

function nnz(csr: Csr | undefined): number {
  return csr ? csr.indptr[csr.nRows]! : 0;
}

function countPositive(a: Int32Array): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (a[k]! > 0) n++;
  return n;
}

/** Statistics of a dataset: sizes, interactions per split, density, degree summaries, eval users, cold counts, overlaps. */
export function datasetStats(data: InteractionData): DatasetStats {
  const { train, valid, test } = data;
  const userAll = rowDegrees(train);
  const itemAll = colDegrees(train);
  const trainUserDegree = summarizeDegrees(userAll);
  const trainItemDegree = summarizeDegrees(itemAll);
  const usersWithTrain = countPositive(userAll);
  const itemsWithTrain = countPositive(itemAll);
  let usersWithValid = 0;
  let usersWithTest = 0;
  for (const [split, isValid] of [[valid, true], [test, false]] as const) {
    if (!split) continue;
    const rows = rowDegrees(split);
    const cols = colDegrees(split);
    for (let u = 0; u < rows.length; u++) userAll[u]! += rows[u]!;
    for (let i = 0; i < cols.length; i++) itemAll[i]! += cols[i]!;
    if (isValid) usersWithValid = countPositive(rows);
    else usersWithTest = countPositive(rows);
  }
  const interactions = {
    train: nnz(train),
    valid: nnz(valid),
    test: nnz(test),
    total: nnz(train) + nnz(valid) + nnz(test),
  };
  const cells = data.nUsers * data.nItems;
  return {
    name: data.name,
    nUsers: data.nUsers,
    nItems: data.nItems,
    interactions,
    density: cells > 0 ? interactions.total / cells : 0,
    userDegree: summarizeDegrees(userAll),
    itemDegree: summarizeDegrees(itemAll),
    trainUserDegree,
    trainItemDegree,
    usersWithTrain,
    itemsWithTrain,
    usersWithValid,
    usersWithTest,
    usersWithAny: countPositive(userAll),
    itemsWithAny: countPositive(itemAll),
    overlaps: {
      trainValid: valid ? intersectionCount(train, valid) : 0,
      trainTest: test ? intersectionCount(train, test) : 0,
      validTest: valid && test ? intersectionCount(valid, test) : 0,
    },
    cold: { valid: valid ? coldCounts(train, valid) : undefined, test: test ? coldCounts(train, test) : undefined },
  };
}
