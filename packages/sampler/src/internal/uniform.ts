import { DtlError } from '@dtl/core';
import type { Csr, Rng } from '@dtl/core';

/** Rejection attempts before enumerating the complement (expected attempts are < 2 below 50% exclusion). */
const MAX_TRIES = 32;

export function noValidNegative(sampler: string, user: number, nItems: number): DtlError {
  return new DtlError(
    'NO_VALID_NEGATIVE',
    `${sampler}: user ${user} has no valid negative: all ${nItems} items are excluded`,
  );
}

/**
 * The r-th (0-based) item of [0, nItems) that is not in the sorted, duplicate-free row
 * `indices[start..end)`: walk the excluded ids in order and skip past each one at or below the
 * running answer. O(row length), no allocation.
 */
export function nthNotExcluded(indices: Int32Array, start: number, end: number, r: number): number {
  let item = r;
  for (let p = start; p < end; p++) {
    if (indices[p]! <= item) item++;
    else break;
  }
  return item;
}

/**
 * Whether `item` is in the sorted row `indices[lo..hi)`: a branch-predictable linear scan for short
 * rows (most users), binary search for long ones.
 */
export function rowHas(indices: Int32Array, lo: number, hi: number, item: number): boolean {
  if (hi - lo <= 24) {
    let found = false;
    for (let p = lo; p < hi; p++) if (indices[p] === item) found = true;
    return found;
  }
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * One uniform item of [0, nItems) not excluded for user u: rejection sampling while the user excludes
 * under half the items, then (or directly, for users excluding most items) an exact draw from the
 * complement by rank. Both paths sample the same distribution (uniform over the complement).
 */
export function drawUniform(sampler: string, exclude: Csr, u: number, nItems: number, rng: Rng): number {
  const start = exclude.indptr[u]!;
  const end = exclude.indptr[u + 1]!;
  const nEx = end - start;
  if (nEx === 0) return rng.int(nItems);
  if (nEx >= nItems) throw noValidNegative(sampler, u, nItems);
  const idx = exclude.indices;
  if (nEx * 2 <= nItems) {
    for (let t = 0; t < MAX_TRIES; t++) {
      const i = rng.int(nItems);
      if (!rowHas(idx, start, end, i)) return i;
    }
  }
  return nthNotExcluded(idx, start, end, rng.int(nItems - nEx));
}

/** Draws per pair from which marking the user's excluded items beats scanning the row per draw. */
const MARK_MIN_DRAWS = 4;
/**
 * Item stamps of {@link fillUniform}: `stamps[i] === stamp` marks item i as excluded for the pair being
 * drawn. Each pair takes a fresh stamp, so the marks never need clearing (one write per excluded item
 * instead of two); the table is zeroed only when the 31-bit counter wraps. Grown on demand.
 */
let stamps = new Int32Array(0);
let stamp = 0;

/**
 * Fills `out[b*n + c]` with n uniform non-excluded items for each pair b. Every draw is exactly
 * {@link drawUniform}'s (same RNG calls, same items); with several draws per pair (the candidate
 * lists of the hard samplers) the user's excluded items are stamped in an item table once per pair, so
 * each rejection test is one lookup instead of a scan of the row.
 */
export function fillUniform(
  sampler: string,
  users: Int32Array,
  exclude: Csr,
  nItems: number,
  n: number,
  rng: Rng,
  out: Int32Array,
): void {
  if (n < MARK_MIN_DRAWS) {
    for (let b = 0; b < users.length; b++) {
      const u = users[b]!;
      const o = b * n;
      for (let c = 0; c < n; c++) out[o + c] = drawUniform(sampler, exclude, u, nItems, rng);
    }
    return;
  }
  if (stamps.length < nItems) {
    stamps = new Int32Array(nItems);
    stamp = 0;
  }
  if (stamp > 0x7fffffff - users.length) {
    stamps.fill(0);
    stamp = 0;
  }
  const mark = stamps;
  const { indptr, indices: idx } = exclude;
  for (let b = 0; b < users.length; b++) {
    const u = users[b]!;
    const o = b * n;
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    const nEx = end - start;
    if (nEx === 0) {
      for (let c = 0; c < n; c++) out[o + c] = rng.int(nItems);
      continue;
    }
    if (nEx >= nItems) throw noValidNegative(sampler, u, nItems);
    if (nEx * 2 > nItems) {
      for (let c = 0; c < n; c++) out[o + c] = nthNotExcluded(idx, start, end, rng.int(nItems - nEx));
      continue;
    }
    // The module counter is bumped per pair (not once per call), so a throw mid-call cannot reuse a stamp.
    const st = ++stamp;
    for (let p = start; p < end; p++) mark[idx[p]!] = st;
    for (let c = 0; c < n; c++) {
      let item = -1;
      for (let t = 0; t < MAX_TRIES; t++) {
        const i = rng.int(nItems);
        if (mark[i] !== st) {
          item = i;
          break;
        }
      }
      out[o + c] = item >= 0 ? item : nthNotExcluded(idx, start, end, rng.int(nItems - nEx));
    }
  }
}
