import type { Csr } from '@dtl/core';

/** Whether a typed array lives in a SharedArrayBuffer (then posting it to a worker shares, not copies). */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

/** The array itself when already shared, else a copy in a new SharedArrayBuffer. */
export function toSharedFloat32(array: Float32Array): Float32Array {
  if (isShared(array)) return array;
  const out = new Float32Array(new SharedArrayBuffer(array.byteLength));
  out.set(array);
  return out;
}

/** The array itself when already shared, else a copy in a new SharedArrayBuffer. */
export function toSharedInt32(array: Int32Array): Int32Array {
  if (isShared(array)) return array;
  const out = new Int32Array(new SharedArrayBuffer(array.byteLength));
  out.set(array);
  return out;
}

/** A zero-filled shared Float32Array / Int32Array of `length` elements. */
export function allocSharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

export function allocSharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/** A CSR whose `indptr` and `indices` are shared. */
export function toSharedCsr(csr: Csr): Csr {
  return { nRows: csr.nRows, nCols: csr.nCols, indptr: toSharedInt32(csr.indptr), indices: toSharedInt32(csr.indices) };
}
