import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { createCompute } from './compute.ts';
import { spmm } from './spmm.ts';
import { arenaOf, wasmKernelsSupported } from './wasm-arena.ts';
import { adamDenseRange } from './adam.ts';

function randomCsr(n: number, perRow: number, seed: number): WeightedCsr {
  const rng = createRng(seed);
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * perRow);
  const values = new Float32Array(n * perRow);
  for (let r = 0; r < n; r++) {
    indptr[r + 1] = (r + 1) * perRow;
    for (let k = 0; k < perRow; k++) {
      indices[r * perRow + k] = rng.int(n);
      values[r * perRow + k] = rng.normal();
    }
  }
  return { nRows: n, nCols: n, indptr, indices, values };
}

describe('createCompute', () => {
  const n = 50;
  const dim = 12;
  const a = randomCsr(n, 4, 1);
  const fill = (x: Float32Array): Float32Array => {
    const rng = createRng(2);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    return x;
  };

  it('wasm: false keeps buffers out of any arena and runs the JS kernels (equal to spmm)', () => {
    const c = createCompute({ wasm: false });
    expect(c.wasm).toBe(false);
    expect(c.arena).toBeUndefined();
    const x = fill(c.f32(n * dim));
    expect(arenaOf(x)).toBeUndefined();
    expect(x.buffer).toBeInstanceOf(SharedArrayBuffer);
    const y = c.f32(n * dim);
    const want = new Float32Array(n * dim);
    c.spmm(c.csr(a), x, y, dim);
    spmm(a, x, want, dim);
    expect(Array.from(y)).toEqual(Array.from(want));
    c.close();
  });

  it.skipIf(!wasmKernelsSupported())('wasm on: buffers and the copied CSR live in its arena; 1 and 2 threads agree bit for bit', () => {
    const one = createCompute();
    const two = createCompute({ threads: 2 });
    try {
      expect(one.wasm && two.wasm).toBe(true);
      expect(two.threads).toBe(2);
      const run = (c: typeof one): Float32Array => {
        const csr = c.csr(a);
        expect(arenaOf(csr.indptr, csr.indices, csr.values)).toBe(c.arena);
        const x = fill(c.f32(n * dim));
        const y = c.f32(n * dim);
        c.spmm(csr, x, y, dim);
        c.axpy(y, x, 0.5, true);
        return Float32Array.from(y);
      };
      const y1 = run(one);
      expect(Array.from(run(two))).toEqual(Array.from(y1));
      // float32 wasm vs float64-accumulating JS: close, not equal.
      const want = new Float32Array(n * dim);
      spmm(a, fill(new Float32Array(n * dim)), want, dim);
      for (let i = 0; i < want.length; i++) want[i] = want[i]! + 0.5 * fill(new Float32Array(n * dim))[i]!;
      for (let i = 0; i < want.length; i += 37) expect(y1[i]).toBeCloseTo(want[i]!, 4);
    } finally {
      one.close();
      two.close();
      two.close();
    }
  });

  it('adamDense equals adamDenseRange on the JS path', () => {
    const c = createCompute({ wasm: false });
    const size = 40;
    const p = fill(c.f32(size)), g = fill(c.f32(size)), m = c.f32(size), v = c.f32(size);
    const [p2, g2, m2, v2] = [p, g, m, v].map((t) => Float32Array.from(t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    c.adamDense(p, g, m, v, h, 1);
    adamDenseRange(p2, g2, m2, v2, h, 1, 0, size);
    expect(Array.from(p)).toEqual(Array.from(p2));
  });

  it('rejects a bad thread count with INVALID_ARGUMENT', () => {
    expect(() => createCompute({ threads: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
