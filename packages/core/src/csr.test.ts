import { describe, expect, it } from 'vitest';
import { csrFromPairs, csrHas, csrRow, csrTranspose, csrUnion, csrRowIds, isDtlError } from './index.ts';

describe('csr', () => {
  const { csr, duplicates } = csrFromPairs(3, 5, [2, 0, 0, 2, 0, 2], [4, 3, 1, 0, 3, 4]);

  it('sorts rows and drops duplicates', () => {
    expect(duplicates).toBe(2);
    expect(Array.from(csr.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(csrRow(csr, 0))).toEqual([1, 3]);
    expect(Array.from(csrRow(csr, 1))).toEqual([]);
    expect(Array.from(csrRow(csr, 2))).toEqual([0, 4]);
  });

  it('answers membership', () => {
    expect(csrHas(csr, 0, 3)).toBe(true);
    expect(csrHas(csr, 0, 2)).toBe(false);
    expect(csrHas(csr, 1, 0)).toBe(false);
    expect(csrHas(csr, 2, 4)).toBe(true);
  });

  it('transposes', () => {
    const t = csrTranspose(csr);
    expect(t.nRows).toBe(5);
    expect(Array.from(csrRow(t, 3))).toEqual([0]);
    expect(Array.from(csrRow(t, 4))).toEqual([2]);
    expect(Array.from(csrRowIds(csr))).toEqual([0, 0, 2, 2]);
  });

  it('unions two matrices', () => {
    const other = csrFromPairs(3, 5, [1, 0], [2, 1]).csr;
    const u = csrUnion(csr, other);
    expect(Array.from(csrRow(u, 0))).toEqual([1, 3]);
    expect(Array.from(csrRow(u, 1))).toEqual([2]);
  });

  it('rejects out-of-range pairs with a typed error', () => {
    try {
      csrFromPairs(2, 2, [0], [5]);
      expect.unreachable();
    } catch (e) {
      expect(isDtlError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
