import { createHash } from 'node:crypto';
import type { Csr, DenseMatrix } from '@dtl/core';

function update(h: ReturnType<typeof createHash>, view: ArrayBufferView): void {
  h.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** `sha256:<hex>` of a CSR's shape, indptr and indices bytes (little-endian, as stored). */
export function hashCsr(csr: Csr): string {
  const h = createHash('sha256');
  h.update(`csr ${csr.nRows} ${csr.nCols}\n`);
  update(h, csr.indptr);
  update(h, csr.indices);
  return `sha256:${h.digest('hex')}`;
}

/** `sha256:<hex>` of a dense matrix's shape and Float32 bytes. */
export function hashMatrix(matrix: DenseMatrix): string {
  const h = createHash('sha256');
  h.update(`dense ${matrix.rows} ${matrix.dim}\n`);
  update(h, matrix.data);
  return `sha256:${h.digest('hex')}`;
}
