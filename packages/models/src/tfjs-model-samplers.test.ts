import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import type { Csr, NegativeSampler } from '@dtl/core';
import { loadTfjs } from '@dtl/kernels/tfjs';
import {
  createAhnsSampler,
  createDensGates,
  createDensSampler,
  createDnsMnSampler,
  createDnsSampler,
  createDtlSampler,
  createMixGcfSampler,
  createPopularitySampler,
  createRnsSampler,
} from '@dtl/sampler';
import type { Tensor2D } from '@tensorflow/tfjs';
import { fit } from './fit.ts';
import { xavierUniform } from './init.ts';
import { createTfjsModel } from './tfjs-model.ts';
import type { TfjsModelDefinition } from './tfjs-model.ts';
import { createTwoTowerModel } from './two-tower.ts';

// Issue 16, class 12: the adapter mixed the L2 rows of mixed negatives at the model's output width.
// A model whose L2 tables are narrower than its layers (an item-bias column) crashed with every sampler
// that mixes (MixGCF, DENS, DTL). Every sampler of @dtl/sampler trains here with such a model.

const { tf, backend } = await loadTfjs();
const nUsers = 12;
const nItems = 20;
const dim = 6;

function train(): Csr {
  const rng = createRng(7);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let k = 0; k < 4; k++) {
    rows.push(u);
    cols.push(rng.int(nItems));
  }
  return csrFromPairs(nUsers, nItems, rows, cols).csr;
}

/** BPR-MF with an item bias: score = ⟨p_u, q_i⟩ + b_i. Layers are dim wide, the L2 tables dim − 1. */
const biasedMf: TfjsModelDefinition = {
  name: 'biased-mf',
  build({ tf: t, nUsers: nU, nItems: nI, dim: d, rng }) {
    const table = (rows: number, cols: number) => {
      const values = new Float32Array(rows * cols);
      xavierUniform(values, 0, rows, cols, rng);
      return t.tidy(() => t.variable(t.tensor2d(values, [rows, cols])));
    };
    const users = table(nU, d - 1);
    const items = table(nI, d - 1);
    const bias = t.tidy(() => t.variable(t.zeros([nI, 1]) as Tensor2D));
    const ones = t.ones([nU, 1]) as Tensor2D;
    return {
      variables: { users, items, bias },
      layers: () => ({ users: [t.concat([users, ones], 1)], items: [t.concat([items, bias], 1)] }),
      l2Rows: () => ({ users, items }),
      dispose: () => ones.dispose(),
    };
  },
};

function samplers(csr: Csr): Record<string, NegativeSampler> {
  const degrees = new Float64Array(nItems);
  for (const i of csr.indices) degrees[i]!++;
  const paths = Array.from({ length: nItems }, (_, i) => [i % 2, i % 3, i % 5]);
  const codes = { co: codebookFromPaths(paths), se: codebookFromPaths(paths.map((p) => [p[2]!, p[0]!])) };
  return {
    rns: createRnsSampler(),
    pop: createPopularitySampler({ degrees }),
    dns: createDnsSampler({ candidates: 4 }),
    dnsmn: createDnsMnSampler({ candidates: 4, topN: 2 }),
    ahns: createAhnsSampler({ candidates: 4 }),
    mixgcf: createMixGcfSampler({ candidates: 4 }),
    dens: createDensSampler({ gates: createDensGates(dim, createRng(3)), candidates: 4 }),
    'dtl (mixing)': createDtlSampler({ codes, candidates: 4 }),
    'dtl (items)': createDtlSampler({ codes, candidates: 4, mixing: false }),
  };
}

describe(`tfjs adapter × every sampler with tables of different widths (backend ${backend})`, () => {
  const csr = train();
  for (const [name, sampler] of Object.entries(samplers(csr))) {
    it(`${name} (${sampler.output}) trains a biased MF and a two-tower model`, async () => {
      for (const make of [
        () => createTfjsModel(biasedMf, { tf, nUsers, nItems, dim, seed: 1 }),
        () => createTwoTowerModel({ tf, nUsers, nItems, dim, seed: 1 }),
      ]) {
        const model = make();
        const before = Float32Array.from(model.getState().tensors['embeddings.0']!);
        const result = await fit({ model, train: csr, sampler, epochs: 2, batchSize: 16, negatives: 2, seed: 5 });
        expect(result.epochsRun).toBe(2);
        for (const h of result.history) expect(Number.isFinite(h.loss) && h.loss > 0).toBe(true);
        const after = model.getState().tensors['embeddings.0']!;
        expect(after.some((v, i) => v !== before[i])).toBe(true);
        model.dispose();
      }
    });
  }
});
