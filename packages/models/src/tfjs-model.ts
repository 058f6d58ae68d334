import { DtlError, createRng, mixedOffset, validateNegativeBatch } from '@dtl/core';
import type { CfModel, ModelState, NegativeBatch, Rng, StepStats, TrainBatch } from '@dtl/core';
import type { Tfjs } from '@dtl/kernels/tfjs';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { OptimizerOptions } from './optimizer.ts';

/** What a model definition's `build` receives. */
export interface TfjsModelContext {
  /** The TensorFlow.js namespace (from `loadTfjs()` in `@dtl/kernels`). */
  readonly tf: Tfjs;
  readonly nUsers: number;
  readonly nItems: number;
  /** Output embedding size every layer must have. */
  readonly dim: number;
  /** Seeded source for initial values (use it instead of tf's random ops, which are not seeded by us). */
  readonly rng: Rng;
}

/** Per-layer embedding tables: `users[l]` is `nUsers × dim`, `items[l]` is `nItems × dim`. */
export interface TfjsLayers {
  readonly users: readonly Tensor2D[];
  readonly items: readonly Tensor2D[];
}

/** The trainable pieces a definition builds. */
export interface TfjsModelParts {
  /**
   * Trainable float32 variables by name. The adapter owns them (disposes them in `dispose()`) and
   * packs them, in this key order, into the state's `embeddings.0` tensor.
   */
  readonly variables: Readonly<Record<string, Variable>>;
  /**
   * Layer embeddings computed from the variables, the same number of layers at every call. Called
   * under autodiff in `trainStep` and under `tf.tidy` in `forward`; create tensors freely, the
   * adapter disposes them.
   */
  layers(): TfjsLayers;
  /**
   * The per-row tables whose batch rows carry the L2 term λ/2/B·Σ‖row‖² (the free embeddings, as
   * in BPR-MF/LightGCN). Default: layer 0 of `layers()`.
   */
  l2Rows?(): { readonly users: Tensor2D; readonly items: Tensor2D };
  /** A term added to every step's loss, e.g. weight decay on dense weights. Default none. */
  extraLoss?(): Scalar;
  /** Frees tensors the definition holds besides its variables (constants such as an adjacency matrix). */
  dispose?(): void;
}

/** A CF model written with tf.Variables and autodiff. */
export interface TfjsModelDefinition {
  /** Model name, stored in states and checkpoints. */
  readonly name: string;
  /** Pooling weights of the layers; default uniform 1/nLayers (LightGCN's mean). */
  readonly layerWeights?: readonly number[];
  /** Settings recorded in `getState().config` (e.g. activation). */
  readonly config?: Readonly<Record<string, unknown>>;
  build(context: TfjsModelContext): TfjsModelParts;
}

export interface TfjsModelOptions {
  /** The tfjs namespace with its backend already chosen: `(await loadTfjs()).tf`. */
  readonly tf: Tfjs;
  readonly nUsers: number;
  readonly nItems: number;
  /** Embedding size, default 64. */
  readonly dim?: number;
  /** L2 coefficient λ on the batch rows of the `l2Rows` tables, default 1e-4. */
  readonly l2?: number;
  /** `adam` (default, PyTorch dense semantics as in `@dtl/kernels` adamDenseRange) or `sgd`; lr default 1e-3. */
  readonly optimizer?: OptimizerOptions;
  /** Seed of the initialisation RNG passed to `build`, default 2022. */
  readonly seed?: number;
}

/** A {@link CfModel} backed by tfjs variables; free its tensors with `dispose()`. */
export interface TfjsModel extends CfModel {
  /** The tfjs backend it runs on (`tf.getBackend()` at creation). */
  readonly backend: string;
  dispose(): void;
}

type MixedBatch = Extract<NegativeBatch, { kind: 'mixed' }>;

/**
 * Wraps a model written with tf.Variables into the {@link CfModel} contract so it trains through
 * `fit()` and any sampler. The loss is the one `embedding-model.ts` documents — BPR in softplus form
 * over K negatives with pair weights, plus λ/2/B·Σ‖row‖² on the batch's `l2Rows` (user, positive,
 * each negative; a mixed negative's row is its layer-0 mixture) — differentiated by tfjs autodiff.
 * Mixed negatives (MixGCF; Huang et al., KDD 2021) are built per layer from the model's own layer
 * tensors, Σ_s w_s·e_{src_s,l}, so gradients reach every source item.
 *
 * The update is Adam (Kingma & Ba, ICLR 2015) written with tf ops in PyTorch's dense form — the same
 * formula as the hand-written kernels — rather than `tf.train.adam().minimize()`: the contract's
 * `getState`/`setState` are synchronous, and tfjs optimizers expose their moments only through async
 * `getWeights`/`setWeights`; owning the moments makes checkpoints resume exactly.
 *
 * Layer embeddings are read back (dataSync) lazily: `forward()` marks them stale, and the first
 * read after it (a sampler's or the evaluator's) recomputes them from the current parameters — so a
 * uniform sampler costs no read-back at all. Known traps avoided: softplus instead of
 * `tf.logSigmoid` (whose gradient breaks under optimizers), no typed arrays returned from
 * `tf.tidy`, every intermediate disposed (the tensor count stays flat across steps).
 */
export function createTfjsModel(definition: TfjsModelDefinition, options: TfjsModelOptions): TfjsModel {
  return new TfjsCfModel(definition, options);
}

class TfjsCfModel implements TfjsModel {
  readonly name: string;
  readonly backend: string;
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly nLayers: number;
  readonly layerWeights: Float32Array;
  private readonly tf: Tfjs;
  private readonly l2: number;
  private readonly seed: number;
  private readonly optimizerOptions: OptimizerOptions;
  private readonly kind: 'adam' | 'sgd';
  private readonly baseLr: number;
  private lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly parts: TfjsModelParts;
  private readonly names: string[];
  private readonly vars: Variable[];
  private readonly moments: Array<{ m: Variable; v: Variable }>;
  private readonly totalSize: number;
  private readonly config: Record<string, unknown>;
  private readonly userCache: Float32Array[];
  private readonly itemCache: Float32Array[];
  private readonly pooledU: Float32Array;
  private readonly pooledI: Float32Array;
  private stale = true;
  private t = 0;
  private disposed = false;

  constructor(definition: TfjsModelDefinition, options: TfjsModelOptions) {
    const tf = options.tf;
    const dim = options.dim ?? 64;
    if (!tf || typeof tf.variableGrads !== 'function') throw new DtlError('INVALID_ARGUMENT', 'createTfjsModel: options.tf must be the TensorFlow.js namespace (see loadTfjs)');
    if (!Number.isInteger(options.nUsers) || options.nUsers <= 0) throw new DtlError('INVALID_ARGUMENT', `nUsers must be a positive integer, got ${options.nUsers}`);
    if (!Number.isInteger(options.nItems) || options.nItems <= 0) throw new DtlError('INVALID_ARGUMENT', `nItems must be a positive integer, got ${options.nItems}`);
    if (!Number.isInteger(dim) || dim <= 0) throw new DtlError('INVALID_ARGUMENT', `dim must be a positive integer, got ${dim}`);
    const opt = options.optimizer ?? {};
    const kind = opt.kind ?? 'adam';
    if (kind === 'lazy-adam') throw new DtlError('UNSUPPORTED', 'the tfjs adapter has dense gradients; use optimizer kind "adam" or "sgd"');
    this.tf = tf;
    this.name = definition.name;
    this.backend = tf.getBackend();
    this.nUsers = options.nUsers;
    this.nItems = options.nItems;
    this.dim = dim;
    this.l2 = options.l2 ?? 1e-4;
    this.seed = options.seed ?? 2022;
    this.optimizerOptions = opt;
    this.kind = kind;
    this.baseLr = opt.lr ?? 1e-3;
    this.lr = this.baseLr;
    this.beta1 = opt.beta1 ?? 0.9;
    this.beta2 = opt.beta2 ?? 0.999;
    this.eps = opt.eps ?? 1e-8;
    if (!(this.lr > 0)) throw new DtlError('INVALID_ARGUMENT', `learning rate must be > 0, got ${this.lr}`);
    if (!(this.l2 >= 0)) throw new DtlError('INVALID_ARGUMENT', `l2 must be ≥ 0, got ${this.l2}`);

    this.parts = definition.build({ tf, nUsers: this.nUsers, nItems: this.nItems, dim, rng: createRng(this.seed) });
    this.names = Object.keys(this.parts.variables);
    this.vars = this.names.map((n) => this.parts.variables[n]!);
    if (this.vars.length === 0) throw new DtlError('INVALID_ARGUMENT', `model "${this.name}" defines no variables`);
    for (const [i, v] of this.vars.entries()) {
      if (typeof v.assign !== 'function' || !v.trainable || v.dtype !== 'float32') {
        throw new DtlError('INVALID_ARGUMENT', `variable "${this.names[i]}" must be a trainable float32 tf.Variable`);
      }
    }
    this.totalSize = this.vars.reduce((s, v) => s + v.size, 0);
    // tf.variable copies its initial value, so the zeros are freed by tidy while the variables live on.
    this.moments = kind === 'adam' ? tf.tidy(() => this.vars.map((v) => ({ m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) }))) : [];

    // One evaluation of the layers fixes nLayers and checks the shapes.
    const shapes = tf.tidy(() => {
      const layers = this.parts.layers();
      return { u: layers.users.map((t) => t.shape.slice()), i: layers.items.map((t) => t.shape.slice()) };
    });
    if (shapes.u.length === 0 || shapes.u.length !== shapes.i.length) {
      throw new DtlError('INVALID_ARGUMENT', `model "${this.name}": layers() returned ${shapes.u.length} user and ${shapes.i.length} item layers`);
    }
    for (let l = 0; l < shapes.u.length; l++) {
      const [ur, uc] = shapes.u[l]!;
      const [ir, ic] = shapes.i[l]!;
      if (ur !== this.nUsers || uc !== dim || ir !== this.nItems || ic !== dim) {
        throw new DtlError('INVALID_ARGUMENT', `model "${this.name}": layer ${l} is users ${ur}×${uc}, items ${ir}×${ic}; expected ${this.nUsers}×${dim} and ${this.nItems}×${dim}`);
      }
    }
    this.nLayers = shapes.u.length;
    const lw = definition.layerWeights ?? new Array<number>(this.nLayers).fill(1 / this.nLayers);
    if (lw.length !== this.nLayers) throw new DtlError('INVALID_ARGUMENT', `model "${this.name}": ${lw.length} layer weights for ${this.nLayers} layers`);
    this.layerWeights = Float32Array.from(lw);
    this.userCache = Array.from({ length: this.nLayers }, () => new Float32Array(this.nUsers * dim));
    this.itemCache = Array.from({ length: this.nLayers }, () => new Float32Array(this.nItems * dim));
    this.pooledU = this.nLayers === 1 ? this.userCache[0]! : new Float32Array(this.nUsers * dim);
    this.pooledI = this.nLayers === 1 ? this.itemCache[0]! : new Float32Array(this.nItems * dim);
    this.config = {
      nUsers: this.nUsers,
      nItems: this.nItems,
      dim,
      l2: this.l2,
      seed: this.seed,
      optimizer: opt,
      layerWeights: Array.from(this.layerWeights),
      variables: this.names.map((n, i) => ({ name: n, shape: this.vars[i]!.shape })),
      ...definition.config,
    };
  }

  // ---- ModelView -------------------------------------------------------------------------------

  userLayer(l: number): Float32Array {
    this.checkLayer(l);
    this.materialize();
    return this.userCache[l]!;
  }

  itemLayer(l: number): Float32Array {
    this.checkLayer(l);
    this.materialize();
    return this.itemCache[l]!;
  }

  pooledUsers(): Float32Array {
    this.materialize();
    return this.pooledU;
  }

  pooledItems(): Float32Array {
    this.materialize();
    return this.pooledI;
  }

  forward(): void {
    this.stale = true;
  }

  /** Computes the layers and copies them into the cached arrays when a forward() is pending. */
  private materialize(): void {
    this.assertLive();
    if (!this.stale) return;
    // Copy inside the scope: tidy frees what layers() created, never the variables (or constants the
    // definition holds) that a layer may be, and no typed array crosses tidy's return.
    this.tf.tidy(() => {
      const layers = this.parts.layers();
      for (let l = 0; l < this.nLayers; l++) {
        this.userCache[l]!.set(layers.users[l]!.dataSync());
        this.itemCache[l]!.set(layers.items[l]!.dataSync());
      }
    });
    if (this.nLayers > 1) {
      poolInto(this.pooledU, this.userCache, this.layerWeights);
      poolInto(this.pooledI, this.itemCache, this.layerWeights);
    }
    this.stale = false;
  }

  // ---- training --------------------------------------------------------------------------------

  trainStep(batch: TrainBatch): StepStats {
    this.assertLive();
    const { users, positives, negatives } = batch;
    const B = users.length;
    const K = negatives.k;
    const L = this.nLayers;
    if (B === 0) throw new DtlError('INVALID_ARGUMENT', 'empty batch');
    if (positives.length !== B) throw new DtlError('INVALID_ARGUMENT', `batch has ${B} users but ${positives.length} positives`);
    if (!(K > 0)) throw new DtlError('INVALID_ARGUMENT', `negatives.k must be positive, got ${K}`);
    if (batch.pairWeights && batch.pairWeights.length !== B) throw new DtlError('INVALID_ARGUMENT', `pairWeights has ${batch.pairWeights.length} entries for ${B} pairs`);
    checkRange(users, this.nUsers, 'user');
    checkRange(positives, this.nItems, 'positive item');
    validateNegativeBatch(negatives, { nPairs: B, nItems: this.nItems, nLayers: L });
    const tf = this.tf;
    let loss = 0;
    let reg = 0;
    tf.tidy(() => {
      const uIdx = tf.tensor1d(users, 'int32');
      const pIdx = tf.tensor1d(positives, 'int32');
      const pw = batch.pairWeights ? tf.tensor2d(batch.pairWeights, [B, 1]) : undefined;
      const mixed = negatives.kind === 'mixed' ? mixedIndexTensors(tf, negatives, B * K) : undefined;
      const nIdx = negatives.kind === 'items' ? tf.tensor1d(negatives.items, 'int32') : undefined;
      let lossT: Tensor | undefined;
      let regT: Tensor | undefined;
      const objective = (): Scalar => {
        const layers = this.parts.layers();
        const pooledU = this.pool(layers.users);
        const pooledI = this.pool(layers.items);
        const u = tf.gather(pooledU, uIdx);
        const p = tf.gather(pooledI, pIdx);
        const sPos = tf.sum(tf.mul(u, p), 1, true); // B × 1
        let negPooled: Tensor2D; // (B·K) × dim
        let neg0: Tensor2D | undefined; // mixed: layer-0 mixture of the l2 rows
        const rows = this.parts.l2Rows ? this.parts.l2Rows() : { users: layers.users[0]!, items: layers.items[0]! };
        if (nIdx) {
          negPooled = tf.gather(pooledI, nIdx);
        } else {
          const m = mixed!;
          let acc: Tensor2D | undefined;
          for (let l = 0; l < L; l++) {
            const mix = mixRows(tf, layers.items[l]!, m.idx[l]!, m.w[l]!, B * K, m.S, this.dim);
            const term: Tensor2D = tf.mul(mix, this.layerWeights[l]!);
            acc = acc ? (tf.add(acc, term) as Tensor2D) : term;
          }
          negPooled = acc!;
          // The L2 table may be narrower or wider than the layers (an item bias column, ID tables
          // behind a tower): mix its rows at its own width, never the model's output width.
          neg0 = mixRows(tf, rows.items, m.idx[0]!, m.w[0]!, B * K, m.S, rows.items.shape[1]);
        }
        const sNeg = tf.sum(tf.mul(tf.reshape(u, [B, 1, this.dim]), tf.reshape(negPooled, [B, K, this.dim])), 2); // B × K
        let sp = tf.softplus(tf.sub(sNeg, sPos));
        if (pw) sp = tf.mul(sp, pw);
        const bpr = tf.div(tf.sum(sp), B * K);
        const sq = (x: Tensor): Scalar => tf.sum(tf.square(x));
        const regSum = tf.addN([sq(tf.gather(rows.users, uIdx)), sq(tf.gather(rows.items, pIdx)), neg0 ? sq(neg0) : sq(tf.gather(rows.items, nIdx!))]);
        const regTerm = tf.mul(regSum, this.l2 / 2 / B);
        lossT = tf.keep(bpr);
        regT = tf.keep(regTerm);
        let total = tf.add(bpr, regTerm) as Scalar;
        if (this.parts.extraLoss) total = tf.add(total, this.parts.extraLoss()) as Scalar;
        return total;
      };
      const { grads } = tf.variableGrads(objective, this.vars);
      loss = lossT!.dataSync()[0]!;
      reg = regT!.dataSync()[0]!;
      tf.dispose([lossT!, regT!]);
      this.applyGradients(this.vars.map((v) => grads[v.name]));
    });
    this.stale = true;
    return { loss, reg };
  }

  /** Dense Adam (PyTorch semantics) or SGD; a variable the loss does not reach gets a zero gradient. */
  private applyGradients(grads: ReadonlyArray<Tensor | undefined>): void {
    const tf = this.tf;
    this.t++;
    if (this.kind === 'sgd') {
      this.vars.forEach((v, i) => {
        const g = grads[i];
        if (g) v.assign(tf.sub(v, tf.mul(g, this.lr)));
      });
      return;
    }
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.lr / (1 - Math.pow(b1, this.t));
    const invSqrtBc2 = 1 / Math.sqrt(1 - Math.pow(b2, this.t));
    this.vars.forEach((v, i) => {
      const g = grads[i] ?? tf.zerosLike(v);
      const { m, v: s } = this.moments[i]!;
      m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      s.assign(tf.add(tf.mul(s, b2), tf.mul(tf.square(g), 1 - b2)));
      v.assign(tf.sub(v, tf.div(tf.mul(m, stepSize), tf.add(tf.mul(tf.sqrt(s), invSqrtBc2), this.eps))));
    });
  }

  private pool(layers: readonly Tensor2D[]): Tensor2D {
    if (layers.length === 1 && this.layerWeights[0] === 1) return layers[0]!;
    const tf = this.tf;
    return tf.addN(layers.map((t, l) => tf.mul(t, this.layerWeights[l]!))) as Tensor2D;
  }

  // ---- state -----------------------------------------------------------------------------------

  /** Parameters packed in variable order as `embeddings.0` (the checkpoint format), Adam moments as `adam.m`/`adam.v`. */
  /** Learning rate = `scale` × the configured one from the next step (a schedule; 1 = as configured). */
  setLearningRateScale(scale: number): void {
    if (!(scale >= 0) || !Number.isFinite(scale)) throw new DtlError('INVALID_ARGUMENT', `learning-rate scale must be a finite number ≥ 0, got ${scale}`);
    this.lr = scale === 1 ? this.baseLr : this.baseLr * scale;
  }

  getState(): ModelState {
    this.assertLive();
    const tensors: Record<string, Float32Array> = { 'embeddings.0': this.pack(this.vars) };
    if (this.kind === 'adam') {
      tensors['adam.m'] = this.pack(this.moments.map((x) => x.m));
      tensors['adam.v'] = this.pack(this.moments.map((x) => x.v));
    }
    return { model: this.name, config: this.config, step: this.t, tensors };
  }

  setState(state: ModelState): void {
    this.assertLive();
    if (state.model !== this.name) throw new DtlError('STATE_MISMATCH', `state is for model "${state.model}", this is "${this.name}"`);
    const params = state.tensors['embeddings.0'];
    if (!params || params.length !== this.totalSize) {
      throw new DtlError('STATE_MISMATCH', `state parameters have ${params?.length ?? 0} values, expected ${this.totalSize} (${this.names.join(', ')})`);
    }
    let m: Float32Array | undefined;
    let v: Float32Array | undefined;
    if (this.kind === 'adam') {
      m = state.tensors['adam.m'];
      v = state.tensors['adam.v'];
      if (!m || !v || m.length !== this.totalSize || v.length !== this.totalSize) {
        throw new DtlError('STATE_MISMATCH', `optimizer state lacks adam moments of size ${this.totalSize}`);
      }
    }
    this.unpack(this.vars, params);
    if (m && v) {
      this.unpack(this.moments.map((x) => x.m), m);
      this.unpack(this.moments.map((x) => x.v), v);
    }
    this.t = state.step;
    this.stale = true;
  }

  /** One copy per tfjs variable, by the variable's name in the definition's `variables`. */
  parameters(): Readonly<Record<string, Float32Array>> {
    this.assertLive();
    const out: Record<string, Float32Array> = {};
    this.names.forEach((n, i) => {
      out[n] = Float32Array.from(this.vars[i]!.dataSync() as Float32Array);
    });
    return out;
  }

  /**
   * Loads one tensor per variable name; also accepts the packed `embeddings.0` of getState (what
   * checkpoints written before `parameters()` existed hold as their best-epoch weights).
   */
  setParameters(parameters: Readonly<Record<string, Float32Array>>): void {
    this.assertLive();
    const missing = this.names.filter((n) => parameters[n] === undefined);
    if (missing.length > 0 && missing.length === this.names.length && parameters['embeddings.0'] !== undefined) {
      const packed = parameters['embeddings.0'];
      if (packed.length !== this.totalSize) {
        throw new DtlError('STATE_MISMATCH', `packed parameters have ${packed.length} values, expected ${this.totalSize} (${this.names.join(', ')})`);
      }
      this.unpack(this.vars, packed);
      this.stale = true;
      return;
    }
    if (missing.length > 0) throw new DtlError('STATE_MISMATCH', `parameters lack ${missing.map((n) => `"${n}"`).join(', ')}`);
    this.names.forEach((n, i) => {
      const v = parameters[n]!;
      if (v.length !== this.vars[i]!.size) throw new DtlError('STATE_MISMATCH', `parameter "${n}" has ${v.length} values, expected ${this.vars[i]!.size}`);
    });
    const tf = this.tf;
    tf.tidy(() => {
      this.names.forEach((n, i) => {
        const v = this.vars[i]!;
        v.assign(tf.tensor(parameters[n]!, v.shape, 'float32'));
      });
    });
    this.stale = true;
  }

  private pack(vars: readonly Variable[]): Float32Array {
    const out = new Float32Array(this.totalSize);
    let o = 0;
    for (const v of vars) {
      out.set(v.dataSync() as Float32Array, o);
      o += v.size;
    }
    return out;
  }

  private unpack(vars: readonly Variable[], values: Float32Array): void {
    const tf = this.tf;
    let o = 0;
    tf.tidy(() => {
      for (const v of vars) {
        v.assign(tf.tensor(values.subarray(o, o + v.size), v.shape, 'float32'));
        o += v.size;
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tf.dispose(this.vars);
    this.parts.dispose?.();
    for (const { m, v } of this.moments) this.tf.dispose([m, v]);
  }

  private assertLive(): void {
    if (this.disposed) throw new DtlError('INVALID_ARGUMENT', `model "${this.name}" was disposed`);
  }

  private checkLayer(l: number): void {
    if (!Number.isInteger(l) || l < 0 || l >= this.nLayers) throw new DtlError('INVALID_ARGUMENT', `layer ${l} outside 0..${this.nLayers - 1}`);
  }
}

/** Per-layer source indices (flattened `(slot, s)`) and weights (`(slot·S) × 1`) of a mixed batch. */
function mixedIndexTensors(tf: Tfjs, neg: MixedBatch, slots: number): { S: number; idx: Tensor1D[]; w: Tensor2D[] } {
  const S = neg.nSources;
  const L = neg.nLayers;
  const idx: Tensor1D[] = [];
  const w: Tensor2D[] = [];
  for (let l = 0; l < L; l++) {
    const ii = new Int32Array(slots * S);
    const ww = new Float32Array(slots * S);
    for (let slot = 0; slot < slots; slot++) {
      const src = mixedOffset(slot, l, L, S);
      for (let s = 0; s < S; s++) {
        ii[slot * S + s] = neg.items[src + s]!;
        ww[slot * S + s] = neg.weights[src + s]!;
      }
    }
    idx.push(tf.tensor1d(ii, 'int32'));
    w.push(tf.tensor2d(ww, [slots * S, 1]));
  }
  return { S, idx, w };
}

/** Σ_s w_s · table[idx_s] for every slot: gather, scale, sum over the S sources → slots × dim. */
function mixRows(tf: Tfjs, table: Tensor2D, idx: Tensor1D, w: Tensor2D, slots: number, S: number, dim: number): Tensor2D {
  return tf.sum(tf.reshape(tf.mul(tf.gather(table, idx), w), [slots, S, dim]), 1);
}

function poolInto(out: Float32Array, layers: readonly Float32Array[], weights: Float32Array): void {
  const w0 = weights[0]!;
  const e0 = layers[0]!;
  for (let i = 0; i < out.length; i++) out[i] = w0 * e0[i]!;
  for (let l = 1; l < layers.length; l++) {
    const e = layers[l]!;
    const wl = weights[l]!;
    for (let i = 0; i < out.length; i++) out[i]! += wl * e[i]!;
  }
}

function checkRange(ids: Int32Array, n: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const x = ids[i]!;
    if (!(x >= 0 && x < n)) throw new DtlError('INVALID_ARGUMENT', `${what} ${x} at position ${i} outside 0..${n - 1}`);
  }
}
