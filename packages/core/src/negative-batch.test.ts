import { describe, expect, it } from 'vitest';
import { isDtlError } from './errors.ts';
import type { NegativeBatch } from './model.ts';
import { allocateMixedBatch, forEachSource, mixedBatchLength, mixedOffset, negativeBatchLength, validateNegativeBatch } from './negative-batch.ts';
import { logSigmoid, sigmoid, sigmoidDirect, softplus } from './scalar-math.ts';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDtlError(e) ? e.code : 'not a DtlError';
  }
  return undefined;
}

describe('negative-batch layout', () => {
  it('offsets enumerate every (slot, layer, source) once, in the documented order', () => {
    const [B, k, L, S] = [3, 2, 4, 3];
    const seen: number[] = [];
    for (let t = 0; t < B * k; t++) for (let l = 0; l < L; l++) for (let s = 0; s < S; s++) seen.push(mixedOffset(t, l, L, S) + s);
    expect(seen).toEqual(Array.from({ length: mixedBatchLength(B, k, L, S) }, (_, i) => i));
    const batch = allocateMixedBatch(B, k, L, S);
    batch.items.forEach((_, i) => (batch.items[i] = i));
    const got: number[] = [];
    forEachSource(batch, 4, 2, (item) => got.push(item));
    expect(got).toEqual([((4 * L + 2) * S), (4 * L + 2) * S + 1, (4 * L + 2) * S + 2]);
    expect(negativeBatchLength(batch, B)).toBe(B * k * L * S);
    expect(negativeBatchLength({ kind: 'items', k, items: new Int32Array(B * k) }, B)).toBe(B * k);
  });

  it('validateNegativeBatch accepts well-formed batches and rejects each malformation with INVALID_ARGUMENT', () => {
    const mixed = allocateMixedBatch(2, 2, 3, 2);
    const ok = { nPairs: 2, nItems: 5, nLayers: 3 };
    expect(codeOf(() => validateNegativeBatch(mixed, ok))).toBeUndefined();
    expect(codeOf(() => validateNegativeBatch({ kind: 'items', k: 2, items: Int32Array.of(0, 4, 1, 2) }, ok))).toBeUndefined();
    const bad: NegativeBatch[] = [
      { kind: 'items', k: 0, items: new Int32Array(0) },
      { kind: 'items', k: 1.5, items: new Int32Array(3) },
      { kind: 'items', k: 2, items: new Int32Array(3) },
      { kind: 'items', k: 2, items: Int32Array.of(0, 5, 1, 2) },
      { kind: 'items', k: 2, items: Int32Array.of(0, -1, 1, 2) },
      { ...mixed, nLayers: 2 },
      { ...mixed, nSources: 0 },
      { ...mixed, weights: mixed.weights.subarray(1) },
      { ...mixed, picked: new Int32Array(3) },
      { ...mixed, items: mixed.items.map((v, i) => (i === 7 ? 5 : v)) },
      { ...mixed, weights: mixed.weights.map((v, i) => (i === 2 ? Number.NaN : v)) },
    ];
    for (const b of bad) expect(codeOf(() => validateNegativeBatch(b, ok))).toBe('INVALID_ARGUMENT');
  });
});

describe('scalar math', () => {
  it('sigmoid equals the two-exp forms bit for bit and never overflows', () => {
    for (const x of [-30, -5.25, -1e-3, 0, 1e-3, 0.7, 5.25, 30]) {
      expect(sigmoid(x)).toBe(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
      expect(sigmoidDirect(x)).toBe(1 / (1 + Math.exp(-x)));
    }
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });

  it('softplus and logSigmoid are finite and exact in the tails', () => {
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
    expect(softplus(0)).toBe(Math.log(2));
    expect(logSigmoid(-800)).toBe(-800);
    expect(logSigmoid(2)).toBeCloseTo(Math.log(1 / (1 + Math.exp(-2))), 15);
  });
});
