/**
 * The false-negative set as a versioned artifact: one JSON file,
 * `{ format: "dtl-false-negatives", version: 1, meta: {...}, users: { "<user>": [item, ...] } }`,
 * with dense 0-based ids. `meta` records the judge id, granularity, counts and the candidate source —
 * never secrets. Another run reads it back as a users × items CSR (e.g. to union with train).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DtlError, csrFromPairs } from '@dtl/core';
import type { Csr } from '@dtl/core';
import type { CandidateSet } from './candidate-set.ts';
import { redactSecrets } from './internal/redact.ts';

export const FN_ARTIFACT_FORMAT = 'dtl-false-negatives';
export const FN_ARTIFACT_VERSION = 1;

/** Metadata stored with the set. */
export interface FalseNegativeMeta {
  readonly judge: string;
  readonly granularity: string;
  readonly nUsers: number;
  readonly nItems: number;
  readonly candidatesPerUser: number;
  readonly candidates: number;
  readonly positives: number;
  readonly unlabeled: number;
  readonly createdAt: string;
  /** Free-form provenance (run dir, code files, …); strings are redacted. */
  readonly [extra: string]: unknown;
}

/** A parsed artifact. */
export interface FalseNegativeSet {
  readonly meta: FalseNegativeMeta;
  /** Flagged pairs, users × items. */
  readonly pairs: Csr;
}

/** Flagged (label 1) candidate pairs as a CSR. */
export function flaggedPairs(candidates: CandidateSet, labels: Int8Array, nUsers: number, nItems: number): Csr {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let s = 0; s < labels.length; s++) {
    const item = candidates.items[s]!;
    if (labels[s] === 1 && item >= 0) {
      rows.push(candidates.users[Math.floor(s / candidates.k)]!);
      cols.push(item);
    }
  }
  return csrFromPairs(nUsers, nItems, rows, cols).csr;
}

/** Writes the artifact atomically (temp file + rename); `redact` lists secret values removed from `meta`. */
export function writeFalseNegativeSet(path: string, set: FalseNegativeSet, options: { readonly redact?: readonly string[] } = {}): void {
  const users: Record<string, number[]> = {};
  for (let u = 0; u < set.pairs.nRows; u++) {
    const a = set.pairs.indptr[u]!;
    const b = set.pairs.indptr[u + 1]!;
    if (b > a) users[String(u)] = Array.from(set.pairs.indices.subarray(a, b));
  }
  const meta = JSON.parse(redactSecrets(JSON.stringify(set.meta), options.redact)) as FalseNegativeMeta;
  const body = JSON.stringify({ format: FN_ARTIFACT_FORMAT, version: FN_ARTIFACT_VERSION, meta, users });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, body + '\n');
    renameSync(tmp, path);
  } catch (error) {
    throw new DtlError('IO_ERROR', `cannot write false-negative set: ${String((error as Error)?.message ?? error)}`, { location: { file: path }, cause: error });
  }
}

/** Reads and validates an artifact written by {@link writeFalseNegativeSet}. */
export function readFalseNegativeSet(path: string): FalseNegativeSet {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DtlError('INVALID_DATA', `not a readable JSON false-negative set: ${String((error as Error)?.message ?? error)}`, { location: { file: path }, cause: error });
  }
  const v = value as { format?: unknown; version?: unknown; meta?: FalseNegativeMeta; users?: Record<string, unknown> };
  if (v.format !== FN_ARTIFACT_FORMAT || v.version !== FN_ARTIFACT_VERSION || !v.meta || !v.users) {
    throw new DtlError('INVALID_DATA', `expected format "${FN_ARTIFACT_FORMAT}" version ${FN_ARTIFACT_VERSION}`, { location: { file: path } });
  }
  const { nUsers, nItems } = v.meta;
  const rows: number[] = [];
  const cols: number[] = [];
  for (const [u, items] of Object.entries(v.users)) {
    const user = Number(u);
    if (!Number.isInteger(user) || user < 0 || user >= nUsers || !Array.isArray(items)) {
      throw new DtlError('INVALID_DATA', `bad user entry "${u}"`, { location: { file: path } });
    }
    for (const it of items) {
      if (!Number.isInteger(it) || (it as number) < 0 || (it as number) >= nItems) {
        throw new DtlError('INVALID_DATA', `user ${u}: item ${String(it)} outside 0..${nItems - 1}`, { location: { file: path } });
      }
      rows.push(user);
      cols.push(it as number);
    }
  }
  return { meta: v.meta, pairs: csrFromPairs(nUsers, nItems, rows, cols).csr };
}
