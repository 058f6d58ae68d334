const f = Math.fround;

/**
 * Y = A·X in float32, each element summed over k in order from +0 with a rounding per mul and per add
 * (the numerics the wasm kernels promise); A's rows are `lda` floats apart (default k).
 */
export function float32GemmReference(a: Float32Array, x: Float32Array, n: number, k: number, m: number, lda = k): Float32Array {
  const y = new Float32Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) s = f(s + f(a[r * lda + t]! * x[t * m + c]!));
      y[r * m + c] = s;
    }
  }
  return y;
}
