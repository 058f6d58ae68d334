import { describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { loadTfjs } from './tfjs-backend.ts';
import type { Tfjs } from './tfjs-backend.ts';
import type { Tensor } from '@tensorflow/tfjs';

/** Hand-computed gradient of Σ_b ⟨w_b, table[idx_b]⟩ w.r.t. table: scatter-add of w_b into row idx_b. */
function scatterAdd(nRows: number, dim: number, idx: number[], w: Float32Array): Float32Array {
  const out = new Float32Array(nRows * dim);
  idx.forEach((r, b) => {
    for (let d = 0; d < dim; d++) out[r * dim + d]! += w[b * dim + d]!;
  });
  return out;
}

function checkGatherGradient(tf: Tfjs): void {
  const nRows = 6;
  const dim = 3;
  const idx = [4, 1, 4, 0, 4, 5, 1]; // duplicates on purpose: their gradients must add up
  const w = Float32Array.from({ length: idx.length * dim }, (_, i) => Math.sin(i + 1));
  const table = tf.tensor2d(Float32Array.from({ length: nRows * dim }, (_, i) => i / 7), [nRows, dim]);
  const weights = tf.tensor2d(w, [idx.length, dim]);
  const indices = tf.tensor1d(idx, 'int32');
  const grad = tf.grad((t: Tensor) => tf.sum(tf.mul(tf.gather(t, indices), weights)))(table);
  const got = grad.dataSync();
  const want = scatterAdd(nRows, dim, idx, w);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
  tf.dispose([table, weights, indices, grad]);
}

describe('loadTfjs', () => {
  it('activates a working backend (wasm here: tfjs-node has no native library) and reports it', async () => {
    const { tf, backend, skipped } = await loadTfjs();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(tf.getBackend()).toBe(backend);
    if (backend !== 'tensorflow') expect(skipped.map((s) => s.backend)).toContain('tensorflow');
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
  });

  it('the gradient of tf.gather equals a hand-computed scatter-add on the active backend', async () => {
    const { tf, backend } = await loadTfjs();
    if (backend !== 'tensorflow') expect(tf.getKernel('UnsortedSegmentSum', backend)).toBeDefined();
    checkGatherGradient(tf);
  });

  it('UnsortedSegmentSum sums rows into segments in one pass, drops out-of-range ids, keeps int32', async () => {
    const { tf } = await loadTfjs();
    const x = tf.tensor2d([1, 2, 10, 20, 100, 200, 1000, 2000], [4, 2]);
    const s = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 7], 'int32'), 3);
    expect(s.shape).toEqual([3, 2]);
    expect(Array.from(s.dataSync())).toEqual([10, 20, 0, 0, 101, 202]);
    const xi = tf.tensor1d([5, 6, 7], 'int32');
    const si = tf.unsortedSegmentSum(xi, tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(si.dtype).toBe('int32');
    expect(Array.from(si.dataSync())).toEqual([7, 11]);
    tf.dispose([x, s, xi, si]);
  });

  it('the cpu fallback gets the single-pass kernel too, and its gather gradient matches', async () => {
    const { tf, backend } = await loadTfjs({ prefer: ['cpu'] });
    expect(backend).toBe('cpu');
    const kernel = tf.getKernel('UnsortedSegmentSum', 'cpu') as unknown as { kernelFunc: Record<symbol, unknown> } | undefined;
    expect(kernel?.kernelFunc[Symbol.for('@dtl/kernels:unsorted-segment-sum')]).toBe(true);
    checkGatherGradient(tf);
    // Back to the default choice for whatever runs next in this process.
    await loadTfjs();
  });

  it('matMul with transpose flags (wasm: transposed first) equals a hand-computed product', async () => {
    const { tf } = await loadTfjs();
    // a: 2 batches × 3 × 2, b: 2 batches × 4 × 3; aᵀ·bᵀ is 2 × 2 × 4.
    const av = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const bv = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 0.7));
    const want = new Float32Array(16);
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 4; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += av[n * 6 + k * 2 + i]! * bv[n * 12 + j * 3 + k]!;
          want[n * 8 + i * 4 + j] = s;
        }
    const a = tf.tensor3d(av, [2, 3, 2]);
    const b = tf.tensor3d(bv, [2, 4, 3]);
    const before = tf.memory().numTensors;
    const y = tf.matMul(a, b, true, true);
    expect(y.shape).toEqual([2, 2, 4]);
    const got = y.dataSync();
    for (let i = 0; i < 16; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    // Rank 2, one flag: (aᵀ of batch 0)·(3 × 4 block) through transposeA only.
    const a0 = tf.tensor2d(av.subarray(0, 6), [3, 2]);
    const c = tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => i - 5), [3, 4]);
    const z = tf.matMul(a0, c, true, false).dataSync();
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += av[k * 2 + i]! * (k * 4 + j - 5);
        expect(z[i * 4 + j]).toBeCloseTo(s, 5);
      }
    expect(tf.memory().numTensors).toBe(before + 1 + 2 + 1);
    tf.dispose([a, b, y, a0, c]);
  });

  it('gather along axis 0 (wasm: rows copied in JS) keeps shapes, dtypes and errors', async () => {
    const { tf } = await loadTfjs();
    const x = tf.tensor3d(Float32Array.from({ length: 24 }, (_, i) => i), [4, 3, 2]);
    const g = tf.gather(x, tf.tensor2d([3, 0, 3, 1], [2, 2], 'int32'));
    expect(g.shape).toEqual([2, 2, 3, 2]);
    const v = g.dataSync();
    [3, 0, 3, 1].forEach((r, k) => {
      for (let e = 0; e < 6; e++) expect(v[k * 6 + e]).toBe(r * 6 + e);
    });
    const xi = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const gi = tf.gather(xi, tf.tensor1d([2, 2], 'int32'));
    expect(gi.dtype).toBe('int32');
    expect(Array.from(gi.dataSync())).toEqual([5, 6, 5, 6]);
    expect(Array.from(tf.gather(xi, tf.tensor1d([1, 0], 'int32'), 1).dataSync())).toEqual([2, 1, 4, 3, 6, 5]);
    expect(() => tf.gather(xi, tf.tensor1d([3], 'int32'))).toThrow();
  });

  it('an empty preference list is an INVALID_ARGUMENT', async () => {
    const error = await loadTfjs({ prefer: [] }).catch((e: unknown) => e);
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
