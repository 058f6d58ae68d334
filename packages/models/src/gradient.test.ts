import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, csrFromPairs } from '@dtl/core';
import type { Csr, NegativeBatch, TrainBatch } from '@dtl/core';
import { createLightGcnModel } from './lightgcn.ts';
import { createMfModel } from './mf.ts';
import type { EmbeddingModel } from './embedding-model.ts';
import { normalizedBipartiteAdjacency } from './adjacency.ts';

await tf.setBackend('cpu');

const nUsers = 5;
const nItems = 7;
const dim = 4;
const l2 = 0.05;

function randomTrain(seed: number): Csr {
  const rng = createRng(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let k = 0; k < 3; k++) {
      rows.push(u);
      cols.push(rng.int(nItems));
    }
  }
  return csrFromPairs(nUsers, nItems, rows, cols).csr;
}

function denseAdjacency(train: Csr): number[][] {
  const a = normalizedBipartiteAdjacency(train);
  const n = a.nRows;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let r = 0; r < n; r++) for (let k = a.indptr[r]!; k < a.indptr[r + 1]!; k++) out[r]![a.indices[k]!] = a.values[k]!;
  return out;
}

/** The loss of embedding-model.ts written with tfjs ops, differentiated by autodiff. */
function autodiffGradient(model: EmbeddingModel, train: Csr, batch: TrainBatch): Float32Array {
  const L = model.nLayers - 1;
  const e0 = Float32Array.from(model.getState().tensors['embeddings.0']!);
  const adj = L > 0 ? tf.tensor2d(denseAdjacency(train)) : undefined;
  const B = batch.users.length;
  const neg = batch.negatives;
  const K = neg.k;
  const lossFn = (x: tf.Tensor): tf.Scalar => {
    const E0 = x as tf.Tensor2D;
    const layers: tf.Tensor2D[] = [E0];
    for (let l = 1; l <= L; l++) layers.push(tf.matMul(adj!, layers[l - 1]!));
    const pooled = tf.mean(tf.stack(layers), 0) as tf.Tensor2D;
    const u = tf.gather(pooled, Array.from(batch.users));
    const p = tf.gather(pooled, Array.from(batch.positives, (i) => nUsers + i));
    const sPos = tf.sum(tf.mul(u, p), 1);
    let total = tf.scalar(0);
    let reg = tf.add(tf.sum(tf.square(tf.gather(E0, Array.from(batch.users)))), tf.sum(tf.square(tf.gather(E0, Array.from(batch.positives, (i) => nUsers + i)))));
    for (let j = 0; j < K; j++) {
      let nPooled: tf.Tensor2D;
      let n0: tf.Tensor2D;
      if (neg.kind === 'items') {
        const idx = Array.from({ length: B }, (_, b) => nUsers + neg.items[b * K + j]!);
        nPooled = tf.gather(pooled, idx);
        n0 = tf.gather(E0, idx);
      } else {
        const perLayer: tf.Tensor2D[] = [];
        for (let l = 0; l <= L; l++) {
          let mix = tf.zeros([B, dim]) as tf.Tensor2D;
          for (let s = 0; s < neg.nSources; s++) {
            const idx: number[] = [];
            const w: number[] = [];
            for (let b = 0; b < B; b++) {
              const o = ((b * K + j) * neg.nLayers + l) * neg.nSources + s;
              idx.push(nUsers + neg.items[o]!);
              w.push(neg.weights[o]!);
            }
            mix = tf.add(mix, tf.mul(tf.gather(layers[l]!, idx), tf.tensor2d(w, [B, 1])));
          }
          perLayer.push(mix);
        }
        nPooled = tf.mean(tf.stack(perLayer), 0) as tf.Tensor2D;
        n0 = perLayer[0]!;
      }
      const sNeg = tf.sum(tf.mul(u, nPooled), 1);
      const weights = batch.pairWeights ? tf.tensor1d(Array.from(batch.pairWeights)) : tf.onesLike(sNeg);
      // softplus(x) written as -log σ(-x) avoided: tf.softplus has a stable gradient.
      total = tf.add(total, tf.sum(tf.mul(weights, tf.softplus(tf.sub(sNeg, sPos)))));
      reg = tf.add(reg, tf.sum(tf.square(n0)));
    }
    return tf.add(tf.div(total, B * K), tf.mul(reg, l2 / 2 / B)) as tf.Scalar;
  };
  const grad = tf.grad(lossFn)(tf.tensor2d(e0, [nUsers + nItems, dim]));
  return grad.dataSync() as Float32Array;
}

/** The hand-written gradient, read back as E0_before − E0_after of one SGD step with lr = 1. */
function handGradient(model: EmbeddingModel, batch: TrainBatch): Float32Array {
  const before = Float32Array.from(model.getState().tensors['embeddings.0']!);
  model.trainStep(batch);
  const after = model.getState().tensors['embeddings.0']!;
  return before.map((v, i) => v - after[i]!);
}

function mixedBatch(model: EmbeddingModel, rng: ReturnType<typeof createRng>): NegativeBatch {
  const B = 3;
  const K = 2;
  const S = 2;
  const items = new Int32Array(B * K * model.nLayers * S);
  const weights = new Float32Array(items.length);
  const positives = [1, 4, 6];
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < K; j++) {
      for (let l = 0; l < model.nLayers; l++) {
        const o = ((b * K + j) * model.nLayers + l) * S;
        const a = rng.next();
        items[o] = positives[b]!;
        weights[o] = a;
        items[o + 1] = rng.int(nItems);
        weights[o + 1] = 1 - a;
      }
    }
  }
  return { kind: 'mixed', k: K, nLayers: model.nLayers, nSources: S, items, weights, picked: new Int32Array(B * K) };
}

function expectClose(hand: Float32Array, auto: Float32Array): void {
  expect(hand.length).toBe(auto.length);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < hand.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(auto[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(hand[i]! - auto[i]!));
  }
  expect(maxAbs).toBeGreaterThan(1e-4);
  expect(maxDiff / maxAbs).toBeLessThan(2e-4);
}

const cases: Array<{ name: string; layers: number }> = [
  { name: 'MF', layers: 0 },
  { name: 'LightGCN(1)', layers: 1 },
  { name: 'LightGCN(3)', layers: 3 },
];

describe('hand-written BPR gradients match tfjs autodiff', () => {
  for (const { name, layers } of cases) {
    const make = (train: Csr): EmbeddingModel =>
      layers === 0
        ? createMfModel({ nUsers, nItems, dim, l2, seed: 11, optimizer: { kind: 'sgd', lr: 1 } })
        : createLightGcnModel({ nUsers, nItems, dim, l2, seed: 11, layers, train, optimizer: { kind: 'sgd', lr: 1 } });

    it(`${name}: item negatives, K=2, pair weights`, () => {
      const train = randomTrain(3);
      const model = make(train);
      // Scale embeddings up so sigmoids are far from 0.5 and errors would show.
      const state = model.getState();
      model.setState({ ...state, tensors: { ...state.tensors, 'embeddings.0': state.tensors['embeddings.0']!.map((v) => v * 20) } });
      const batch: TrainBatch = {
        users: Int32Array.from([0, 2, 2, 4]),
        positives: Int32Array.from([1, 3, 5, 0]),
        negatives: { kind: 'items', k: 2, items: Int32Array.from([2, 6, 0, 4, 1, 1, 3, 5]) },
        pairWeights: Float32Array.from([1, 0.5, 2, 1]),
      };
      const auto = autodiffGradient(model, train, batch);
      expectClose(handGradient(model, batch), auto);
      // A second step must not see anything left over from the first (buffers are reused).
      model.forward();
      const second: TrainBatch = { ...batch, users: Int32Array.from([1, 3, 4, 0]) };
      const auto2 = autodiffGradient(model, train, second);
      expectClose(handGradient(model, second), auto2);
    });

    it(`${name}: mixed (MixGCF-style) negatives reach every source item`, () => {
      const train = randomTrain(4);
      const model = make(train);
      const rng = createRng(5);
      const batch: TrainBatch = { users: Int32Array.from([0, 1, 3]), positives: Int32Array.from([1, 4, 6]), negatives: mixedBatch(model, rng) };
      const auto = autodiffGradient(model, train, batch);
      expectClose(handGradient(model, batch), auto);
    });
  }
});
