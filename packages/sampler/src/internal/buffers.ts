/** Returns `buf` if it holds at least n entries, else a new larger one (scratch reused across batches). */
export function growInt32(buf: Int32Array, n: number): Int32Array {
  return buf.length >= n ? buf : new Int32Array(Math.max(n, buf.length * 2));
}

export function growFloat64(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}
