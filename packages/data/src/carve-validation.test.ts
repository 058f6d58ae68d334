import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs, csrRow, csrRowLength, csrUnion } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { carveValidation } from './carve-validation.ts';
import { intersectionCount } from './internal/csr-ops.ts';
import { catchDtl } from './internal/test-files.ts';

function randomTrain(seed: number, nUsers = 60, nItems = 80): Csr {
  const rng = createRng(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const n = rng.int(25); // some users with 0..4 items, who keep everything
    for (let k = 0; k < n; k++) {
      rows.push(u);
      cols.push(rng.int(nItems));
    }
  }
  return csrFromPairs(nUsers, nItems, rows, cols).csr;
}

describe('carveValidation', () => {
  const train = randomTrain(11);

  it('is deterministic for a seed and differs across seeds', () => {
    const a = carveValidation(train, { seed: 3 });
    const b = carveValidation(train, { seed: 3 });
    const c = carveValidation(train, { seed: 4 });
    expect(b).toEqual(a);
    expect(Array.from(c.valid.indices)).not.toEqual(Array.from(a.valid.indices));
  });

  it('splits train into two disjoint parts whose union is the input', () => {
    const { train: kept, valid, moved } = carveValidation(train, { fraction: 0.25, seed: 9 });
    expect(intersectionCount(kept, valid)).toBe(0);
    expect(csrUnion(kept, valid)).toEqual(train);
    expect(moved).toBe(valid.indices.length);
    for (let u = 0; u < train.nRows; u++) {
      const row = csrRow(valid, u);
      for (let k = 1; k < row.length; k++) expect(row[k]!).toBeGreaterThan(row[k - 1]!);
    }
  });

  it('moves round(fraction·n) items per user, never leaving fewer than minTrainPerUser', () => {
    for (const [fraction, minTrainPerUser] of [[0.1, 1], [0.5, 3], [0.9, 2]] as const) {
      const { train: kept, valid, usersWithValid } = carveValidation(train, { fraction, seed: 1, minTrainPerUser });
      let withValid = 0;
      for (let u = 0; u < train.nRows; u++) {
        const n = csrRowLength(train, u);
        const expected = Math.max(0, Math.min(Math.round(fraction * n), n - minTrainPerUser));
        expect(csrRowLength(valid, u)).toBe(expected);
        if (n >= minTrainPerUser) expect(csrRowLength(kept, u)).toBeGreaterThanOrEqual(minTrainPerUser);
        if (expected > 0) withValid++;
      }
      expect(usersWithValid).toBe(withValid);
    }
  });

  it('rejects bad arguments', () => {
    catchDtl(() => carveValidation(train, { seed: 1, fraction: 1 }), 'INVALID_ARGUMENT');
    catchDtl(() => carveValidation(train, { seed: 1, fraction: -0.1 }), 'INVALID_ARGUMENT');
    catchDtl(() => carveValidation(train, { seed: 1, minTrainPerUser: 0.5 }), 'INVALID_ARGUMENT');
    catchDtl(() => carveValidation(train, { seed: Number.NaN }), 'INVALID_ARGUMENT');
  });
});
