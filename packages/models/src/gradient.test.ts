import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, csrFromPairs, mixedOffset } from '@dtl/core';
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

/** tfjs `x·Wᵀ + b` for a gate stored in nn.Linear layout at `g` of the flat gate tensor. */
function gateLinear(x: tf.Tensor2D, gates: tf.Tensor1D, g: number): tf.Tensor2D {
  const per = dim * dim + dim;
  const W = tf.reshape(tf.slice(gates, [g * per], [dim * dim]), [dim, dim]) as tf.Tensor2D;
  const b = tf.slice(gates, [g * per + dim * dim], [dim]);
  return tf.add(tf.matMul(x, W, false, true), b) as tf.Tensor2D;
}

/** log(1 + Σ_k exp x_k) per row for x_k [B] tensors. */
function logOnePlusSumExp(xs: tf.Tensor1D[]): tf.Tensor1D {
  return tf.logSumExp(tf.stack([tf.zerosLike(xs[0]!), ...xs], 1), 1) as tf.Tensor1D;
}

/** DENS's gating loss (dens-gating.ts; the reference `create_bpr_loss`) in tfjs ops. */
function densLoss(u: tf.Tensor2D, eu: tf.Tensor2D[], ep: tf.Tensor2D[], en: tf.Tensor2D[][], gates: tf.Tensor1D): tf.Scalar {
  const [USER, ITEM, POS, NEG] = [0, 1, 2, 3];
  const rp = ep.map((e, l) => tf.mul(e, tf.sigmoid(tf.add(gateLinear(e, gates, ITEM), gateLinear(eu[l]!, gates, USER))))) as tf.Tensor2D[];
  const meanOf = (xs: tf.Tensor2D[]): tf.Tensor2D => tf.mean(tf.stack(xs), 0) as tf.Tensor2D;
  const score = (x: tf.Tensor2D): tf.Tensor1D => tf.sum(tf.mul(u, x), 1) as tf.Tensor1D;
  const sRp = score(meanOf(rp));
  const sIp = score(meanOf(ep.map((e, l) => tf.sub(e, rp[l]!) as tf.Tensor2D)));
  const sRn: tf.Tensor1D[] = [];
  const sIn: tf.Tensor1D[] = [];
  for (const layers of en) {
    const rn = layers.map((e, l) => tf.mul(e, tf.sigmoid(tf.add(gateLinear(e, gates, NEG), gateLinear(rp[l]!, gates, POS))))) as tf.Tensor2D[];
    sRn.push(score(meanOf(rn)));
    sIn.push(score(meanOf(layers.map((e, l) => tf.sub(e, rn[l]!) as tf.Tensor2D))));
  }
  const t1 = tf.mean(tf.softplus(tf.sub(sIp, sRp)));
  const t2 = tf.mean(logOnePlusSumExp(sRn.map((r, k) => tf.sub(r, sIn[k]!) as tf.Tensor1D)));
  const t3 = tf.mean(logOnePlusSumExp(sRn.map((r) => tf.sub(r, sRp) as tf.Tensor1D)));
  const t4 = tf.mean(logOnePlusSumExp(sIn.map((i) => tf.sub(sIp, i) as tf.Tensor1D)));
  return tf.div(tf.addN([t1, t2, t3, t4]), 4) as tf.Scalar;
}

/** The loss of embedding-model.ts written with tfjs ops, differentiated by autodiff. */
function autodiffGradient(model: EmbeddingModel, train: Csr, batch: TrainBatch): Float32Array {
  return autodiffGradients(model, train, batch).e0;
}

/** Gradients w.r.t. E0 and (for a model with DENS gating, weight `gamma`) the flat gate tensor. */
function autodiffGradients(model: EmbeddingModel, train: Csr, batch: TrainBatch, gamma = 0): { e0: Float32Array; gates: Float32Array | undefined } {
  const L = model.nLayers - 1;
  const state = model.getState();
  const e0 = Float32Array.from(state.tensors['embeddings.0']!);
  const gates0 = state.tensors['dens.gates'];
  const adj = L > 0 ? tf.tensor2d(denseAdjacency(train)) : undefined;
  const B = batch.users.length;
  const neg = batch.negatives;
  const K = neg.k;
  const lossFn = (x: tf.Tensor, gatesTensor?: tf.Tensor): tf.Scalar => {
    const E0 = x as tf.Tensor2D;
    const negLayers: tf.Tensor2D[][] = [];
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
        negLayers.push(layers.map((e) => tf.gather(e, idx)));
      } else {
        const perLayer: tf.Tensor2D[] = [];
        for (let l = 0; l <= L; l++) {
          let mix = tf.zeros([B, dim]) as tf.Tensor2D;
          for (let s = 0; s < neg.nSources; s++) {
            const idx: number[] = [];
            const w: number[] = [];
            for (let b = 0; b < B; b++) {
              const o = mixedOffset(b * K + j, l, neg.nLayers, neg.nSources) + s;
              idx.push(nUsers + neg.items[o]!);
              w.push(neg.weights[o]!);
            }
            mix = tf.add(mix, tf.mul(tf.gather(layers[l]!, idx), tf.tensor2d(w, [B, 1])));
          }
          perLayer.push(mix);
        }
        nPooled = tf.mean(tf.stack(perLayer), 0) as tf.Tensor2D;
        n0 = perLayer[0]!;
        negLayers.push(perLayer);
      }
      const sNeg = tf.sum(tf.mul(u, nPooled), 1);
      const weights = batch.pairWeights ? tf.tensor1d(Array.from(batch.pairWeights)) : tf.onesLike(sNeg);
      // softplus(x) written as -log σ(-x) avoided: tf.softplus has a stable gradient.
      total = tf.add(total, tf.sum(tf.mul(weights, tf.softplus(tf.sub(sNeg, sPos)))));
      reg = tf.add(reg, tf.sum(tf.square(n0)));
    }
    let loss = tf.add(tf.div(total, B * K), tf.mul(reg, l2 / 2 / B)) as tf.Scalar;
    if (gatesTensor) {
      const pos = Array.from(batch.positives, (i) => nUsers + i);
      const eu = layers.map((e) => tf.gather(e, Array.from(batch.users)));
      const ep = layers.map((e) => tf.gather(e, pos));
      loss = tf.add(loss, tf.mul(densLoss(u, eu, ep, negLayers, gatesTensor as tf.Tensor1D), gamma));
    }
    return loss;
  };
  const x = tf.tensor2d(e0, [nUsers + nItems, dim]);
  if (gamma > 0 && gates0) {
    const [gE, gG] = tf.grads((a: tf.Tensor, g: tf.Tensor) => lossFn(a, g))([x, tf.tensor1d(Float32Array.from(gates0))]);
    return { e0: gE!.dataSync() as Float32Array, gates: gG!.dataSync() as Float32Array };
  }
  return { e0: tf.grad((a: tf.Tensor) => lossFn(a))(x).dataSync() as Float32Array, gates: undefined };
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

describe('DENS gating loss: hand-written gradients match tfjs autodiff', () => {
  const gamma = 0.7;
  for (const { name, layers } of cases) {
    const make = (train: Csr): EmbeddingModel => {
      const common = { nUsers, nItems, dim, l2, seed: 11, optimizer: { kind: 'sgd' as const, lr: 1 }, dens: { gamma } };
      return layers === 0 ? createMfModel(common) : createLightGcnModel({ ...common, layers, train });
    };
    /** E0 and gate gradients read back as before − after of one SGD step with lr = 1. */
    const handGradients = (model: EmbeddingModel, batch: TrainBatch): { e0: Float32Array; gates: Float32Array } => {
      const before = model.getState().tensors;
      const e0 = Float32Array.from(before['embeddings.0']!);
      const gates = Float32Array.from(before['dens.gates']!);
      model.trainStep(batch);
      const after = model.getState().tensors;
      return { e0: e0.map((v, i) => v - after['embeddings.0']![i]!), gates: gates.map((v, i) => v - after['dens.gates']![i]!) };
    };

    it(`${name}: item negatives, K=2, gradients reach the embeddings and all four gates`, () => {
      const train = randomTrain(6);
      const model = make(train);
      const state = model.getState();
      // Larger embeddings so the gates' sigmoids and the loss terms are far from their linear regime.
      model.setState({ ...state, tensors: { ...state.tensors, 'embeddings.0': state.tensors['embeddings.0']!.map((v) => v * 8) } });
      const batch: TrainBatch = {
        users: Int32Array.from([0, 2, 4]),
        positives: Int32Array.from([1, 3, 0]),
        negatives: { kind: 'items', k: 2, items: Int32Array.from([2, 6, 4, 5, 1, 3]) },
      };
      for (let step = 0; step < 2; step++) {
        const auto = autodiffGradients(model, train, batch, gamma);
        const hand = handGradients(model, batch);
        expectClose(hand.e0, auto.e0);
        expectClose(hand.gates, auto.gates!);
        model.forward();
      }
    });

    it(`${name}: per-layer negatives (as the DENS sampler returns) and mixed ones`, () => {
      const train = randomTrain(7);
      const model = make(train);
      const batch: TrainBatch = { users: Int32Array.from([0, 1, 3]), positives: Int32Array.from([1, 4, 6]), negatives: mixedBatch(model, createRng(9)) };
      const auto = autodiffGradients(model, train, batch, gamma);
      const hand = handGradients(model, batch);
      expectClose(hand.e0, auto.e0);
      expectClose(hand.gates, auto.gates!);
    });
  }

  it('turning DENS on leaves the embedding initialisation unchanged and the gates in the checkpoint', () => {
    const plain = createMfModel({ nUsers, nItems, dim, seed: 3 });
    const gated = createMfModel({ nUsers, nItems, dim, seed: 3, dens: {} });
    expect(Array.from(gated.getState().tensors['embeddings.0']!)).toEqual(Array.from(plain.getState().tensors['embeddings.0']!));
    expect(plain.densGates).toBeUndefined();
    expect(gated.densGates!.dim).toBe(dim);
    const copy = createMfModel({ nUsers, nItems, dim, seed: 4, dens: {} });
    copy.setState(gated.getState());
    expect(Array.from(copy.densGates!.neg.weight)).toEqual(Array.from(gated.densGates!.neg.weight));
  });
});
