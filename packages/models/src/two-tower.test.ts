import { describe, expect, it } from 'vitest';
import { describeCfModelContract } from '@dtl/core/testing';
import { createRng, isDtlError } from '@dtl/core';
import type { Csr, ModelView } from '@dtl/core';
import { generateSynthetic } from '@dtl/data';
import { loadTfjs } from '@dtl/kernels/tfjs';
import { fit } from './fit.ts';
import { createTwoTowerModel, twoTowerDefinition } from './two-tower.ts';

const { tf, backend } = await loadTfjs();
const { data } = generateSynthetic({ preset: 'tiny', seed: 7 });

/**
 * Mean Recall@k over users with test items: hits among the top-k scores (train items masked) over
 * the user's number of test items. Hand-written here so this test depends on nothing but the model.
 */
function recallAtK(score: (u: number, out: Float64Array) => void, train: Csr, test: Csr, k: number): number {
  const scores = new Float64Array(test.nCols);
  let total = 0;
  let users = 0;
  for (let u = 0; u < test.nRows; u++) {
    const t0 = test.indptr[u]!;
    const t1 = test.indptr[u + 1]!;
    if (t1 === t0) continue;
    score(u, scores);
    for (let p = train.indptr[u]!; p < train.indptr[u + 1]!; p++) scores[train.indices[p]!] = -Infinity;
    const top = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
    const relevant = new Set(test.indices.subarray(t0, t1));
    total += top.filter((i) => relevant.has(i)).length / relevant.size;
    users++;
  }
  return total / users;
}

function modelScorer(model: ModelView): (u: number, out: Float64Array) => void {
  const U = model.pooledUsers();
  const I = model.pooledItems();
  const d = model.dim;
  return (u, out) => {
    for (let i = 0; i < model.nItems; i++) {
      let s = 0;
      for (let x = 0; x < d; x++) s += U[u * d + x]! * I[i * d + x]!;
      out[i] = s;
    }
  };
}

describe(`two-tower model through the tfjs adapter (backend ${backend})`, () => {
  it('trains with fit(): the loss falls and test Recall@20 beats a random scorer', async () => {
    const model = createTwoTowerModel({ tf, nUsers: data.nUsers, nItems: data.nItems, dim: 32, l2: 1e-4, optimizer: { lr: 0.01 }, seed: 3 });
    expect(model.nLayers).toBe(1);
    const result = await fit({ model, train: data.train, epochs: 8, batchSize: 256, seed: 5 });
    const losses = result.history.map((h) => h.loss);
    expect(losses).toHaveLength(8);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.8);
    const rng = createRng(11);
    const random = recallAtK((_u, out) => out.forEach((_v, i) => (out[i] = rng.next())), data.train, data.test!, 20);
    const trained = recallAtK(modelScorer(model), data.train, data.test!, 20);
    expect(trained).toBeGreaterThan(random * 1.5);
    model.dispose();
  });

  it('keeps the tensor count flat across epochs, and the state round-trips', async () => {
    const model = createTwoTowerModel({ tf, nUsers: data.nUsers, nItems: data.nItems, dim: 8, activation: 'relu', seed: 4 });
    await fit({ model, train: data.train, epochs: 1, batchSize: 512, seed: 1 });
    const count = tf.memory().numTensors;
    await fit({ model, train: data.train, epochs: 2, batchSize: 512, seed: 2 });
    model.pooledItems();
    expect(tf.memory().numTensors).toBe(count);
    const state = model.getState();
    // userEmb, itemEmb, userW, userB, itemW, itemB packed in this order.
    expect(state.tensors['embeddings.0']!.length).toBe((data.nUsers + data.nItems) * 8 + 2 * (8 * 8 + 8));
    expect(state.config['activation']).toBe('relu');
    const copy = createTwoTowerModel({ tf, nUsers: data.nUsers, nItems: data.nItems, dim: 8, activation: 'relu', seed: 99 });
    copy.setState(state);
    expect(Array.from(copy.pooledItems())).toEqual(Array.from(model.pooledItems()));
    model.dispose();
    copy.dispose();
  });

  it('rejects an unknown activation', () => {
    let error: unknown;
    try {
      twoTowerDefinition('sigmoid' as never);
    } catch (e) {
      error = e;
    }
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describeCfModelContract(`two-tower (backend ${backend})`, {
  makeModel: (f, optimizer) => createTwoTowerModel({ tf, nUsers: f.nUsers, nItems: f.nItems, dim: f.dim, l2: 0.05, seed: f.seed, optimizer: optimizer ?? { lr: 0.05 } }),
});

it('setParameters also reads the packed `embeddings.0` that checkpoints before parameters() held as best weights', () => {
  const model = createTwoTowerModel({ tf, nUsers: 4, nItems: 5, dim: 3, seed: 1 });
  const packed = Float32Array.from(model.getState().tensors['embeddings.0']!);
  const byName = model.parameters();
  model.setParameters({ 'embeddings.0': packed.map((v) => v + 1) });
  const shifted = model.parameters();
  for (const [name, v] of Object.entries(byName)) expect(Array.from(shifted[name]!)).toEqual(Array.from(v, (x) => Math.fround(x + 1)));
  expect(() => model.setParameters({ 'embeddings.0': packed.subarray(1) })).toThrow(expect.objectContaining({ code: 'STATE_MISMATCH' }));
  model.dispose();
});
