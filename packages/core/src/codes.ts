import { DtlError } from './errors.ts';

/**
 * Item codes: each item's root→leaf path of child indices in a hierarchical index tree (method.md
 * §4), packed for speed — item i's path is `paths[offsets[i] .. offsets[i+1])`. Codes need not be
 * unique (a leaf holds several items). Built by `@dtl/encoding`; read by samplers and judges.
 */
export interface Codebook {
  readonly nItems: number;
  readonly offsets: Int32Array;
  readonly paths: Int32Array;
}

/** The two views of DTL-NS: collaborative-structure codes (`co`) and latent-semantic codes (`se`). */
export interface DualCodebook {
  readonly co: Codebook;
  readonly se: Codebook;
}

/** Builds a packed codebook from one path per item (index = item id). */
export function codebookFromPaths(paths: ReadonlyArray<ArrayLike<number>>): Codebook {
  const offsets = new Int32Array(paths.length + 1);
  for (let i = 0; i < paths.length; i++) offsets[i + 1] = offsets[i]! + paths[i]!.length;
  const packed = new Int32Array(offsets[paths.length]!);
  for (let i = 0; i < paths.length; i++) packed.set(Array.from(paths[i]!), offsets[i]!);
  return { nItems: paths.length, offsets, paths: packed };
}

/** Item i's path (a view). */
export function codeOf(codebook: Codebook, item: number): Int32Array {
  if (item < 0 || item >= codebook.nItems) {
    throw new DtlError('INVALID_ARGUMENT', `item ${item} outside codebook of ${codebook.nItems} items`);
  }
  return codebook.paths.subarray(codebook.offsets[item]!, codebook.offsets[item + 1]!);
}

/**
 * Hierarchical similarity of two items' codes (method.md §5): the length of the common prefix over
 * the shorter length, in [0, 1]; 1 when one path is a prefix of the other; 0 if either is empty.
 */
export function codeSimilarity(codebook: Codebook, a: number, b: number): number {
  const o = codebook.offsets;
  const p = codebook.paths;
  const sa = o[a]!;
  const sb = o[b]!;
  const la = o[a + 1]! - sa;
  const lb = o[b + 1]! - sb;
  const n = la < lb ? la : lb;
  if (n === 0) return 0;
  let lcp = 0;
  while (lcp < n && p[sa + lcp] === p[sb + lcp]) lcp++;
  return lcp / n;
}
