import { describe, expect, it } from 'vitest';
import { describeFalseNegativeJudgeContract } from '@dtl/core/testing';
import { createRuleJudge, maxHistorySimilarity } from './rule-judge.ts';

describeFalseNegativeJudgeContract('rule judge', () => createRuleJudge());
describeFalseNegativeJudgeContract('rule judge (mean 0.5)', () => createRuleJudge({ mode: 'mean', threshold: 0.5 }));

describe('createRuleJudge', () => {
  // History lives under co 0-1-* and se 2-*.
  const history = [
    { co: [0, 1, 2, 3], se: [2, 0, 1] },
    { co: [0, 2, 0], se: [2, 3, 3] },
  ];
  const candidates = [
    { co: [0, 1, 2, 3], se: [1, 1, 1] }, // co identical to a history item → s_co 1
    { co: [3, 3, 3], se: [2, 0, 1, 0] }, // se prefix of a history item → s_se 1
    { co: [0, 1, 3, 3], se: [2, 1, 0] }, // s_co 0.5, s_se 1/3
    { co: [3, 0, 0], se: [0, 0, 0] }, // nothing shared
  ];

  it('computes the max prefix similarity per view', () => {
    expect(maxHistorySimilarity(history, candidates[0]!)).toEqual({ co: 1, se: 0 });
    expect(maxHistorySimilarity(history, candidates[1]!)).toEqual({ co: 0, se: 1 });
    expect(maxHistorySimilarity(history, candidates[2]!)).toEqual({ co: 0.5, se: 1 / 3 });
    expect(maxHistorySimilarity([], candidates[0]!)).toEqual({ co: 0, se: 0 });
  });

  it('applies the thresholds per mode', async () => {
    const labels = async (o: Parameters<typeof createRuleJudge>[0]) => (await createRuleJudge(o).judge({ history, candidates })).labels;
    expect(await labels({})).toEqual(['positive', 'positive', 'negative', 'negative']);
    expect(await labels({ threshold: 0.5 })).toEqual(['positive', 'positive', 'positive', 'negative']);
    expect(await labels({ mode: 'both', threshold: 0.3 })).toEqual(['negative', 'negative', 'positive', 'negative']);
    expect(await labels({ mode: 'co', threshold: 0.5 })).toEqual(['positive', 'negative', 'positive', 'negative']);
    expect(await labels({ mode: 'se', threshold: 0.3 })).toEqual(['negative', 'positive', 'positive', 'negative']);
    expect(await labels({ mode: 'mean', threshold: 0.5 })).toEqual(['positive', 'positive', 'negative', 'negative']);
    expect(await labels({ thresholdCo: 0.5, thresholdSe: 1 })).toEqual(['positive', 'positive', 'positive', 'negative']);
  });

  it('names its settings in the id and rejects bad thresholds', () => {
    expect(createRuleJudge({ thresholdCo: 0.5 }).id).toBe('rule:either:co>=0.5,se>=1');
    expect(() => createRuleJudge({ threshold: 1.5 })).toThrow(/\[0, 1\]/);
    expect(() => createRuleJudge({ mode: 'any' as never })).toThrow(/mode/);
  });
});
