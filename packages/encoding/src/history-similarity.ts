import { DtlError, codeSimilarity } from '@dtl/core';
import type { Codebook, Csr, Rng } from '@dtl/core';

/** Result of {@link historySimilarity}. */
export interface HistorySimilarity {
  /** Mean prefix similarity of two distinct items drawn from one user's train history. */
  readonly sameUser: number;
  /** Mean prefix similarity of two distinct uniformly random items. */
  readonly random: number;
  readonly pairs: number;
}

/**
 * The collaborative-signal check of the dual-tree codes: mean `codeSimilarity` (LCP / min length,
 * method.md §5) of two distinct items from the same user's train history (user drawn uniformly
 * among users with ≥ 2 items) versus two distinct uniformly random items. Codes that carry
 * collaborative signal score clearly higher on the first. Default 100,000 pairs of each kind.
 */
export function historySimilarity(codebook: Codebook, train: Csr, rng: Rng, options: { pairs?: number } = {}): HistorySimilarity {
  const pairs = options.pairs ?? 100_000;
  if (train.nCols !== codebook.nItems) {
    throw new DtlError('INVALID_ARGUMENT', `historySimilarity: train has ${train.nCols} items, codebook ${codebook.nItems}`);
  }
  const users: number[] = [];
  for (let u = 0; u < train.nRows; u++) if (train.indptr[u + 1]! - train.indptr[u]! >= 2) users.push(u);
  if (users.length === 0 || codebook.nItems < 2) throw new DtlError('INVALID_ARGUMENT', 'historySimilarity: no user with two items');
  let same = 0;
  let rand = 0;
  for (let p = 0; p < pairs; p++) {
    const u = users[rng.int(users.length)]!;
    const s = train.indptr[u]!;
    const len = train.indptr[u + 1]! - s;
    const a = rng.int(len);
    let b = rng.int(len - 1);
    if (b >= a) b++;
    same += codeSimilarity(codebook, train.indices[s + a]!, train.indices[s + b]!);
    const x = rng.int(codebook.nItems);
    let y = rng.int(codebook.nItems - 1);
    if (y >= x) y++;
    rand += codeSimilarity(codebook, x, y);
  }
  return { sameUser: same / pairs, random: rand / pairs, pairs };
}
