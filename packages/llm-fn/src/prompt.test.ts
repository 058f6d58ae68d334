import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { JudgeItemCodes } from '@dtl/core';
import { buildJudgePrompt, estimateTokens } from './prompt.ts';

function randomCodes(rng: ReturnType<typeof createRng>): JudgeItemCodes {
  const path = (): number[] => Array.from({ length: 3 + rng.int(4) }, () => rng.int(4));
  return { co: path(), se: path() };
}

describe('buildJudgePrompt', () => {
  const rng = createRng(7);
  const candidates = Array.from({ length: 20 }, () => randomCodes(rng));
  const history = Array.from({ length: 300 }, () => randomCodes(rng));

  it('names every candidate by local index and states the rule and the JSON shape', () => {
    const p = buildJudgePrompt({ history: history.slice(0, 5), candidates });
    for (let i = 0; i < 20; i++) expect(p.user).toContain(`[${i}] co=`);
    expect(p.user).not.toContain('[20]');
    expect(p.system).toMatch(/co paths only with co paths/);
    expect(p.system).toContain('"judgments"');
    expect(p.historyShown).toBe(5);
    expect(p.estimatedTokens).toBe(estimateTokens(p.system) + estimateTokens(p.user));
  });

  it('merges identical history records with a multiplicity', () => {
    const h = { co: [1, 2, 3], se: [0, 1] };
    const p = buildJudgePrompt({ history: [h, h, h, { co: [0], se: [0] }], candidates: candidates.slice(0, 1) });
    expect(p.user).toContain('co=1-2-3 se=0-1 (x3)');
    expect(p.historyRecords).toBe(2);
    expect(p.user).toContain('Label the candidate with index 0.');
  });

  it('truncates the history to the token budget, keeping every candidate and the most relevant records', () => {
    const full = buildJudgePrompt({ history, candidates }, { tokenBudget: 1e9 });
    expect(full.historyShown).toBe(full.historyRecords);
    for (const budget of [800, 1500, 3000]) {
      const p = buildJudgePrompt({ history, candidates }, { tokenBudget: budget });
      if (full.estimatedTokens > budget) {
        expect(p.estimatedTokens).toBeLessThanOrEqual(budget);
        expect(p.historyShown).toBeLessThan(p.historyRecords);
        expect(p.user).toContain(`showing the ${p.historyShown} most relevant`);
      }
      for (let i = 0; i < 20; i++) expect(p.user).toContain(`[${i}] co=`);
    }
    // A record identical to a candidate (relevance 1), seen 5 times, outranks the rest.
    const twin = { co: Array.from(candidates[3]!.co), se: [9, 9, 9] };
    const p = buildJudgePrompt({ history: [...history, twin, twin, twin, twin, twin], candidates }, { tokenBudget: 800 });
    expect(p.user).toContain(`co=${twin.co.join('-')} se=9-9-9 (x5)`);
    const low = buildJudgePrompt({ history: [...history, { co: [9, 9], se: [9, 8] }], candidates }, { tokenBudget: 800 });
    expect(low.user).not.toContain('co=9-9 se=9-8');
  });

  it('keeps at least one history record under an impossible budget, and validates options', () => {
    const p = buildJudgePrompt({ history, candidates }, { tokenBudget: 10 });
    expect(p.historyShown).toBe(1);
    expect(() => buildJudgePrompt({ history, candidates }, { tokenBudget: 0 })).toThrow(/tokenBudget/);
  });
});
