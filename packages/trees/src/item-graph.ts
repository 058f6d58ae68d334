import { DtlError, csrTranspose } from '@dtl/core';
import type { Csr } from '@dtl/core';

/**
 * A symmetric weighted item–item graph in CSR form (no self loops, rows sorted ascending):
 * row i holds the neighbours `indices[indptr[i] .. indptr[i+1])` with weights in `values`.
 */
export interface ItemGraph extends Csr {
  readonly values: Float64Array;
  /** Number of train users of each item (the diagonal of C = MᵀM). */
  readonly itemDegree: Int32Array;
}

/**
 * The Jaccard co-occurrence graph of method.md §2: C = MᵀM from the binary train matrix M
 * (users × items), W_ij = C_ij / (deg_i + deg_j − C_ij) for i ≠ j, where deg_i = C_ii is the number
 * of users of item i — the Jaccard index of the two items' user sets, hence symmetric by
 * construction. Built by sparse accumulation (one dense scratch row), O(Σ_u deg_u²) time.
 */
export function buildItemGraph(train: Csr): ItemGraph {
  const nItems = train.nCols;
  for (let k = 0; k < train.indices.length; k++) {
    const c = train.indices[k]!;
    if (c < 0 || c >= nItems) {
      throw new DtlError('INVALID_ARGUMENT', `buildItemGraph: item ${c} outside 0..${nItems - 1}`);
    }
  }
  const byItem = csrTranspose(train); // items × users
  const itemDegree = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) itemDegree[i] = byItem.indptr[i + 1]! - byItem.indptr[i]!;

  const counts = new Int32Array(nItems);
  const touched = new Int32Array(nItems);
  const indptr = new Int32Array(nItems + 1);
  let cap = Math.max(16, train.indices.length * 8);
  let indices = new Int32Array(cap);
  let values = new Float64Array(cap);
  let nnz = 0;
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let a = byItem.indptr[i]!; a < byItem.indptr[i + 1]!; a++) {
      const u = byItem.indices[a]!;
      for (let b = train.indptr[u]!; b < train.indptr[u + 1]!; b++) {
        const j = train.indices[b]!;
        if (j === i) continue;
        if (counts[j] === 0) touched[nTouched++] = j;
        counts[j]!++;
      }
    }
    const row = touched.subarray(0, nTouched).sort();
    if (nnz + nTouched > cap) {
      cap = Math.max(cap * 2, nnz + nTouched);
      const ni = new Int32Array(cap);
      ni.set(indices.subarray(0, nnz));
      indices = ni;
      const nv = new Float64Array(cap);
      nv.set(values.subarray(0, nnz));
      values = nv;
    }
    const di = itemDegree[i]!;
    for (let t = 0; t < nTouched; t++) {
      const j = row[t]!;
      const c = counts[j]!;
      indices[nnz] = j;
      values[nnz] = c / (di + itemDegree[j]! - c);
      nnz++;
      counts[j] = 0;
    }
    indptr[i + 1] = nnz;
  }
  return {
    nRows: nItems,
    nCols: nItems,
    indptr,
    indices: indices.slice(0, nnz),
    values: values.slice(0, nnz),
    itemDegree,
  };
}

/** Connected components of a graph (BFS over CSR): a label per node (0-based, in order of first node) and the count. */
export function connectedComponents(graph: Csr): { labels: Int32Array; count: number; sizes: Int32Array } {
  const n = graph.nRows;
  const labels = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const sizes: number[] = [];
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    labels[s] = count;
    while (head < tail) {
      const v = queue[head++]!;
      for (let k = graph.indptr[v]!; k < graph.indptr[v + 1]!; k++) {
        const w = graph.indices[k]!;
        if (labels[w] === -1) {
          labels[w] = count;
          queue[tail++] = w;
        }
      }
    }
    sizes.push(tail);
    count++;
  }
  return { labels, count, sizes: Int32Array.from(sizes) };
}
