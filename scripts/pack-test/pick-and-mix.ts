/**
 * The packaging test's consumer program (scripts/pack-test.mjs copies it into a project outside the
 * workspace where the packages come from their tarballs): synthetic data → MF + MixGCF → Recall@20,
 * then a custom sampler and a custom judge written against the public contracts of `@dtl/core`, the
 * judged false negatives excluded from sampling on retraining. Typechecked with `skipLibCheck: false`
 * and no tfjs installed. Prints one JSON line.
 */
import { DtlError, codeOf, codeSimilarity, codebookFromPaths, csrFromPairs, csrHas, csrRow, csrUnion } from '@dtl/core';
import type { Codebook, Csr, FalseNegativeJudge, JudgeRequest, JudgeResult, NegativeSampler } from '@dtl/core';
import { generateSynthetic } from '@dtl/data';
import { evaluateRanking } from '@dtl/eval';
import { topKMasked } from '@dtl/kernels';
import { createMfModel, fit } from '@dtl/models';
import type { EmbeddingModel } from '@dtl/models';
import { createMixGcfSampler } from '@dtl/sampler';

const { data, truth } = generateSynthetic({ preset: 'tiny', seed: 2022 });
const codes: Codebook = codebookFromPaths(truth.itemPaths);

async function recallAt20(model: EmbeddingModel): Promise<number> {
  const res = await evaluateRanking({
    users: { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() },
    items: { rows: model.nItems, dim: model.dim, data: model.pooledItems() },
    mask: data.train,
    relevant: data.test!,
    ks: [20],
    workers: 1,
  });
  return res.metrics['recall@20']!;
}

async function train(sampler: NegativeSampler | undefined, exclude?: Csr): Promise<number> {
  const model = createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 32, seed: 7, optimizer: { kind: 'adam', lr: 5e-3 } });
  await fit({ model, train: data.train, ...(exclude ? { exclude } : {}), ...(sampler ? { sampler } : {}), epochs: 30, seed: 7 });
  return recallAt20(model);
}

/** A custom sampler: of `m` uniform candidates, the one sharing the longest code prefix with the positive. */
function createSameBranchSampler(m: number): NegativeSampler {
  return {
    name: 'same-branch',
    output: 'items',
    sample({ users, positives, k, exclude, model }, rng) {
      if (users.length !== positives.length || !Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `bad request (k = ${k})`);
      const items = new Int32Array(users.length * k);
      for (let b = 0; b < users.length; b++) {
        const u = users[b]!;
        for (let j = 0; j < k; j++) {
          let best = -1;
          let bestSim = -1;
          for (let c = 0; c < m * 4 && (best < 0 || c < m); c++) {
            const item = rng.int(model.nItems);
            if (csrHas(exclude, u, item)) continue;
            const sim = codeSimilarity(codes, positives[b]!, item);
            if (sim > bestSim) [best, bestSim] = [item, sim];
          }
          if (best < 0) throw new DtlError('NO_VALID_NEGATIVE', `user ${u}: no free item found`);
          items[b * k + j] = best;
        }
      }
      return { kind: 'items', k, items };
    },
  };
}

/** A custom judge: a candidate is a false negative when its code shares ≥ 2 levels with a history item. */
function createPrefixJudge(): FalseNegativeJudge {
  const common = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  return {
    id: 'prefix-judge:v1',
    key: (request: JudgeRequest) => JSON.stringify(request.candidates.map((c) => Array.from(c.co))),
    async judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
      if (signal?.aborted) throw new DtlError('CANCELLED', 'aborted');
      const labels = request.candidates.map((c) => (request.history.some((h) => common(h.co, c.co) >= 2) ? 'positive' : 'negative') as 'positive' | 'negative');
      return { labels, raw: labels.join(','), promptTokens: 0, responseTokens: 0 };
    },
  };
}

const baseline = await train(undefined);
const mixgcf = await train(createMixGcfSampler({ candidates: 10 }));
const sameBranch = await train(createSameBranchSampler(10));

// Judge the top-10 unobserved items of a trained MF per user, then retrain excluding the flagged ones.
const model = createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 32, seed: 7 });
await fit({ model, train: data.train, epochs: 10, seed: 7 });
const userIds = Int32Array.from({ length: data.nUsers }, (_, u) => u);
const top = topKMasked({ users: model.pooledUsers(), items: model.pooledItems(), dim: model.dim, userIds, k: 10, mask: data.train });
const judge = createPrefixJudge();
const rows: number[] = [];
const cols: number[] = [];
const code = (item: number) => ({ co: codeOf(codes, item), se: codeOf(codes, item) });
for (let u = 0; u < data.nUsers; u++) {
  const candidates = Array.from(top.items.subarray(u * top.k, (u + 1) * top.k)).filter((i) => i >= 0);
  if (candidates.length === 0) continue;
  const { labels } = await judge.judge({ history: Array.from(csrRow(data.train, u), code), candidates: candidates.map(code) });
  labels.forEach((label, j) => {
    if (label === 'positive') {
      rows.push(u);
      cols.push(candidates[j]!);
    }
  });
}
const flagged = csrFromPairs(data.nUsers, data.nItems, rows, cols).csr;
const withJudge = await train(createMixGcfSampler({ candidates: 10 }), csrUnion(data.train, flagged));

const result = { baseline, mixgcf, sameBranch, flagged: rows.length, withJudge };
if (!(mixgcf > 0 && baseline > 0 && withJudge > 0 && sameBranch > 0)) throw new Error(`a Recall@20 is not positive: ${JSON.stringify(result)}`);
console.log(JSON.stringify(result));
