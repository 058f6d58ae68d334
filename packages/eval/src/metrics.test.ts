import { describe, expect, it } from 'vitest';
import { userMetrics } from './metrics.ts';

const g = (rank1: number): number => 1 / Math.log2(rank1 + 1); // gain at 1-based rank

describe('userMetrics (hand-computed)', () => {
  it('counts hits, positions and ideal DCG over min(|relevant|, K)', () => {
    const m = userMetrics([3, 7, 1, 9, 2], [7, 2, 5], [1, 3, 5])!;
    expect(m['recall@1']).toBe(0);
    expect(m['ndcg@1']).toBe(0);
    expect(m['precision@1']).toBe(0);
    expect(m['hit@1']).toBe(0);
    expect(m['mrr@1']).toBe(0);
    // K = 3: one hit (item 7) at rank 2.
    expect(m['recall@3']).toBeCloseTo(1 / 3, 12);
    expect(m['precision@3']).toBeCloseTo(1 / 3, 12);
    expect(m['hit@3']).toBe(1);
    expect(m['mrr@3']).toBe(0.5);
    expect(m['ndcg@3']).toBeCloseTo(g(2) / (g(1) + g(2) + g(3)), 12);
    // K = 5: hits at ranks 2 and 5; IDCG still over 3 relevant items.
    expect(m['recall@5']).toBeCloseTo(2 / 3, 12);
    expect(m['precision@5']).toBeCloseTo(2 / 5, 12);
    expect(m['mrr@5']).toBe(0.5);
    expect(m['ndcg@5']).toBeCloseTo((g(2) + g(5)) / (g(1) + g(2) + g(3)), 12);
    expect(m['ndcg@5']).toBeCloseTo(0.477622, 5);
  });

  it('a user with fewer relevant items than K can reach NDCG 1 and recall 1', () => {
    const m = userMetrics([4, 1, 2], [4], [3])!;
    expect(m).toEqual({ 'recall@3': 1, 'ndcg@3': 1, 'precision@3': 1 / 3, 'hit@3': 1, 'mrr@3': 1 });
  });

  it('K larger than the ranked list: padding never hits, precision still divides by K', () => {
    const m = userMetrics([2, 0, 1, -1, -1], [1], [5, 10])!;
    expect(m['recall@5']).toBe(1);
    expect(m['precision@5']).toBe(1 / 5);
    expect(m['precision@10']).toBe(1 / 10);
    expect(m['ndcg@5']).toBe(0.5); // 1 / log2(4)
    expect(m['mrr@10']).toBeCloseTo(1 / 3, 12);
  });

  it('duplicate relevant ids count once; no relevant item means not evaluated', () => {
    const m = userMetrics([5, 6], [6, 6], [2])!;
    expect(m['recall@2']).toBe(1);
    expect(m['ndcg@2']).toBeCloseTo(g(2) / g(1), 12);
    expect(userMetrics([1, 2], [], [2])).toBeNull();
  });
});
