import { DtlError } from './errors.ts';

/**
 * Compressed sparse rows: row r holds `indices[indptr[r] .. indptr[r+1])`. Interactions (users ×
 * items) and item graphs are stored this way. Builders in this file sort each row ascending and
 * drop duplicates, which {@link csrHas} relies on.
 */
export interface Csr {
  readonly nRows: number;
  readonly nCols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Builds a row-sorted, duplicate-free CSR from parallel row/column arrays; returns it and the duplicates dropped. */
export function csrFromPairs(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
): { csr: Csr; duplicates: number } {
  if (rows.length !== cols.length) {
    throw new DtlError('INVALID_ARGUMENT', `csrFromPairs: ${rows.length} rows but ${cols.length} columns`);
  }
  const counts = new Int32Array(nRows + 1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const c = cols[i]!;
    if (r < 0 || r >= nRows || c < 0 || c >= nCols) {
      throw new DtlError('INVALID_ARGUMENT', `csrFromPairs: pair (${r}, ${c}) outside ${nRows}×${nCols}`);
    }
    counts[r + 1]!++;
  }
  for (let r = 0; r < nRows; r++) counts[r + 1]! += counts[r]!;
  const fill = counts.slice(0, nRows);
  const raw = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) raw[fill[rows[i]!]!++] = cols[i]!;
  const indptr = new Int32Array(nRows + 1);
  let write = 0;
  let duplicates = 0;
  for (let r = 0; r < nRows; r++) {
    const start = counts[r]!;
    const end = counts[r + 1]!;
    const row = raw.subarray(start, end).sort();
    indptr[r] = write;
    for (let k = 0; k < row.length; k++) {
      if (k > 0 && row[k] === row[k - 1]) {
        duplicates++;
        continue;
      }
      raw[write++] = row[k]!;
    }
  }
  indptr[nRows] = write;
  return { csr: { nRows, nCols, indptr, indices: raw.slice(0, write) }, duplicates };
}

/** Number of stored entries in row r. */
export function csrRowLength(csr: Csr, r: number): number {
  return csr.indptr[r + 1]! - csr.indptr[r]!;
}

/** The column indices of row r (a view, not a copy). */
export function csrRow(csr: Csr, r: number): Int32Array {
  return csr.indices.subarray(csr.indptr[r]!, csr.indptr[r + 1]!);
}

/** Whether (r, c) is stored; rows must be sorted ascending (true for every builder here). */
export function csrHas(csr: Csr, r: number, c: number): boolean {
  let lo = csr.indptr[r]!;
  let hi = csr.indptr[r + 1]! - 1;
  const idx = csr.indices;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = idx[mid]!;
    if (v === c) return true;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Total stored entries. */
export function csrNnz(csr: Csr): number {
  return csr.indptr[csr.nRows]!;
}

/** The transpose (items × users for an interaction matrix), rows sorted. */
export function csrTranspose(csr: Csr): Csr {
  const counts = new Int32Array(csr.nCols + 1);
  const nnz = csrNnz(csr);
  for (let k = 0; k < nnz; k++) counts[csr.indices[k]! + 1]!++;
  for (let c = 0; c < csr.nCols; c++) counts[c + 1]! += counts[c]!;
  const fill = counts.slice(0, csr.nCols);
  const indices = new Int32Array(nnz);
  for (let r = 0; r < csr.nRows; r++) {
    for (let k = csr.indptr[r]!; k < csr.indptr[r + 1]!; k++) indices[fill[csr.indices[k]!]!++] = r;
  }
  return { nRows: csr.nCols, nCols: csr.nRows, indptr: counts, indices };
}

/** Row r of `a` ∪ row r of `b`, for every row (both must have the same shape). */
export function csrUnion(a: Csr, b: Csr): Csr {
  if (a.nRows !== b.nRows || a.nCols !== b.nCols) {
    throw new DtlError('INVALID_ARGUMENT', `csrUnion: shapes ${a.nRows}×${a.nCols} and ${b.nRows}×${b.nCols} differ`);
  }
  const rows: number[] = [];
  const cols: number[] = [];
  for (const m of [a, b]) {
    for (let r = 0; r < m.nRows; r++) {
      for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
        rows.push(r);
        cols.push(m.indices[k]!);
      }
    }
  }
  return csrFromPairs(a.nRows, a.nCols, rows, cols).csr;
}

/** Row index of every stored entry, in storage order (the COO row array). */
export function csrRowIds(csr: Csr): Int32Array {
  const out = new Int32Array(csrNnz(csr));
  for (let r = 0; r < csr.nRows; r++) out.fill(r, csr.indptr[r]!, csr.indptr[r + 1]!);
  return out;
}

/** A CSR matrix with a value per stored entry (e.g. a normalized adjacency). */
export interface WeightedCsr extends Csr {
  readonly values: Float32Array;
}
