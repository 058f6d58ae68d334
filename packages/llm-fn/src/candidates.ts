/**
 * Candidates for false-negative identification (method.md, pipeline step 1): for every user, the
 * top-K items a trained model scores highest among the items the user has not interacted with in
 * train. ALL users are used by default — choosing users by whether they have test items would read
 * split labels (clean protocol).
 */
import { assertArgument } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { topKMasked } from '@dtl/kernels';
import type { CandidateSet } from './candidate-set.ts';

/** Options of {@link topKCandidates}. */
export interface TopKCandidatesOptions {
  /** Pooled user embeddings, `nUsers × dim` row-major. */
  readonly users: Float32Array;
  /** Pooled item embeddings, `nItems × dim` row-major. */
  readonly items: Float32Array;
  readonly dim: number;
  /** Training interactions: masked, so candidates are unobserved items. */
  readonly train: Csr;
  /** Candidates per user (default 20). */
  readonly k?: number;
  /** Which users (default: all users 0..nUsers-1, in order). */
  readonly userIds?: Int32Array;
}

/** Top-K unobserved items per user by dot product; ties go to the lower item index, −1 pads short rows. */
export function topKCandidates(options: TopKCandidatesOptions): CandidateSet {
  const k = options.k ?? 20;
  assertArgument(Number.isInteger(k) && k >= 1, `k must be a positive integer, got ${k}`);
  assertArgument(options.dim > 0 && options.users.length % options.dim === 0, `user embeddings are not a multiple of dim ${options.dim}`);
  const nUsers = options.users.length / options.dim;
  const userIds = options.userIds ?? Int32Array.from({ length: nUsers }, (_, u) => u);
  const result = topKMasked({ users: options.users, items: options.items, dim: options.dim, userIds, k, mask: options.train });
  return { k: result.k, users: userIds, items: result.items };
}
