import { codeSimilarity } from '@dtl/core';
import type { Codebook } from '@dtl/core';

/**
 * Item codes packed into one 32-bit key per item (level d in bits [32 − b(d+1), 32 − bd), b = bits per
 * level), so the common-prefix length of two codes is `clz32(keyA ^ keyB) / b` — O(1) instead of a
 * walk over both paths. Fits the authors' trees (4 children → 2 bits, depth ≤ 16).
 */
export interface PackedCodes {
  readonly keys: Int32Array;
  readonly lens: Uint8Array;
  readonly bits: number;
}

/** Packs a codebook, or returns undefined when its codes do not fit 32 bits (use codeSimilarity then). */
export function packCodes(cb: Codebook): PackedCodes | undefined {
  let maxDigit = 0;
  let maxLen = 0;
  for (let i = 0; i < cb.nItems; i++) {
    const len = cb.offsets[i + 1]! - cb.offsets[i]!;
    if (len > maxLen) maxLen = len;
  }
  for (let p = 0; p < cb.paths.length; p++) {
    const d = cb.paths[p]!;
    if (d < 0) return undefined;
    if (d > maxDigit) maxDigit = d;
  }
  let bits = 1;
  while (1 << bits <= maxDigit) bits++;
  if (bits * maxLen > 32 || maxLen > 255) return undefined;
  const keys = new Int32Array(cb.nItems);
  const lens = new Uint8Array(cb.nItems);
  for (let i = 0; i < cb.nItems; i++) {
    const start = cb.offsets[i]!;
    const len = cb.offsets[i + 1]! - start;
    let key = 0;
    for (let d = 0; d < len; d++) key |= cb.paths[start + d]! << (32 - bits * (d + 1));
    keys[i] = key;
    lens[i] = len;
  }
  return { keys, lens, bits };
}

/** codeSimilarity(a, b) from packed keys: LCP / min(|a|, |b|), 0 if either code is empty. */
export function packedSimilarity(pc: PackedCodes, a: number, b: number): number {
  const la = pc.lens[a]!;
  const lb = pc.lens[b]!;
  const n = la < lb ? la : lb;
  if (n === 0) return 0;
  const x = pc.keys[a]! ^ pc.keys[b]!;
  if (x === 0) return 1;
  const lcp = Math.floor(Math.clz32(x) / pc.bits);
  return (lcp < n ? lcp : n) / n;
}

/** A similarity function for one codebook: packed when it fits, else the reference walk. */
export function similarityFn(cb: Codebook): (a: number, b: number) => number {
  const pc = packCodes(cb);
  return pc !== undefined ? (a, b) => packedSimilarity(pc, a, b) : (a, b) => codeSimilarity(cb, a, b);
}
