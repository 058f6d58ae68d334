import { DtlError } from '@dtl/core';
import type { SampleRequest } from '@dtl/core';

/**
 * Checks a request at the sampler's public entry point: parallel arrays, k ≥ 1, ids in range, and an
 * `exclude` matrix shaped like the model. O(B); throws INVALID_ARGUMENT naming the sampler.
 */
export function validateRequest(sampler: string, request: SampleRequest): void {
  const { users, positives, k, exclude, model } = request;
  if (users.length !== positives.length) {
    throw new DtlError('INVALID_ARGUMENT', `${sampler}: ${users.length} users but ${positives.length} positives`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new DtlError('INVALID_ARGUMENT', `${sampler}: k must be a positive integer, got ${k}`);
  }
  if (exclude.nRows !== model.nUsers || exclude.nCols !== model.nItems) {
    throw new DtlError(
      'INVALID_ARGUMENT',
      `${sampler}: exclude is ${exclude.nRows}×${exclude.nCols} but the model has ${model.nUsers} users × ${model.nItems} items`,
    );
  }
  const nUsers = model.nUsers;
  const nItems = model.nItems;
  for (let b = 0; b < users.length; b++) {
    const u = users[b]!;
    const p = positives[b]!;
    if (u < 0 || u >= nUsers) throw new DtlError('INVALID_ARGUMENT', `${sampler}: pair ${b}: user ${u} outside [0, ${nUsers})`);
    if (p < 0 || p >= nItems) throw new DtlError('INVALID_ARGUMENT', `${sampler}: pair ${b}: item ${p} outside [0, ${nItems})`);
  }
}

/** Throws INVALID_ARGUMENT unless `value` is an integer ≥ `min`. */
export function checkInteger(sampler: string, key: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new DtlError('INVALID_ARGUMENT', `${sampler}: ${key} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number. */
export function checkFinite(sampler: string, key: string, value: number): number {
  if (!Number.isFinite(value)) throw new DtlError('INVALID_ARGUMENT', `${sampler}: ${key} must be finite, got ${value}`);
  return value;
}
