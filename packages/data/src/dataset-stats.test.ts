import { describe, expect, it } from 'vitest';
import { csrFromPairs } from '@dtl/core';
import type { InteractionData } from '@dtl/core';
import { datasetStats, summarizeDegrees } from './dataset-stats.ts';

describe('datasetStats', () => {
  // 4 users × 3 items. train: u0 {0,1}, u1 {0}; valid: u2 {1}; test: u0 {2}, u1 {0,2}; user 3 has nothing.
  const m = (rows: number[], cols: number[]) => csrFromPairs(4, 3, rows, cols).csr;
  const data: InteractionData = {
    name: 'toy',
    nUsers: 4,
    nItems: 3,
    train: m([0, 0, 1], [0, 1, 0]),
    valid: m([2], [1]),
    test: m([0, 1, 1], [2, 0, 2]),
  };

  it('matches the hand-computed numbers of a toy dataset', () => {
    const s = datasetStats(data);
    expect(s.interactions).toEqual({ train: 3, valid: 1, test: 3, total: 7 });
    expect(s.density).toBeCloseTo(7 / 12, 12);
    // all-split degrees: users [3, 3, 1, 0], items [3, 2, 2]
    expect(s.userDegree).toEqual({ min: 0, median: 2, mean: 7 / 4, max: 3 });
    expect(s.itemDegree).toEqual({ min: 2, median: 2, mean: 7 / 3, max: 3 });
    // train degrees: users [2, 1, 0, 0], items [2, 1, 0]
    expect(s.trainUserDegree).toEqual({ min: 0, median: 0.5, mean: 0.75, max: 2 });
    expect(s.trainItemDegree).toEqual({ min: 0, median: 1, mean: 1, max: 2 });
    expect([s.usersWithTrain, s.itemsWithTrain, s.usersWithValid, s.usersWithTest]).toEqual([2, 2, 1, 2]);
    expect([s.usersWithAny, s.itemsWithAny]).toEqual([3, 3]);
    expect(s.overlaps).toEqual({ trainValid: 0, trainTest: 1, validTest: 0 });
    expect(s.cold.valid).toEqual({ users: 1, items: 0, userInteractions: 1, itemInteractions: 0, interactions: 1 });
    expect(s.cold.test).toEqual({ users: 0, items: 1, userInteractions: 0, itemInteractions: 2, interactions: 2 });
  });

  it('handles absent eval splits', () => {
    const s = datasetStats({ ...data, valid: undefined, test: undefined });
    expect(s.interactions).toEqual({ train: 3, valid: 0, test: 0, total: 3 });
    expect(s.cold).toEqual({ valid: undefined, test: undefined });
    expect(s.userDegree).toEqual(s.trainUserDegree);
  });

  it('summarizeDegrees: odd and even counts, empty', () => {
    expect(summarizeDegrees([5, 1, 3])).toEqual({ min: 1, median: 3, mean: 3, max: 5 });
    expect(summarizeDegrees([4, 1, 3, 10])).toEqual({ min: 1, median: 3.5, mean: 4.5, max: 10 });
    expect(summarizeDegrees([])).toEqual({ min: 0, median: 0, mean: 0, max: 0 });
  });
});
