import { describe, expect, it } from 'vitest';
import { csrFromPairs } from '../csr.ts';
import type { Csr } from '../csr.ts';
import { isDtlError } from '../errors.ts';
import type { DtlErrorCode } from '../errors.ts';
import type { CfModel, NegativeBatch, TrainBatch } from '../model.ts';
import { allocateMixedBatch, mixedOffset } from '../negative-batch.ts';
import { createRng } from '../rng.ts';
import type { Rng } from '../rng.ts';
import { softplus } from '../scalar-math.ts';

/** What {@link describeCfModelContract} hands to the factory: a tiny synthetic dataset. */
export interface CfModelContractFixture {
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  /** Observed positives (each user has ≥ 1; a graph model propagates over them). */
  readonly train: Csr;
  readonly seed: number;
}

/** The optimizer the suite asks for; undefined means the model's default. */
export interface CfModelContractOptimizer {
  /** Plain SGD, θ ← θ − lr·∇: the gradient check reads the gradient back as (θ_before − θ_after)/lr. */
  readonly kind: 'sgd';
  readonly lr: number;
}

/** Options of {@link describeCfModelContract}. */
export interface CfModelContractOptions {
  /**
   * A fresh model for the fixture, the same for the same arguments (seeded). With `optimizer`, the
   * model must train with that plain SGD (used by the gradient check). Models with a `dispose()`
   * are disposed after each test.
   */
  readonly makeModel: (fixture: CfModelContractFixture, optimizer: CfModelContractOptimizer | undefined) => CfModel | Promise<CfModel>;
  /** Default 5. */
  readonly nUsers?: number;
  /** Default 7. */
  readonly nItems?: number;
  /** Default 3. */
  readonly dim?: number;
  /** Gradient check: pass when |g − g_fd| ≤ abs + rel·|g_fd| per entry. Default `{ abs: 1e-3, rel: 2e-2 }`. */
  readonly gradientTolerance?: { readonly abs: number; readonly rel: number };
  /** Seed of the fixture and of the batches. Default 17. */
  readonly seed?: number;
}

type Params = Readonly<Record<string, Float32Array>>;

/** Builds the fixture (exported so implementation tests can reuse it). */
export function createCfModelContractFixture(options: { nUsers?: number; nItems?: number; dim?: number; seed?: number } = {}): CfModelContractFixture {
  const nUsers = options.nUsers ?? 5;
  const nItems = options.nItems ?? 7;
  const dim = options.dim ?? 3;
  const seed = options.seed ?? 17;
  const rng = createRng(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const n = 1 + rng.int(3);
    for (let t = 0; t < n; t++) {
      rows.push(u);
      cols.push(rng.int(nItems));
    }
  }
  return { nUsers, nItems, dim, train: csrFromPairs(nUsers, nItems, rows, cols).csr, seed };
}

function itemBatch(f: CfModelContractFixture, rng: Rng, B: number, k: number, weighted: boolean): TrainBatch {
  const users = Int32Array.from({ length: B }, () => rng.int(f.nUsers));
  const positives = Int32Array.from({ length: B }, () => rng.int(f.nItems));
  const items = Int32Array.from({ length: B * k }, () => rng.int(f.nItems));
  const pairWeights = weighted ? Float32Array.from({ length: B }, () => 0.25 + rng.next()) : undefined;
  return { users, positives, negatives: { kind: 'items', k, items }, pairWeights };
}

/** A mixed batch with 2 sources per (slot, layer): the pair's positive (weight a) and a random item (1 − a). */
function mixedBatch(f: CfModelContractFixture, rng: Rng, B: number, k: number, nLayers: number): TrainBatch {
  const users = Int32Array.from({ length: B }, () => rng.int(f.nUsers));
  const positives = Int32Array.from({ length: B }, () => rng.int(f.nItems));
  const neg = allocateMixedBatch(B, k, nLayers, 2);
  for (let t = 0; t < B * k; t++) {
    neg.picked[t] = rng.int(f.nItems);
    for (let l = 0; l < nLayers; l++) {
      const o = mixedOffset(t, l, nLayers, 2);
      const a = Math.fround(rng.next() * 0.5);
      neg.items[o] = positives[(t / k) | 0]!;
      neg.weights[o] = a;
      neg.items[o + 1] = rng.int(f.nItems);
      neg.weights[o + 1] = 1 - a;
    }
  }
  return { users, positives, negatives: neg };
}

/** Float64 BPR loss of the batch from the model's current layer views (the documented StepStats.loss). */
function oracleLoss(model: CfModel, batch: TrainBatch): number {
  const d = model.dim;
  const L = model.nLayers;
  const U = model.pooledUsers();
  const I = model.pooledItems();
  const neg = batch.negatives;
  const K = neg.k;
  const B = batch.users.length;
  const n = new Float64Array(d);
  let sum = 0;
  for (let b = 0; b < B; b++) {
    const uo = batch.users[b]! * d;
    const po = batch.positives[b]! * d;
    let sPos = 0;
    for (let x = 0; x < d; x++) sPos += U[uo + x]! * I[po + x]!;
    for (let j = 0; j < K; j++) {
      const t = b * K + j;
      if (neg.kind === 'items') {
        const no = neg.items[t]! * d;
        for (let x = 0; x < d; x++) n[x] = I[no + x]!;
      } else {
        n.fill(0);
        for (let l = 0; l < L; l++) {
          const E = model.itemLayer(l);
          const o = mixedOffset(t, l, L, neg.nSources);
          for (let s = 0; s < neg.nSources; s++) {
            const c = model.layerWeights[l]! * neg.weights[o + s]!;
            const io = neg.items[o + s]! * d;
            for (let x = 0; x < d; x++) n[x]! += c * E[io + x]!;
          }
        }
      }
      let sNeg = 0;
      for (let x = 0; x < d; x++) sNeg += U[uo + x]! * n[x]!;
      sum += (batch.pairWeights ? batch.pairWeights[b]! : 1) * softplus(sNeg - sPos);
    }
  }
  return sum / (B * K);
}

function copyParams(p: Params): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(p)) out[k] = Float32Array.from(v);
  return out;
}

function expectCode(fn: () => unknown, code: DtlErrorCode, what: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail(`${what}: no error thrown, expected a DtlError ${code}`);
  if (!isDtlError(thrown, code)) expect.fail(`${what}: expected a DtlError ${code}, got ${String(thrown)}`);
}

function dispose(model: CfModel): void {
  (model as { dispose?: () => void }).dispose?.();
}

/**
 * The conformance suite of a {@link CfModel}: shapes and views, `forward`, `trainStep` on item and
 * mixed negative batches and with pair weights (the reported loss against a float64 oracle), a
 * bit-identical continued training after `getState`/`setState`, the `parameters`/`setParameters`
 * round trip, a gradient check of the step against float64 central differences of the reported
 * loss + reg, and errors by code for malformed batches. Call inside a test file:
 * `describeCfModelContract('mf', { makeModel: (f, opt) => createMfModel({ ...f, optimizer: opt }) })`.
 */
export function describeCfModelContract(name: string, options: CfModelContractOptions): void {
  const fixture = createCfModelContractFixture(options);
  const tol = options.gradientTolerance ?? { abs: 1e-3, rel: 2e-2 };
  const make = async (opt?: CfModelContractOptimizer): Promise<CfModel> => {
    const model = await options.makeModel(fixture, opt);
    model.forward();
    return model;
  };
  const withModel = async (fn: (m: CfModel) => void | Promise<void>, opt?: CfModelContractOptimizer): Promise<void> => {
    const m = await make(opt);
    try {
      await fn(m);
    } finally {
      dispose(m);
    }
  };

  describe(`CfModel contract: ${name}`, () => {
    it('exposes views of the documented shapes, pooled = Σ layerWeights[l]·layer l', () =>
      withModel((m) => {
        const { nUsers, nItems, dim } = fixture;
        expect([m.nUsers, m.nItems, m.dim]).toEqual([nUsers, nItems, dim]);
        expect(m.nLayers >= 1 && Number.isInteger(m.nLayers)).toBe(true);
        expect(m.layerWeights.length).toBe(m.nLayers);
        expect(m.pooledUsers().length).toBe(nUsers * dim);
        expect(m.pooledItems().length).toBe(nItems * dim);
        for (const [pooled, layer] of [
          [m.pooledUsers(), (l: number) => m.userLayer(l)],
          [m.pooledItems(), (l: number) => m.itemLayer(l)],
        ] as const) {
          for (let i = 0; i < pooled.length; i++) {
            let s = 0;
            for (let l = 0; l < m.nLayers; l++) s += m.layerWeights[l]! * layer(l)[i]!;
            expect(pooled[i]!).toBeCloseTo(s, 5);
          }
          for (let l = 0; l < m.nLayers; l++) expect(layer(l).length).toBe(pooled.length);
        }
        expect(Array.from(m.pooledItems()).every(Number.isFinite)).toBe(true);
        expectCode(() => m.userLayer(m.nLayers), 'INVALID_ARGUMENT', 'userLayer(nLayers)');
        expectCode(() => m.itemLayer(-1), 'INVALID_ARGUMENT', 'itemLayer(-1)');
      }));

    it('forward() is deterministic and a fresh model of the same seed is the same model', async () => {
      const a = await make();
      const b = await make();
      try {
        const before = Float32Array.from(a.pooledItems());
        a.forward();
        expect(a.pooledItems()).toEqual(before);
        expect(b.pooledUsers()).toEqual(a.pooledUsers());
        expect(b.parameters()).toEqual(a.parameters());
      } finally {
        dispose(a);
        dispose(b);
      }
    });

    const stepCases: ReadonlyArray<[string, (m: CfModel, rng: Rng) => TrainBatch]> = [
      ['item negatives', (_m, rng) => itemBatch(fixture, rng, 4, 2, false)],
      ['item negatives with pair weights', (_m, rng) => itemBatch(fixture, rng, 4, 2, true)],
      ['mixed negatives', (m, rng) => mixedBatch(fixture, rng, 4, 2, m.nLayers)],
    ];
    for (const [what, batchOf] of stepCases) {
      it(`trainStep on ${what}: reports the BPR loss of the current embeddings and moves the parameters`, () =>
        withModel((m) => {
          const batch = batchOf(m, createRng(fixture.seed + 1));
          const expected = oracleLoss(m, batch);
          const before = copyParams(m.parameters());
          const stats = m.trainStep(batch);
          expect(Number.isFinite(stats.loss) && Number.isFinite(stats.reg)).toBe(true);
          expect(stats.reg).toBeGreaterThanOrEqual(0);
          expect(Math.abs(stats.loss - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
          m.forward();
          expect(m.parameters()).not.toEqual(before);
          expect(Array.from(m.pooledUsers()).every(Number.isFinite)).toBe(true);
        }));
    }

    it('pair weights scale each pair: all-zero weights give zero loss', () =>
      withModel((m) => {
        const batch = itemBatch(fixture, createRng(fixture.seed + 2), 3, 2, false);
        const stats = m.trainStep({ ...batch, pairWeights: new Float32Array(3) });
        expect(stats.loss).toBe(0);
      }));

    it('getState/setState: a model restored mid-training continues bit-identically', async () => {
      const a = await make();
      const b = await make();
      try {
        const rng = createRng(fixture.seed + 3);
        const batches = Array.from({ length: 6 }, (_, i) => (i % 2 ? mixedBatch(fixture, rng, 3, 2, a.nLayers) : itemBatch(fixture, rng, 3, 2, i === 2)));
        const run = (m: CfModel, from: number, to: number): number[] => {
          const losses: number[] = [];
          for (let i = from; i < to; i++) {
            losses.push(m.trainStep(batches[i]!).loss);
            m.forward();
          }
          return losses;
        };
        run(a, 0, 3);
        const state = a.getState();
        const snapshot = { ...state, tensors: copyParams(state.tensors) };
        const lossesA = run(a, 3, 6);
        b.setState(snapshot);
        b.forward();
        const lossesB = run(b, 3, 6);
        expect(lossesB).toEqual(lossesA);
        expect(b.parameters()).toEqual(a.parameters());
        expect(b.pooledItems()).toEqual(a.pooledItems());
        expectCode(() => b.setState({ ...snapshot, model: `${snapshot.model}-other` }), 'STATE_MISMATCH', 'setState of another model');
      } finally {
        dispose(a);
        dispose(b);
      }
    });

    it('parameters() are copies by stable names; setParameters restores them and the views', () =>
      withModel((m) => {
        const p = m.parameters();
        const names = Object.keys(p);
        expect(names.length).toBeGreaterThan(0);
        const pooled = Float32Array.from(m.pooledItems());
        const saved = copyParams(p);
        for (const v of Object.values(p)) v.fill(7);
        expect(m.parameters()).toEqual(saved);
        m.trainStep(itemBatch(fixture, createRng(fixture.seed + 4), 4, 2, false));
        m.forward();
        expect(m.parameters()).not.toEqual(saved);
        m.setParameters(saved);
        m.forward();
        expect(Object.keys(m.parameters())).toEqual(names);
        expect(m.parameters()).toEqual(saved);
        expect(m.pooledItems()).toEqual(pooled);
        const first = names[0]!;
        expectCode(() => m.setParameters({ ...saved, [first]: new Float32Array(saved[first]!.length + 1) }), 'STATE_MISMATCH', 'setParameters of a wrong length');
      }));

    const gradCases: ReadonlyArray<[string, (m: CfModel, rng: Rng) => TrainBatch]> = [
      ['item negatives with pair weights', (_m, rng) => itemBatch(fixture, rng, 3, 2, true)],
      ['mixed negatives', (m, rng) => mixedBatch(fixture, rng, 3, 2, m.nLayers)],
    ];
    for (const [what, batchOf] of gradCases) {
      it(`gradient check on ${what}: the SGD step matches float64 central differences of loss + reg`, async () => {
        const lr = 0.5;
        await withModel((m) => {
          const batch = batchOf(m, createRng(fixture.seed + 5));
          const state0 = m.getState();
          const s0 = { ...state0, tensors: copyParams(state0.tensors) };
          const theta = copyParams(m.parameters());
          const objective = (p: Params): number => {
            m.setState(s0);
            m.setParameters(p);
            m.forward();
            const st = m.trainStep(batch);
            return st.loss + st.reg;
          };
          // The model's gradient, read back from one plain SGD step.
          objective(theta);
          m.forward();
          const after = m.parameters();
          let worst = 0;
          let largest = 0;
          let where = '';
          const h = 1e-2;
          for (const [name, t] of Object.entries(theta)) {
            for (let i = 0; i < t.length; i++) {
              const g = (t[i]! - after[name]![i]!) / lr;
              const plus = copyParams(theta);
              const minus = copyParams(theta);
              plus[name]![i] = t[i]! + h;
              minus[name]![i] = t[i]! - h;
              // The real (float32-rounded) step, in float64.
              const fd = (objective(plus) - objective(minus)) / (plus[name]![i]! - minus[name]![i]!);
              const excess = Math.abs(g - fd) - (tol.abs + tol.rel * Math.abs(fd));
              if (excess > worst) {
                worst = excess;
                where = `${name}[${i}]: step gradient ${g}, finite difference ${fd}`;
              }
              largest = Math.max(largest, Math.abs(fd));
            }
          }
          if (worst > 0) expect.fail(`gradient mismatch at ${where}`);
          expect(largest).toBeGreaterThan(10 * tol.abs);
        }, { kind: 'sgd', lr });
      });
    }

    it('rejects malformed batches with INVALID_ARGUMENT', () =>
      withModel((m) => {
        const good = itemBatch(fixture, createRng(fixture.seed + 6), 3, 2, false);
        const mixed = mixedBatch(fixture, createRng(fixture.seed + 7), 3, 2, m.nLayers);
        const mneg = mixed.negatives as Extract<NegativeBatch, { kind: 'mixed' }>;
        const items = (f: (x: Int32Array) => void): NegativeBatch => {
          const x = Int32Array.from(good.negatives.items);
          f(x);
          return { kind: 'items', k: 2, items: x };
        };
        const cases: ReadonlyArray<[string, TrainBatch]> = [
          ['positives shorter than users', { ...good, positives: good.positives.subarray(1) }],
          ['items of the wrong length', { ...good, negatives: { kind: 'items', k: 2, items: new Int32Array(5) } }],
          ['k = 0', { ...good, negatives: { kind: 'items', k: 0, items: new Int32Array(0) } }],
          ['negative item = nItems', { ...good, negatives: items((x) => (x[1] = fixture.nItems)) }],
          ['negative item = −1', { ...good, negatives: items((x) => (x[4] = -1)) }],
          ['pairWeights of the wrong length', { ...good, pairWeights: new Float32Array(2) }],
          ['mixed with another layer count', { ...mixed, negatives: { ...mneg, nLayers: m.nLayers + 1 } }],
          ['mixed weights of the wrong length', { ...mixed, negatives: { ...mneg, weights: mneg.weights.subarray(1) } }],
          ['mixed source out of range', { ...mixed, negatives: { ...mneg, items: mneg.items.map((v, i) => (i === 3 ? fixture.nItems + 2 : v)) } }],
        ];
        for (const [what, batch] of cases) expectCode(() => m.trainStep(batch), 'INVALID_ARGUMENT', what);
        // After the rejected batches the model still trains to the oracle's loss.
        m.forward();
        const expected = oracleLoss(m, good);
        expect(Math.abs(m.trainStep(good).loss - expected)).toBeLessThan(1e-5);
      }));
  });
}
