import { describe, expect, it } from 'vitest';
import { createRng, csrFromPairs, isDtlError } from '@dtl/core';
import type { CfModel, Csr, NegativeBatch, TrainBatch } from '@dtl/core';
import { loadTfjs } from '@dtl/kernels/tfjs';
import type { Tfjs } from '@dtl/kernels/tfjs';
import type { Tensor2D } from '@tensorflow/tfjs';
import { normalizedBipartiteAdjacency } from './adjacency.ts';
import type { EmbeddingModel } from './embedding-model.ts';
import { xavierUniform } from './init.ts';
import { createLightGcnModel } from './lightgcn.ts';
import { createMfModel } from './mf.ts';
import type { OptimizerOptions } from './optimizer.ts';
import { createTfjsModel } from './tfjs-model.ts';
import type { TfjsModel, TfjsModelDefinition } from './tfjs-model.ts';

const { tf, backend } = await loadTfjs();

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

function tableVariable(t: Tfjs, rows: number, cols: number, rng: ReturnType<typeof createRng>) {
  const values = new Float32Array(rows * cols);
  xavierUniform(values, 0, rows, cols, rng);
  return t.tidy(() => t.variable(t.tensor2d(values, [rows, cols])));
}

/**
 * LightGCN written the "option B" way: two embedding tables, a dense normalized adjacency, L
 * matMul propagations. L = 0 is BPR-MF. Packed state = users then items = EmbeddingModel's E0.
 */
function lightGcnDefinition(layers: number, train?: Csr): TfjsModelDefinition {
  return {
    name: layers === 0 ? 'mf' : 'lightgcn',
    build({ tf: t, nUsers: nU, nItems: nI, dim: d, rng }) {
      const users = tableVariable(t, nU, d, rng);
      const items = tableVariable(t, nI, d, rng);
      let adj: Tensor2D | undefined;
      if (layers > 0) {
        const a = normalizedBipartiteAdjacency(train!);
        const dense = new Float32Array(a.nRows * a.nRows);
        for (let r = 0; r < a.nRows; r++) for (let k = a.indptr[r]!; k < a.indptr[r + 1]!; k++) dense[r * a.nRows + a.indices[k]!] = a.values[k]!;
        adj = t.tensor2d(dense, [a.nRows, a.nRows]);
      }
      return {
        variables: { users, items },
        layers() {
          const us: Tensor2D[] = [users];
          const is: Tensor2D[] = [items];
          let e = t.concat([users, items], 0);
          for (let l = 1; l <= layers; l++) {
            e = t.matMul(adj!, e);
            const [eu, ei] = t.split(e, [nU, nI], 0) as [Tensor2D, Tensor2D];
            us.push(eu);
            is.push(ei);
          }
          return { users: us, items: is };
        },
        dispose: () => adj?.dispose(),
      };
    },
  };
}

function pair(layers: number, optimizer: OptimizerOptions, train = randomTrain(3)): { hand: EmbeddingModel; auto: TfjsModel } {
  const hand = layers === 0
    ? createMfModel({ nUsers, nItems, dim, l2, seed: 11, optimizer })
    : createLightGcnModel({ nUsers, nItems, dim, l2, seed: 11, layers, train, optimizer });
  // Scale the embeddings up so sigmoids are far from 0.5 and errors would show.
  const state = hand.getState();
  hand.setState({ ...state, tensors: { ...state.tensors, 'embeddings.0': state.tensors['embeddings.0']!.map((v) => v * 20) } });
  const auto = createTfjsModel(lightGcnDefinition(layers, train), { tf, nUsers, nItems, dim, l2, seed: 99, optimizer });
  auto.setState({ ...hand.getState(), model: auto.name });
  return { hand, auto };
}

function params(model: CfModel): Float32Array {
  return Float32Array.from(model.getState().tensors['embeddings.0']!);
}

function expectClose(a: Float32Array, b: Float32Array, relTol: number): void {
  expect(a.length).toBe(b.length);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(b[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  }
  expect(maxAbs).toBeGreaterThan(1e-4);
  expect(maxDiff / maxAbs).toBeLessThan(relTol);
}

const itemBatch: TrainBatch = {
  users: Int32Array.from([0, 2, 2, 4]),
  positives: Int32Array.from([1, 3, 5, 0]),
  negatives: { kind: 'items', k: 2, items: Int32Array.from([2, 6, 0, 4, 1, 1, 3, 5]) },
  pairWeights: Float32Array.from([1, 0.5, 2, 1]),
};

function mixedBatch(nLayers: number, seed: number): TrainBatch {
  const rng = createRng(seed);
  const B = 3;
  const K = 2;
  const S = 2;
  const positives = Int32Array.from([1, 4, 6]);
  const items = new Int32Array(B * K * nLayers * S);
  const weights = new Float32Array(items.length);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < K; j++) {
      for (let l = 0; l < nLayers; l++) {
        const o = ((b * K + j) * nLayers + l) * S;
        const a = rng.next();
        items[o] = positives[b]!;
        weights[o] = a;
        items[o + 1] = rng.int(nItems);
        weights[o + 1] = 1 - a;
      }
    }
  }
  const negatives: NegativeBatch = { kind: 'mixed', k: K, nLayers, nSources: S, items, weights, picked: new Int32Array(B * K) };
  return { users: Int32Array.from([0, 1, 3]), positives, negatives };
}

describe(`TfjsModel adapter (backend ${backend})`, () => {
  // One SGD step with lr = 1 moves the parameters by exactly minus the gradient, so comparing the
  // parameters after a step compares the hand-written gradient with tfjs autodiff of the adapter's loss.
  for (const layers of [0, 2]) {
    const label = layers === 0 ? 'MF' : `LightGCN(${layers})`;
    it(`${label}, item negatives: same loss, reg and SGD step as the hand-written model`, () => {
      const { hand, auto } = pair(layers, { kind: 'sgd', lr: 1 });
      expectClose(params(auto), params(hand), 1e-7);
      auto.forward();
      expectClose(auto.pooledItems(), hand.pooledItems(), 1e-5);
      const h = hand.trainStep(itemBatch);
      const a = auto.trainStep(itemBatch);
      expect(a.loss).toBeCloseTo(h.loss, 4);
      expect(a.reg).toBeCloseTo(h.reg, 4);
      expect(a.loss).toBeGreaterThan(0.1);
      expectClose(params(auto), params(hand), 2e-4);
      auto.dispose();
    });

    it(`${label}, mixed negatives: gradients reach every source item exactly as in the hand-written model`, () => {
      const { hand, auto } = pair(layers, { kind: 'sgd', lr: 1 });
      const batch = mixedBatch(hand.nLayers, 5);
      const before = params(hand);
      const h = hand.trainStep(batch);
      const a = auto.trainStep(batch);
      expect(a.loss).toBeCloseTo(h.loss, 4);
      expect(a.reg).toBeCloseTo(h.reg, 4);
      const after = params(auto);
      expectClose(after, params(hand), 2e-4);
      // The random (second) source item of some mixed negative moved.
      const src = (batch.negatives as Extract<NegativeBatch, { kind: 'mixed' }>).items[1]!;
      const row = (nUsers + src) * dim;
      expect(Math.abs(after[row]! - before[row]!)).toBeGreaterThan(0);
      auto.dispose();
    });
  }

  it('dense Adam matches the hand-written dense Adam over several steps', () => {
    const { hand, auto } = pair(0, { kind: 'adam', lr: 0.01 });
    for (let s = 0; s < 3; s++) {
      hand.forward();
      auto.forward();
      hand.trainStep(itemBatch);
      auto.trainStep(itemBatch);
    }
    expectClose(params(auto), params(hand), 1e-4);
    const st = auto.getState();
    expect(st.step).toBe(3);
    expectClose(st.tensors['adam.v']!, hand.getState().tensors['adam.v']!, 1e-3);
    auto.dispose();
  });

  it('setState resumes exactly (parameters, moments and step) and rejects another model', () => {
    const { auto } = pair(2, { kind: 'adam', lr: 0.01 });
    auto.trainStep(itemBatch);
    const saved = auto.getState();
    const copy = createTfjsModel(lightGcnDefinition(2, randomTrain(3)), { tf, nUsers, nItems, dim, l2, seed: 1, optimizer: { kind: 'adam', lr: 0.01 } });
    copy.setState(saved);
    auto.forward();
    copy.forward();
    const a = auto.trainStep(mixedBatch(3, 8));
    const c = copy.trainStep(mixedBatch(3, 8));
    expect(c.loss).toBe(a.loss);
    expect(Array.from(params(copy))).toEqual(Array.from(params(auto)));
    const error = (() => {
      try {
        copy.setState({ ...saved, model: 'mf' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isDtlError(error, 'STATE_MISMATCH')).toBe(true);
    auto.dispose();
    copy.dispose();
  });

  it('keeps the tensor count flat across steps, forwards and reads, and frees everything on dispose', () => {
    const baseline = tf.memory().numTensors;
    const model = createTfjsModel(lightGcnDefinition(2, randomTrain(4)), { tf, nUsers, nItems, dim, l2 });
    model.forward();
    model.pooledUsers();
    model.trainStep(itemBatch);
    const afterFirst = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) {
      model.forward();
      model.itemLayer(2);
      model.trainStep(s % 2 ? itemBatch : mixedBatch(3, s));
      model.getState();
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('validates its inputs with DtlError codes', () => {
    const model = createTfjsModel(lightGcnDefinition(0), { tf, nUsers, nItems, dim });
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isDtlError(e) ? e.code : 'not a DtlError';
      }
      return undefined;
    };
    expect(codeOf(() => model.trainStep({ ...itemBatch, positives: Int32Array.from([1, 3, 5, 7]) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => model.trainStep(mixedBatch(2, 1)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => model.userLayer(1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTfjsModel(lightGcnDefinition(0), { tf, nUsers, nItems, dim, optimizer: { kind: 'lazy-adam' } }))).toBe('UNSUPPORTED');
    expect(codeOf(() => createTfjsModel(lightGcnDefinition(0), { tf, nUsers, nItems, dim: 3.5 }))).toBe('INVALID_ARGUMENT');
    model.dispose();
    expect(codeOf(() => model.pooledItems())).toBe('INVALID_ARGUMENT');
  });
});
