import { DtlError } from './errors.ts';
import type { NegativeBatch } from './model.ts';

/**
 * The layout of a {@link NegativeBatch}, written once (models, mixed samplers and the conformance
 * suites use these instead of re-deriving index arithmetic).
 *
 * Negative j of pair b is slot `t = b*k + j`. An `items` batch holds `items[t]`. A `mixed` batch holds,
 * per slot t and layer l, `nSources` (item, weight) sources starting at
 * {@link mixedOffset}`(t, l, nLayers, nSources) = (t*nLayers + l)*nSources`; negative t at layer l is
 * Σ_s weights[o+s] · e_{items[o+s], l}. `picked[t]` is the real item the negative was mostly built from.
 */
export type MixedNegativeBatch = Extract<NegativeBatch, { kind: 'mixed' }>;

/** Offset of the first source of slot `t` (= b*k + j) at layer `l` in a mixed batch's `items`/`weights`. */
export function mixedOffset(t: number, l: number, nLayers: number, nSources: number): number {
  return (t * nLayers + l) * nSources;
}

/** Entries of a mixed batch's `items` and `weights` for B pairs: B·k·nLayers·nSources. */
export function mixedBatchLength(nPairs: number, k: number, nLayers: number, nSources: number): number {
  return nPairs * k * nLayers * nSources;
}

/** Entries of `batch.items` expected for `nPairs` pairs (B·k for items, B·k·nLayers·nSources for mixed). */
export function negativeBatchLength(batch: NegativeBatch, nPairs: number): number {
  return batch.kind === 'items' ? nPairs * batch.k : mixedBatchLength(nPairs, batch.k, batch.nLayers, batch.nSources);
}

/**
 * Allocates a zeroed mixed batch for `nPairs` pairs (`items`/`weights` of {@link mixedBatchLength}
 * entries, `picked` of nPairs·k) for a sampler to fill.
 */
export function allocateMixedBatch(nPairs: number, k: number, nLayers: number, nSources: number): MixedNegativeBatch {
  const n = mixedBatchLength(nPairs, k, nLayers, nSources);
  return {
    kind: 'mixed',
    k,
    nLayers,
    nSources,
    items: new Int32Array(n),
    weights: new Float32Array(n),
    picked: new Int32Array(nPairs * k),
  };
}

/**
 * Calls `fn(item, weight)` for every source of slot `t` at layer `l` of a mixed batch, in source
 * order. Small enough to inline; hot loops may use {@link mixedOffset} directly.
 */
export function forEachSource(
  batch: MixedNegativeBatch,
  t: number,
  l: number,
  fn: (item: number, weight: number) => void,
): void {
  const S = batch.nSources;
  const o = (t * batch.nLayers + l) * S;
  for (let s = 0; s < S; s++) fn(batch.items[o + s]!, batch.weights[o + s]!);
}

/** What {@link validateNegativeBatch} checks the batch against. */
export interface NegativeBatchExpectation {
  /** Pairs in the batch (B). */
  readonly nPairs: number;
  /** Item count; every item (and mixed source) must be an integer in [0, nItems). */
  readonly nItems: number;
  /** The model's layer count; a mixed batch must have exactly this many layers. */
  readonly nLayers: number;
}

/**
 * Throws a `DtlError` with code `INVALID_ARGUMENT` naming the first problem of a malformed negative
 * batch: a non-positive or non-integer `k`, wrong `items`/`weights`/`picked` lengths, a mixed batch
 * whose `nLayers` differs from the model's or whose `nSources` is not a positive integer, an item or
 * source outside [0, nItems), or a non-finite mixing weight. O(batch size); models call it at the top
 * of `trainStep`.
 */
export function validateNegativeBatch(batch: NegativeBatch, expect: NegativeBatchExpectation): void {
  const { nPairs: B, nItems, nLayers } = expect;
  const K = batch.k;
  if (!Number.isInteger(K) || K <= 0) throw new DtlError('INVALID_ARGUMENT', `negatives.k must be a positive integer, got ${K}`);
  if (batch.kind === 'items') {
    if (batch.items.length !== B * K) throw new DtlError('INVALID_ARGUMENT', `negatives hold ${batch.items.length} entries, expected ${B * K} (${B} pairs × k=${K})`);
    checkItems(batch.items, nItems, 'negative item');
    return;
  }
  if (batch.kind !== 'mixed') throw new DtlError('INVALID_ARGUMENT', `unknown negative batch kind "${(batch as { kind: unknown }).kind}"`);
  if (batch.nLayers !== nLayers) throw new DtlError('INVALID_ARGUMENT', `mixed negatives have ${batch.nLayers} layers, the model ${nLayers}`);
  const S = batch.nSources;
  if (!Number.isInteger(S) || S <= 0) throw new DtlError('INVALID_ARGUMENT', `mixed negatives need a positive integer nSources, got ${S}`);
  const n = mixedBatchLength(B, K, nLayers, S);
  if (batch.items.length !== n || batch.weights.length !== n) {
    throw new DtlError('INVALID_ARGUMENT', `mixed negatives hold ${batch.items.length} items / ${batch.weights.length} weights, expected ${n} (${B} pairs × k=${K} × ${nLayers} layers × ${S} sources)`);
  }
  if (batch.picked.length !== B * K) throw new DtlError('INVALID_ARGUMENT', `mixed negatives have ${batch.picked.length} picked items, expected ${B * K}`);
  checkItems(batch.items, nItems, 'mixed negative source item');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(batch.weights[i]!)) throw new DtlError('INVALID_ARGUMENT', `mixed negative weight ${batch.weights[i]} at offset ${i} is not finite`);
  }
}

function checkItems(items: Int32Array, nItems: number, what: string): void {
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    if (v < 0 || v >= nItems) throw new DtlError('INVALID_ARGUMENT', `${what} ${v} at offset ${i} outside 0..${nItems - 1}`);
  }
}
