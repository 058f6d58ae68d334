import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng, csrFromPairs, csrHas, isDtlError } from '@dtl/core';
import type { JudgeRequest } from '@dtl/core';
import { createFakeModelView, describeFalseNegativeJudgeContract, describeNegativeSamplerContract } from '@dtl/core/testing';
import { createCallbackJudge, createSameBranchSampler, createStandInLlm, main } from './custom-sampler-and-judge.ts';

/** A small codebook for the contract fixture's items: 3 × 2 branches, some items sharing a leaf. */
const fixtureCodes = (nItems: number) => codebookFromPaths(Array.from({ length: nItems }, (_, i) => [i % 3, (i >> 2) % 2]));

describeNegativeSamplerContract('same-branch (example)', (f) => createSameBranchSampler({ codes: fixtureCodes(f.nItems) }));
describeNegativeSamplerContract('same-branch (example), 1 candidate, no tree view', (f) =>
  createSameBranchSampler({ codes: fixtureCodes(f.nItems), candidates: 1, alpha: 0 }),
);
describeFalseNegativeJudgeContract('callback judge (example)', () => createCallbackJudge({ name: 'stand-in', complete: createStandInLlm() }));

describe('same-branch sampler', () => {
  it('prefers candidates in the positive’s branch when the tree view dominates', () => {
    const nUsers = 4;
    const nItems = 40;
    // Items 0..3 share the positive's (item 0's) full path; the rest share nothing with it.
    const codes = codebookFromPaths(Array.from({ length: nItems }, (_, i) => (i < 4 ? [0, 0] : [1 + (i % 2), i % 3])));
    const model = createFakeModelView({ nUsers, nItems, dim: 4, nLayers: 1, rng: createRng(1) });
    const exclude = csrFromPairs(nUsers, nItems, [0, 1, 2, 3], [0, 0, 0, 0]).csr;
    const sampler = createSameBranchSampler({ codes, candidates: 60, alpha: 10 });
    const B = 200;
    const batch = sampler.sample(
      { users: new Int32Array(B).map((_, b) => b % nUsers), positives: new Int32Array(B), k: 1, exclude, model, epoch: 0 },
      createRng(2),
    );
    // With 60 uniform draws over 39 free items, P(no draw in {1, 2, 3}) = (36/39)^60 ≈ 0.008.
    let sameBranch = 0;
    for (const item of batch.items) if (item >= 1 && item <= 3) sameBranch++;
    expect(sameBranch / B).toBeGreaterThan(0.9);
  });

  it('rejects a codebook of the wrong size', () => {
    const model = createFakeModelView({ nUsers: 2, nItems: 5, dim: 2, nLayers: 1, rng: createRng(1) });
    const exclude = csrFromPairs(2, 5, [0], [0]).csr;
    const sampler = createSameBranchSampler({ codes: fixtureCodes(4) });
    let error: unknown;
    try {
      sampler.sample({ users: Int32Array.of(0), positives: Int32Array.of(0), k: 1, exclude, model, epoch: 0 }, createRng(1));
    } catch (e) {
      error = e;
    }
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('callback judge', () => {
  const request: JudgeRequest = {
    history: [{ co: [0, 1, 2], se: [3] }, { co: [2, 2, 0], se: [1] }],
    candidates: [{ co: [0, 1, 2], se: [0] }, { co: [1, 0, 0], se: [3] }, { co: [2, 2, 1], se: [1] }],
  };

  it('the stand-in LLM labels from the prompt text alone', async () => {
    const judge = createCallbackJudge({ name: 'stand-in', complete: createStandInLlm(3) });
    expect((await judge.judge(request)).labels).toEqual(['positive', 'negative', 'negative']);
    const lenient = createCallbackJudge({ name: 'stand-in-2', complete: createStandInLlm(2) });
    expect((await lenient.judge(request)).labels).toEqual(['positive', 'negative', 'positive']);
  });

  it('passes provider token counts through and wraps provider errors as PROVIDER_FAILURE', async () => {
    const judge = createCallbackJudge({
      name: 'counted',
      complete: async () => ({ text: '[0] positive [1] negative [2] negative', promptTokens: 7, responseTokens: 3 }),
    });
    const result = await judge.judge(request);
    expect(result.labels).toEqual(['positive', 'negative', 'negative']);
    expect([result.promptTokens, result.responseTokens]).toEqual([7, 3]);
    const failing = createCallbackJudge({ name: 'down', complete: async () => Promise.reject(new Error('503')) });
    expect(isDtlError(await failing.judge(request).catch((e: unknown) => e), 'PROVIDER_FAILURE')).toBe(true);
    const mute = createCallbackJudge({ name: 'mute', complete: async () => 'I cannot help with that.' });
    expect(isDtlError(await mute.judge(request).catch((e: unknown) => e), 'PROVIDER_FAILURE')).toBe(true);
  });
});

describe('the example program', () => {
  it('runs end to end on the tiny preset, deterministically', async () => {
    const lines: string[] = [];
    const a = await main({ preset: 'tiny', epochs: 10, log: (l) => lines.push(l) });
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const metrics of [a.before, a.after]) {
      for (const name of ['recall@20', 'ndcg@20']) {
        expect(metrics[name]).toBeGreaterThan(0);
        expect(metrics[name]).toBeLessThanOrEqual(1);
      }
    }
    expect(a.judging.requests).toBe(a.dataset.users);
    expect(a.judging.failed).toBe(0);
    expect(a.judging.positives).toBe(a.falseNegatives.indices.length);
    expect(a.plantedHits).toBeLessThanOrEqual(a.judging.positives);
    const b = await main({ preset: 'tiny', epochs: 10 });
    expect(b.after).toEqual(a.after);
    expect(Array.from(b.falseNegatives.indices)).toEqual(Array.from(a.falseNegatives.indices));
  });

  it('never flags a train item and reports a failing provider', async () => {
    const result = await main({ preset: 'tiny', epochs: 2, candidates: 3 });
    const { falseNegatives } = result;
    // Judged pairs come from masked top-K candidates, so none is an observed train pair.
    const { generateSynthetic } = await import('@dtl/data');
    const { data } = generateSynthetic({ preset: 'tiny', seed: 2022 });
    for (let u = 0; u < falseNegatives.nRows; u++) {
      for (let p = falseNegatives.indptr[u]!; p < falseNegatives.indptr[u + 1]!; p++) expect(csrHas(data.train, u, falseNegatives.indices[p]!)).toBe(false);
    }
    const down = await main({ preset: 'tiny', epochs: 1, candidates: 2, complete: async () => Promise.reject(new Error('offline')) });
    expect(down.judging.failed).toBe(down.judging.requests);
    expect(down.falseNegatives.indices.length).toBe(0);
  });
});
