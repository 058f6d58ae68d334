/**
 * Top-K selection of one score row with a fixed-size binary min-heap whose root is the current K-th
 * best (the running threshold). Order: score descending, ties by lower item index first. Because
 * items are scanned in ascending index order, a later item with a score equal to the threshold is
 * never better than the entries already kept, so `score > threshold` is the whole admission test.
 * Scores that are not `> -Infinity` (masked entries, -Infinity, NaN) are never selected.
 * Source: the classic bounded-heap partial sort (Knuth, TAOCP vol. 3, §5.2.3).
 *
 * Pure: no imports, typed arrays only, so it runs unchanged in worker threads.
 */

/** `true` when (sa, ia) ranks below (sb, ib). */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

/**
 * Selects the best `k` of `scores[rowOffset .. rowOffset + nItems)` into
 * `outItems/outScores[outOffset .. outOffset + k)`, padded with -1 / -Infinity.
 * `heapS`/`heapI` are caller-owned scratch of length ≥ k.
 */
export function selectTopKRow(
  scores: Float32Array,
  rowOffset: number,
  nItems: number,
  k: number,
  outItems: Int32Array,
  outScores: Float32Array,
  outOffset: number,
  heapS: Float64Array,
  heapI: Int32Array,
): void {
  let count = 0;
  let i = 0;
  // Fill phase: the first k selectable items enter unconditionally.
  for (; i < nItems && count < k; i++) {
    const s = scores[rowOffset + i]!;
    if (!(s > -Infinity)) continue;
    let pos = count++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const ps = heapS[parent]!;
      const pi = heapI[parent]!;
      if (!worse(s, i, ps, pi)) break;
      heapS[pos] = ps;
      heapI[pos] = pi;
      pos = parent;
    }
    heapS[pos] = s;
    heapI[pos] = i;
  }
  // Scan phase: a tight compare against the running threshold; admissions are rare (≈ k·ln(n/k)).
  if (count === k) {
    let threshold = heapS[0]!;
    const end = rowOffset + nItems;
    for (let p = rowOffset + i; p < end; p++) {
      const s = scores[p]!;
      if (s > threshold) {
        siftDownFromRoot(heapS, heapI, count, s, p - rowOffset);
        threshold = heapS[0]!;
      }
    }
  }
  popInto(heapS, heapI, count, k, outItems, outScores, outOffset);
}

/**
 * {@link selectTopKRow} for a row that lives in WebAssembly memory at byte address `rowByte`
 * (16-byte aligned; `scores` / `words` are views of the whole memory): after the fill phase,
 * `collect` lists the 4-float chunks above the running threshold with SIMD compares, so only those
 * are examined in JS. Same result as {@link selectTopKRow}. Entries `[nItems, ceil4(nItems))` must
 * hold -Infinity; `listByte` is scratch for `1 + LIST_MAX` int32 words.
 */
export function selectTopKRowCollect(
  scores: Float32Array,
  words: Int32Array,
  rowByte: number,
  nItems: number,
  k: number,
  outItems: Int32Array,
  outScores: Float32Array,
  outOffset: number,
  heapS: Float64Array,
  heapI: Int32Array,
  collect: (ptr: number, end: number, threshold: number, list: number, max: number) => number,
  listByte: number,
): void {
  const rowOffset = rowByte >> 2;
  let count = 0;
  let i = 0;
  for (; i < nItems && count < k; i++) {
    const s = scores[rowOffset + i]!;
    if (!(s > -Infinity)) continue;
    let pos = count++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const ps = heapS[parent]!;
      const pi = heapI[parent]!;
      if (!worse(s, i, ps, pi)) break;
      heapS[pos] = ps;
      heapI[pos] = pi;
      pos = parent;
    }
    heapS[pos] = s;
    heapI[pos] = i;
  }
  if (count === k) {
    let threshold = heapS[0]!;
    // Finish the partial chunk in JS, then let `collect` find the candidate chunks.
    for (; i < nItems && (i & 3) !== 0; i++) {
      const s = scores[rowOffset + i]!;
      if (s > threshold) {
        siftDownFromRoot(heapS, heapI, count, s, i);
        threshold = heapS[0]!;
      }
    }
    const endByte = rowByte + ((nItems + 3) & ~3) * 4;
    const list = listByte >> 2;
    let ptr = rowByte + i * 4;
    while (ptr < endByte) {
      const n = collect(ptr, endByte, threshold, listByte, LIST_MAX);
      ptr = words[list]!;
      for (let q = 1; q <= n; q++) {
        const c = (words[list + q]! - rowByte) >> 2;
        for (let j = c; j < c + 4; j++) {
          const s = scores[rowOffset + j]!;
          if (s > threshold) {
            siftDownFromRoot(heapS, heapI, count, s, j);
            threshold = heapS[0]!;
          }
        }
      }
    }
  }
  popInto(heapS, heapI, count, k, outItems, outScores, outOffset);
}

/** Candidate chunks returned per `collect` call. */
export const LIST_MAX = 64;

/** Writes the heap best-first into the output row and pads it. */
function popInto(
  heapS: Float64Array,
  heapI: Int32Array,
  count: number,
  k: number,
  outItems: Int32Array,
  outScores: Float32Array,
  outOffset: number,
): void {
  for (let n = count; n > 0; n--) {
    outItems[outOffset + n - 1] = heapI[0]!;
    outScores[outOffset + n - 1] = heapS[0]!;
    if (n > 1) siftDownFromRoot(heapS, heapI, n - 1, heapS[n - 1]!, heapI[n - 1]!);
  }
  for (let j = count; j < k; j++) {
    outItems[outOffset + j] = -1;
    outScores[outOffset + j] = -Infinity;
  }
}

/** Places (s, i) at the root of a heap of `size` entries and sifts it down. */
function siftDownFromRoot(heapS: Float64Array, heapI: Int32Array, size: number, s: number, i: number): void {
  let pos = 0;
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (right < size && worse(heapS[right]!, heapI[right]!, heapS[left]!, heapI[left]!)) child = right;
    if (!worse(heapS[child]!, heapI[child]!, s, i)) break;
    heapS[pos] = heapS[child]!;
    heapI[pos] = heapI[child]!;
    pos = child;
  }
  heapS[pos] = s;
  heapI[pos] = i;
}

/** Sets `scores[rowOffset + item] = -Infinity` for every item of CSR row `row`. */
export function maskRow(
  scores: Float32Array,
  rowOffset: number,
  nItems: number,
  indptr: Int32Array,
  indices: Int32Array,
  row: number,
): void {
  const end = indptr[row + 1]!;
  for (let p = indptr[row]!; p < end; p++) {
    const item = indices[p]!;
    if (item >= 0 && item < nItems) scores[rowOffset + item] = -Infinity;
  }
}
