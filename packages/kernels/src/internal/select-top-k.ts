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
 * (16-byte aligned; `scores` / `words` are views of the whole memory). `collect` lists the 4-float
 * chunks that can still matter with SIMD compares — first those holding a score ≥ `floor`, once the
 * heap is full those above its running threshold — and only they are examined in JS.
 *
 * `floor` must be a value that at least k entries of the row reach (or -Infinity): then every
 * top-k entry is ≥ floor and skipping the chunks entirely below it changes nothing. Candidates are
 * still visited in ascending item order, so the result (ties included) equals {@link selectTopKRow}.
 * Entries `[nItems, ceil4(nItems))` must hold -Infinity; `listByte` is scratch for `1 + LIST_MAX`
 * int32 words.
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
  floor: number,
): void {
  const rowOffset = rowByte >> 2;
  const lowBound = nextDownF32(floor); // s > lowBound  ⇔  s ≥ floor, for float32 s
  const endByte = rowByte + ((nItems + 3) & ~3) * 4;
  const list = listByte >> 2;
  let count = 0;
  let threshold = -Infinity;
  let ptr = rowByte;
  while (ptr < endByte) {
    const n = collect(ptr, endByte, count === k ? threshold : lowBound, listByte, LIST_MAX);
    ptr = words[list]!;
    for (let q = 1; q <= n; q++) {
      const c = (words[list + q]! - rowByte) >> 2;
      for (let j = c; j < c + 4; j++) {
        const s = scores[rowOffset + j]!;
        if (count < k) {
          if (!(s > -Infinity)) continue;
          let pos = count++;
          while (pos > 0) {
            const parent = (pos - 1) >> 1;
            const ps = heapS[parent]!;
            const pi = heapI[parent]!;
            if (!worse(s, j, ps, pi)) break;
            heapS[pos] = ps;
            heapI[pos] = pi;
            pos = parent;
          }
          heapS[pos] = s;
          heapI[pos] = j;
          if (count === k) threshold = heapS[0]!;
        } else if (s > threshold) {
          siftDownFromRoot(heapS, heapI, count, s, j);
          threshold = heapS[0]!;
        }
      }
    }
  }
  popInto(heapS, heapI, count, k, outItems, outScores, outOffset);
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest float32 below x (x itself for -Infinity and NaN). */
export function nextDownF32(x: number): number {
  if (!(x > -Infinity)) return x;
  if (x === 0) return -1.401298464324817e-45;
  f32[0] = x;
  i32[0] = x > 0 ? i32[0]! - 1 : i32[0]! + 1;
  return f32[0]!;
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
