import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng, DtlError } from '@dtl/core';
import type { Codebook, DualCodebook, NegativeBatch, Rng } from '@dtl/core';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { createDtlSampler, createMixGcfSampler, createRnsSampler } from './index.ts';
import type { DtlSamplerOptions } from './index.ts';
import { compileFnAware } from './fn-aware.ts';
import { setup } from './internal/test-helpers.ts';

type Mixed = Extract<NegativeBatch, { kind: 'mixed' }>;

/** Random tree codes: depth 2–3, 2 children per node, so tree agreements take several values and ties are common. */
function randomCodes(nItems: number, rng: Rng): DualCodebook {
  const paths = (): number[][] => Array.from({ length: nItems }, () => Array.from({ length: 2 + rng.int(2) }, () => rng.int(2)));
  return { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
}

/** LCP over the shorter length, from the definition (method.md §5). */
function sim(cb: Codebook, a: number, b: number): number {
  const pa = Array.from(cb.paths.subarray(cb.offsets[a]!, cb.offsets[a + 1]!));
  const pb = Array.from(cb.paths.subarray(cb.offsets[b]!, cb.offsets[b + 1]!));
  const n = Math.min(pa.length, pb.length);
  let lcp = 0;
  while (lcp < n && pa[lcp] === pb[lcp]) lcp++;
  return n === 0 ? 0 : lcp / n;
}

const agree = (codes: DualCodebook, a: number, b: number): number => Math.min(sim(codes.co, a, b), sim(codes.se, a, b));

/**
 * Recomputes, for every (pair, layer) of a mixed batch, the score min–max(⟨ū, e'⟩) + extra(pos, u, c) of
 * each candidate of the block (the same candidates: same seed as an RNS draw of k·N) and checks that the
 * chosen candidate has the maximal score. Returns how many choices differ from MixGCF's.
 */
function checkArgmax(opts: DtlSamplerOptions, extra: (pos: number, u: number, c: number) => number, nLayers = 1): number {
  const { f, req } = setup({ nLayers, k: 2 });
  const N = opts.candidates ?? 10;
  const cands = createRnsSampler().sample({ ...req, k: req.k * N }, createRng(17));
  const batch = createDtlSampler(opts).sample(req, createRng(17)) as Mixed;
  const mix = createMixGcfSampler({ candidates: N }).sample(req, createRng(17)) as Mixed;
  const U = f.model.pooledUsers();
  let differs = 0;
  for (let t = 0; t < req.users.length * req.k; t++) {
    const b = Math.floor(t / req.k);
    const u = req.users[b]!;
    const pos = req.positives[b]!;
    const block = Array.from(cands.items.subarray(t * N, t * N + N));
    for (let l = 0; l < nLayers; l++) {
      const E = f.model.items[l]!;
      const o = (t * nLayers + l) * 2;
      const a = batch.weights[o]!;
      const raw = block.map((c) => {
        let s = 0;
        for (let d = 0; d < f.dim; d++) s += U[u * f.dim + d]! * (a * E[pos * f.dim + d]! + (1 - a) * E[c * f.dim + d]!);
        return s;
      });
      const lo = Math.min(...raw);
      const hi = Math.max(...raw);
      const total = block.map((c, i) => (hi > lo ? (raw[i]! - lo) / (hi - lo) : 0) + extra(pos, u, c));
      const chosen = batch.items[o + 1]!;
      expect(block).toContain(chosen);
      expect(total[block.indexOf(chosen)]).toBeGreaterThanOrEqual(Math.max(...total) - 1e-9);
      if (chosen !== mix.items[o + 1]) differs++;
    }
  }
  return differs;
}

const codes = randomCodes(60, createRng(5));

describeNegativeSamplerContract('dtl with a penalised top band', (f) => createDtlSampler({ codes: randomCodes(f.nItems, createRng(9)), fnBand: 0.5 }));
describeNegativeSamplerContract('dtl with a history penalty, α 0', (f) =>
  createDtlSampler({ codes: randomCodes(f.nItems, createRng(9)), alphaCo: 0, alphaSe: 0, historyPenalty: 0.5 }),
);

describe('false-negative-aware DTL sampling', () => {
  it('negative α subtracts the tree views: argmax of min–max − 0.1·sim_co − 0.3·sim_se', () => {
    const { f } = setup({ nLayers: 1 });
    const c = randomCodes(f.nItems, createRng(5));
    const differs = checkArgmax({ codes: c, alphaCo: -0.1, alphaSe: -0.3 }, (pos, _u, j) => -0.1 * sim(c.co, pos, j) - 0.3 * sim(c.se, pos, j), 2);
    expect(differs).toBeGreaterThan(0);
  });

  it('negative α never prefers the candidate closer to the positive when the preference scores tie', () => {
    // A constant model: every candidate has the same preference score, so the tree views decide alone.
    const { f, req } = setup({ nLayers: 1, k: 1 });
    const c = randomCodes(f.nItems, createRng(5));
    const flat = { ...f.model, itemLayer: () => new Float32Array(f.nItems * f.dim).fill(0.5), pooledItems: () => new Float32Array(f.nItems * f.dim).fill(0.5) };
    const N = 8;
    const cands = createRnsSampler().sample({ ...req, k: N }, createRng(4));
    const batch = createDtlSampler({ codes: c, alphaCo: -0.1, alphaSe: -0.3, candidates: N }).sample({ ...req, model: flat }, createRng(4)) as Mixed;
    for (let b = 0; b < req.users.length; b++) {
      const pos = req.positives[b]!;
      const block = Array.from(cands.items.subarray(b * N, b * N + N));
      const closeness = (j: number): number => 0.1 * sim(c.co, pos, j) + 0.3 * sim(c.se, pos, j);
      expect(closeness(batch.items[b * 2 + 1]!)).toBe(Math.min(...block.map(closeness)));
    }
  });

  it('the top band: score = min–max + α views − penalty when both trees agree ≥ band', () => {
    const { f } = setup({ nLayers: 1 });
    const c = randomCodes(f.nItems, createRng(5));
    const differs = checkArgmax(
      { codes: c, fnBand: 0.5, fnBandPenalty: 0.7 },
      (pos, _u, j) => 0.1 * sim(c.co, pos, j) + 0.3 * sim(c.se, pos, j) - (agree(c, pos, j) >= 0.5 ? 0.7 : 0),
      2,
    );
    expect(differs).toBeGreaterThan(0);
  });

  it('with the default penalty a top-band candidate is chosen only when the whole block is in the band', () => {
    const { f, req } = setup({ nLayers: 1, k: 1 });
    const c = randomCodes(f.nItems, createRng(5));
    const N = 10;
    const cands = createRnsSampler().sample({ ...req, k: N }, createRng(8));
    const banded = createDtlSampler({ codes: c, fnBand: 0.5, candidates: N }).sample(req, createRng(8)) as Mixed;
    const plain = createDtlSampler({ codes: c, candidates: N }).sample(req, createRng(8)) as Mixed;
    let plainInBand = 0;
    for (let b = 0; b < req.users.length; b++) {
      const pos = req.positives[b]!;
      const block = Array.from(cands.items.subarray(b * N, b * N + N));
      const allIn = block.every((j) => agree(c, pos, j) >= 0.5);
      if (!allIn) expect(agree(c, pos, banded.items[b * 2 + 1]!)).toBeLessThan(0.5);
      if (agree(c, pos, plain.items[b * 2 + 1]!) >= 0.5) plainInBand++;
    }
    // Without the band the sampler does pick such candidates: the option changes the output.
    expect(plainInBand).toBeGreaterThan(0);
  });

  it("the history penalty: score = min–max − β·max over the user's observed items of the tree agreement", () => {
    const { f } = setup({ nLayers: 1 });
    const c = randomCodes(f.nItems, createRng(5));
    const history = (u: number): number[] => Array.from(f.exclude.indices.subarray(f.exclude.indptr[u]!, f.exclude.indptr[u + 1]!));
    const differs = checkArgmax(
      { codes: c, alphaCo: 0, alphaSe: 0, historyPenalty: 0.6 },
      (_pos, u, j) => -0.6 * Math.max(0, ...history(u).map((h) => agree(c, h, j))),
      2,
    );
    expect(differs).toBeGreaterThan(0);
  });

  it('with every term off it is the plain DTL sampler, bit for bit', () => {
    const { req } = setup({ nLayers: 2, k: 2 });
    const c = randomCodes(60, createRng(5));
    const a = createDtlSampler({ codes: c, fnBandPenalty: 3, historyPenalty: 0 }).sample(req, createRng(3)) as Mixed;
    const b = createDtlSampler({ codes: c }).sample(req, createRng(3)) as Mixed;
    expect(Array.from(a.items)).toEqual(Array.from(b.items));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });

  it('rejects out-of-range values and terms without codes, naming the option', () => {
    const bad: [DtlSamplerOptions, RegExp][] = [
      [{ codes, fnBand: 0 }, /fnBand must be in \(0, 1\], got 0/],
      [{ codes, fnBand: 1.5 }, /fnBand must be in \(0, 1\]/],
      [{ codes, fnBand: Number.NaN }, /fnBand/],
      [{ codes, fnBand: 0.5, fnBandPenalty: -1 }, /fnBandPenalty must be ≥ 0/],
      [{ codes, historyPenalty: -0.1 }, /historyPenalty must be ≥ 0/],
      [{ codes, historyPenalty: Infinity }, /historyPenalty must be finite/],
      [{ fnBand: 0.5 }, /fnBand needs item codes/],
      [{ historyPenalty: 0.5 }, /historyPenalty needs item codes/],
    ];
    for (const [opts, re] of bad) {
      expect(() => createDtlSampler(opts)).toThrow(DtlError);
      expect(() => createDtlSampler(opts)).toThrow(re);
    }
    expect(compileFnAware('dtl', {}, [codes.co])).toBeUndefined();
  });
});
