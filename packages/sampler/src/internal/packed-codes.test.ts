import { describe, expect, it } from 'vitest';
import { codebookFromPaths, codeSimilarity, createRng } from '@dtl/core';
import { packCodes, similarityFn } from './packed-codes.ts';

describe('packed codes', () => {
  for (const [branching, maxDepth] of [[2, 5], [4, 7], [4, 16], [16, 8], [3, 10], [40, 3], [4, 17]] as const) {
    it(`matches codeSimilarity for branching ${branching}, depth ≤ ${maxDepth}`, () => {
      const rng = createRng(branching * 100 + maxDepth);
      const paths = Array.from({ length: 300 }, () => Array.from({ length: rng.int(maxDepth + 1) }, () => rng.int(branching)));
      // Near-duplicates so long common prefixes occur.
      for (let i = 0; i < 100; i++) paths.push([...paths[i]!.slice(0, rng.int(paths[i]!.length + 1)), ...(rng.next() < 0.5 ? [0, 0] : [])]);
      const cb = codebookFromPaths(paths);
      const maxDigit = Math.max(0, ...paths.flat());
      const maxLen = Math.max(...paths.map((p) => p.length));
      const bits = Math.max(1, Math.ceil(Math.log2(maxDigit + 1)));
      expect(packCodes(cb) !== undefined).toBe(bits * maxLen <= 32);
      const sim = similarityFn(cb);
      for (let t = 0; t < 5000; t++) {
        const a = rng.int(cb.nItems);
        const b = t % 3 === 0 ? (a + 200) % cb.nItems : rng.int(cb.nItems);
        expect(sim(a, b)).toBe(codeSimilarity(cb, a, b));
      }
    });
  }
});
