import { describe, expect, it } from 'vitest';
import { createRng, csrHas, csrRow } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { datasetStats } from './dataset-stats.ts';
import { generateSynthetic } from './synthetic.ts';
import type { SyntheticDataset } from './synthetic.ts';
import { intersectionCount } from './internal/csr-ops.ts';
import { catchDtl } from './internal/test-files.ts';

const isPrefix = (prefix: readonly number[], path: readonly number[]) => prefix.every((x, k) => path[k] === x);

/** Recall@k on `target`, masking train, for a per-user scorer. */
function recallAt(ds: SyntheticDataset, target: Csr, k: number, score: (u: number) => Float64Array): number {
  let sum = 0;
  let users = 0;
  for (let u = 0; u < ds.data.nUsers; u++) {
    const truth = csrRow(target, u);
    if (truth.length === 0) continue;
    const s = score(u);
    for (const i of csrRow(ds.data.train, u)) s[i] = -Infinity;
    const top = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]! || a - b).slice(0, k);
    sum += top.filter((i) => csrHas(target, u, i)).length / Math.min(k, truth.length);
    users++;
  }
  return sum / users;
}

describe('generateSynthetic', () => {
  const tiny = generateSynthetic({ preset: 'tiny', seed: 1 });

  it('is deterministic for a seed (and for an RNG), and differs across seeds', () => {
    expect(generateSynthetic({ preset: 'tiny', seed: 1 })).toEqual(tiny);
    expect(generateSynthetic({ preset: 'tiny' }, createRng(1))).toEqual(generateSynthetic({ preset: 'tiny' }, createRng(1)));
    const other = generateSynthetic({ preset: 'tiny', seed: 2 });
    expect(Array.from(other.data.train.indices)).not.toEqual(Array.from(tiny.data.train.indices));
  });

  it('has the tiny preset shape and pairwise-disjoint splits', () => {
    const { data, params } = tiny;
    expect([data.nUsers, data.nItems]).toEqual([params.nUsers, params.nItems]);
    const { train, valid, test } = data;
    expect(intersectionCount(train, valid!) + intersectionCount(train, test!) + intersectionCount(valid!, test!)).toBe(0);
    const s = datasetStats(data);
    expect(s.usersWithTrain).toBe(data.nUsers); // every user keeps ≥ 1 train item
    expect(s.interactions.test).toBeGreaterThan(s.interactions.valid);
    expect(s.interactions.train).toBeGreaterThan(s.interactions.test);
  });

  it('holds out true preferences that appear in no split, drawn from the user\'s topics', () => {
    const { data, truth } = tiny;
    const prefs = truth.preferences;
    expect(prefs.indices.length).toBeGreaterThan(data.nUsers / 2);
    for (const split of [data.train, data.valid!, data.test!]) expect(intersectionCount(prefs, split)).toBe(0);
    for (let u = 0; u < data.nUsers; u++) {
      for (const i of csrRow(prefs, u)) {
        expect(truth.userTopics[u]!.some((t) => isPrefix(t.path, truth.itemPaths[i]!))).toBe(true);
      }
    }
  });

  it('plants a taxonomy: full-depth item paths, every leaf used, topic weights summing to 1', () => {
    const { truth, params } = tiny;
    const leaves = new Set<string>();
    for (const path of truth.itemPaths) {
      expect(path.length).toBe(params.depth);
      expect(path.every((c) => Number.isInteger(c) && c >= 0 && c < params.branching)).toBe(true);
      leaves.add(path.join('-'));
    }
    expect(leaves.size).toBe(params.branching ** params.depth);
    for (const topics of truth.userTopics) {
      expect(topics.length).toBeGreaterThanOrEqual(params.topicsPerUser[0]);
      expect(topics.length).toBeLessThanOrEqual(params.topicsPerUser[1]);
      expect(topics.reduce((a, t) => a + t.weight, 0)).toBeCloseTo(1, 9);
      for (const t of topics) expect(t.path.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('without noise, every observed item lies in one of the user\'s topics', () => {
    const ds = generateSynthetic({ preset: 'tiny', seed: 5, noiseFraction: 0 });
    for (const split of [ds.data.train, ds.data.valid!, ds.data.test!]) {
      for (let u = 0; u < ds.data.nUsers; u++) {
        for (const i of csrRow(split, u)) {
          expect(ds.truth.userTopics[u]!.some((t) => isPrefix(t.path, ds.truth.itemPaths[i]!))).toBe(true);
        }
      }
    }
  });

  it('is learnable: a taxonomy-aware scorer beats popularity on test and on held-out preferences', () => {
    const ds = tiny;
    const { nItems, train } = ds.data;
    const pop = new Float64Array(nItems);
    for (const i of train.indices) pop[i]!++;
    const popularity = () => Float64Array.from(pop);
    const taxonomy = (u: number) => {
      const s = new Float64Array(nItems);
      const mine = Array.from(csrRow(train, u), (j) => ds.truth.itemPaths[j]!);
      for (let i = 0; i < nItems; i++) {
        const p = ds.truth.itemPaths[i]!;
        for (const q of mine) {
          let l = 0;
          while (l < p.length && p[l] === q[l]) l++;
          s[i]! += 4 ** l;
        }
        s[i]! *= 1 + Math.log1p(pop[i]!);
      }
      return s;
    };
    for (const target of [ds.data.test!, ds.truth.preferences]) {
      const rPop = recallAt(ds, target, 10, popularity);
      const rTax = recallAt(ds, target, 10, taxonomy);
      expect(rTax).toBeGreaterThan(1.5 * rPop);
    }
  });

  it('default preset: ~3000 × 1500 with 40–60k interactions', () => {
    const { data } = generateSynthetic({ preset: 'default', seed: 2022 });
    const s = datasetStats(data);
    expect([s.nUsers, s.nItems]).toEqual([3000, 1500]);
    expect(s.interactions.total).toBeGreaterThan(40_000);
    expect(s.interactions.total).toBeLessThan(60_000);
  });

  it('rejects impossible parameters', () => {
    catchDtl(() => generateSynthetic({ preset: 'tiny', nItems: 10 }), 'INVALID_ARGUMENT'); // fewer items than leaves
    catchDtl(() => generateSynthetic({ preset: 'tiny', validFraction: 0.5, testFraction: 0.5 }), 'INVALID_ARGUMENT');
    catchDtl(() => generateSynthetic({ preset: 'nope' as never }), 'INVALID_ARGUMENT');
    catchDtl(() => generateSynthetic({ preset: 'tiny', topicsPerUser: [3, 1] }), 'INVALID_ARGUMENT');
  });
});
