/** Code-path helpers on plain arrays (a judge request carries codes, not a codebook). */

/** `0-2-1-3`, the text form of a code path used in prompts and files. */
export function pathText(path: ArrayLike<number>): string {
  return Array.prototype.join.call(path, '-');
}

/**
 * Hierarchical similarity (method.md §5): length of the common prefix over the shorter length, in
 * [0, 1]; 1 when one path is a prefix of the other; 0 if either is empty. The same definition as
 * `codeSimilarity` in `@dtl/core`, on raw paths.
 */
export function pathSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length < b.length ? a.length : b.length;
  if (n === 0) return 0;
  let lcp = 0;
  while (lcp < n && a[lcp] === b[lcp]) lcp++;
  return lcp / n;
}
