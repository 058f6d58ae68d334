import type { Csr } from '@dtl/core';

/** Keeps the entries of `csr` for which `keep(row, col)` holds (rows stay sorted). */
export function filterCsr(csr: Csr, keep: (row: number, col: number) => boolean): { csr: Csr; removed: number } {
  const indptr = new Int32Array(csr.nRows + 1);
  const indices = new Int32Array(csr.indices.length);
  let write = 0;
  for (let r = 0; r < csr.nRows; r++) {
    indptr[r] = write;
    for (let k = csr.indptr[r]!; k < csr.indptr[r + 1]!; k++) {
      const c = csr.indices[k]!;
      if (keep(r, c)) indices[write++] = c;
    }
  }
  indptr[csr.nRows] = write;
  return {
    csr: { nRows: csr.nRows, nCols: csr.nCols, indptr, indices: indices.slice(0, write) },
    removed: csr.indices.length - write,
  };
}

/** Number of (row, col) entries present in both (same-shaped, row-sorted) matrices: a merge per row. */
export function intersectionCount(a: Csr, b: Csr): number {
  let count = 0;
  const rows = Math.min(a.nRows, b.nRows);
  for (let r = 0; r < rows; r++) {
    let i = a.indptr[r]!;
    const iEnd = a.indptr[r + 1]!;
    let j = b.indptr[r]!;
    const jEnd = b.indptr[r + 1]!;
    while (i < iEnd && j < jEnd) {
      const x = a.indices[i]!;
      const y = b.indices[j]!;
      if (x === y) {
        count++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
  }
  return count;
}

/** Entries per row. */
export function rowDegrees(csr: Csr): Int32Array {
  const out = new Int32Array(csr.nRows);
  for (let r = 0; r < csr.nRows; r++) out[r] = csr.indptr[r + 1]! - csr.indptr[r]!;
  return out;
}

/** Entries per column. */
export function colDegrees(csr: Csr): Int32Array {
  const out = new Int32Array(csr.nCols);
  const nnz = csr.indptr[csr.nRows]!;
  for (let k = 0; k < nnz; k++) out[csr.indices[k]!]!++;
  return out;
}

/** Cold users / items of an eval split relative to train (no train interaction). */
export interface ColdCounts {
  /** Users with ≥1 interaction in the split and none in train. */
  readonly users: number;
  /** Items with ≥1 interaction in the split and none in train. */
  readonly items: number;
  /** Interactions of the split whose user is cold. */
  readonly userInteractions: number;
  /** Interactions of the split whose item is cold (`interactions_with_item_not_in_train` in stats.json). */
  readonly itemInteractions: number;
  /** Interactions of the split whose user or item is cold (what the `'drop'` policy removes). */
  readonly interactions: number;
}

export function coldCounts(train: Csr, split: Csr): ColdCounts {
  const trainItems = colDegrees(train);
  const seenItem = new Uint8Array(split.nCols);
  let users = 0;
  let items = 0;
  let interactions = 0;
  let userInteractions = 0;
  let itemInteractions = 0;
  for (let r = 0; r < split.nRows; r++) {
    const start = split.indptr[r]!;
    const end = split.indptr[r + 1]!;
    if (start === end) continue;
    const coldUser = train.indptr[r + 1]! === train.indptr[r]!;
    if (coldUser) users++;
    for (let k = start; k < end; k++) {
      const c = split.indices[k]!;
      const coldItem = trainItems[c] === 0;
      if (coldItem && seenItem[c] === 0) {
        seenItem[c] = 1;
        items++;
      }
      if (coldUser) userInteractions++;
      if (coldItem) itemInteractions++;
      if (coldUser || coldItem) interactions++;
    }
  }
  return { users, items, userInteractions, itemInteractions, interactions };
}
