import { describe, expect, it } from 'vitest';
import { csrFromPairs } from '@dtl/core';
import type { InteractionData, ModelView } from '@dtl/core';
import { createSplitEvaluator } from './evaluation.ts';
import { testMaskFor } from './protocol.ts';

// One user, three items, 1-d embeddings: scores item0 3 > item1 2 > item2 1. Item 0 is the carved
// validation item, item 1 the test item, item 2 a train item.
const csr = (items: number[]) => csrFromPairs(1, 3, items.map(() => 0), items).csr;
const data: InteractionData = { name: 'toy', nUsers: 1, nItems: 3, train: csr([2]), valid: csr([0]), test: csr([1]) };
const model = {
  nUsers: 1,
  nItems: 3,
  dim: 1,
  pooledUsers: () => Float32Array.from([1]),
  pooledItems: () => Float32Array.from([3, 2, 1]),
} as unknown as ModelView;

describe('test-time masking', () => {
  it('masks carved validation items at test time, but not a validation split that came with the data', async () => {
    const carved = createSplitEvaluator(data, { mask: data.train, testMask: testMaskFor(data.train, data, true), ks: [1] });
    const given = createSplitEvaluator(data, { mask: data.train, testMask: testMaskFor(data.train, data, false), ks: [1] });
    expect((await carved(model, 'test'))['recall@1']).toBe(1);
    expect((await given(model, 'test'))['recall@1']).toBe(0);
    // Validation ranking masks the training mask only, in both cases.
    expect((await carved(model, 'valid'))['recall@1']).toBe(1);
  });
});
