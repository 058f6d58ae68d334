import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng, DtlError } from '@dtl/core';
import type { Codebook, Rng } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDtlSampler, createRnsSampler, createTreePoolSampler } from './index.ts';
import { setup } from './internal/test-helpers.ts';

/** Depth-3 binary codes: 4 sibling groups per tree, so pools are non-trivial on 60 items. */
function codes(nItems: number, rng: Rng): { co: Codebook; se: Codebook } {
  const paths = (): number[][] => Array.from({ length: nItems }, () => Array.from({ length: 3 }, () => rng.int(2)));
  return { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
}

const code = (cb: Codebook, i: number): number[] => Array.from(cb.paths.subarray(cb.offsets[i]!, cb.offsets[i + 1]!));
const sameParent = (cb: Codebook, a: number, b: number): boolean => code(cb, a).slice(0, -1).join() === code(cb, b).slice(0, -1).join();

describeNegativeSamplerContract('tree-pool', (f) => createTreePoolSampler({ codes: codes(f.nItems, createRng(9)), share: 0.7 }));
describeNegativeSamplerContract('dtl over tree-pool candidates', (f) => {
  const c = codes(f.nItems, createRng(9));
  return createDtlSampler({ codes: c, alphaCo: 0, alphaSe: 0, candidateSampler: createTreePoolSampler({ codes: c, share: 0.5 }) });
});

describe('tree-pool candidates', () => {
  it("a candidate that is not the uniform draw is a sibling of the positive in one tree and in another top branch of the other", () => {
    const { f, req } = setup({ k: 4 });
    const c = codes(f.nItems, createRng(5));
    const uniform = createRnsSampler().sample(req, createRng(2)).items;
    const pooled = createTreePoolSampler({ codes: c, share: 0.6 }).sample(req, createRng(2)).items;
    let replaced = 0;
    for (let s = 0; s < pooled.length; s++) {
      const pos = req.positives[Math.floor(s / req.k)]!;
      const j = pooled[s]!;
      if (j === uniform[s]) continue;
      replaced++;
      const inCo = sameParent(c.co, pos, j) && code(c.se, pos)[0] !== code(c.se, j)[0];
      const inSe = sameParent(c.se, pos, j) && code(c.co, pos)[0] !== code(c.co, j)[0];
      expect(inCo || inSe).toBe(true);
    }
    // About share × slots are replaced (some pools are empty or excluded): the option does something.
    expect(replaced).toBeGreaterThan(pooled.length * 0.2);
    expect(replaced).toBeLessThan(pooled.length * 0.6);
  });

  it('share 0 is the uniform sampler, draw for draw', () => {
    const { f, req } = setup({ k: 3 });
    const pooled = createTreePoolSampler({ codes: codes(f.nItems, createRng(5)), share: 0 }).sample(req, createRng(4)).items;
    expect(Array.from(pooled)).toEqual(Array.from(createRnsSampler().sample(req, createRng(4)).items));
  });

  it('validates its options', () => {
    const c = codes(10, createRng(1));
    expect(() => createTreePoolSampler({ codes: { co: c.co } as never })).toThrow(/needs both codebooks/);
    expect(() => createTreePoolSampler({ codes: c, share: 1.5 })).toThrow(/share must be in \[0, 1\], got 1.5/);
    expect(() => createTreePoolSampler({ codes: c, otherMax: 1 })).toThrow(/otherMax must be in \[0, 1\)/);
    expect(() => createTreePoolSampler({ codes: c, tries: 0 })).toThrow(DtlError);
    const { req } = setup({ k: 1 });
    expect(() => createTreePoolSampler({ codes: c }).sample(req, createRng(1))).toThrow(/cover 10 items/);
  });
});
