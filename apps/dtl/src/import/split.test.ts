import { describe, expect, it } from 'vitest';
import { TEST, TRAIN, VALID, assignSplits, finalizeSplits } from './split.ts';

/** Users 0..n-1 with sizes[u] interactions each, items 0.., times increasing. */
function grouped(sizes: number[]) {
  const users: number[] = [];
  const items: number[] = [];
  sizes.forEach((m, u) => {
    for (let k = 0; k < m; k++) (users.push(u), items.push(k));
  });
  return { nUsers: sizes.length, nItems: Math.max(...sizes), users: Int32Array.from(users), items: Int32Array.from(items), times: Float64Array.from(users, (_, k) => k) };
}

const count = (labels: Uint8Array, from: number, to: number, label: number) => labels.subarray(from, to).filter((l) => l === label).length;

describe('assignSplits', () => {
  it('random: round(n·test) test and round(n·valid) valid per user, at least one train item, seeded', () => {
    const data = grouped([10, 1, 2, 3, 20]);
    const { labels } = assignSplits(data, { kind: 'random', valid: 0.1, test: 0.2, seed: 1 });
    expect([count(labels, 0, 10, TEST), count(labels, 0, 10, VALID)]).toEqual([2, 1]);
    expect(labels[10]).toBe(TRAIN); // one interaction: train only
    expect(count(labels, 11, 13, TRAIN)).toBeGreaterThanOrEqual(1);
    expect([count(labels, 16, 36, TEST), count(labels, 16, 36, VALID)]).toEqual([4, 2]);
    expect(assignSplits(data, { kind: 'random', valid: 0.1, test: 0.2, seed: 1 }).labels).toEqual(labels);
    expect(assignSplits(data, { kind: 'random', valid: 0.1, test: 0.2, seed: 2 }).labels).not.toEqual(labels);
  });

  it('leave-last: the last row of a user is test, the one before valid; short users stay in train', () => {
    const { labels } = assignSplits(grouped([4, 2, 1]), { kind: 'leave-last', valid: 0.1, test: 0.2, seed: 0 });
    expect([...labels]).toEqual([TRAIN, TRAIN, VALID, TEST, TRAIN, TRAIN, TRAIN]);
    const noValid = assignSplits(grouped([4, 2, 1]), { kind: 'leave-last', valid: 0, test: 0.2, seed: 0 }).labels;
    expect([...noValid]).toEqual([TRAIN, TRAIN, TRAIN, TEST, TRAIN, TEST, TRAIN]);
  });

  it('temporal: one global cut, equal times on the same side', () => {
    const data = { ...grouped([10]), times: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 8, 8]) };
    const { labels, temporalCuts } = assignSplits(data, { kind: 'temporal', valid: 0.1, test: 0.2, seed: 0 });
    expect(temporalCuts).toEqual({ valid: 8, test: 8 });
    expect([...labels]).toEqual([0, 0, 0, 0, 0, 0, 0, TEST, TEST, TEST]);
  });
});

describe('finalizeSplits', () => {
  it('drops cold valid/test interactions and re-indexes over users and items seen in train', () => {
    // user 0: items 0 (train), 1 (test, cold item); user 1: item 0 (test, cold user).
    const data = { nUsers: 2, nItems: 2, users: Int32Array.from([0, 0, 1]), items: Int32Array.from([0, 1, 0]) };
    const f = finalizeSplits(data, Uint8Array.from([TRAIN, TEST, TEST]));
    expect(f.cold.test).toEqual({ users: 1, items: 1, interactions: 2 });
    expect([f.nUsers, f.nItems, f.droppedUsers, f.droppedItems]).toEqual([1, 1, 1, 1]);
    expect(f.pairs.test.users.length).toBe(0);
  });
});
