import { DtlError, createRng, mixedOffset, sigmoid, softplus, validateNegativeBatch } from '@dtl/core';
import type { CfModel, Csr, DensGates, ModelState, StepStats, TrainBatch, WeightedCsr } from '@dtl/core';
import { tryCreateWasmArena, wasmAxpy, wasmAxpyRows, wasmSpmm, wasmSpmmScatterRows } from '@dtl/kernels';
import type { SyncTeam, WasmArena } from '@dtl/kernels';
import { normalizedBipartiteAdjacency } from './adjacency.ts';
import { xavierUniform } from './init.ts';
import { DensGating } from './dens-gating.ts';
import type { DensBatchBuffers, DensGatingOptions } from './dens-gating.ts';
import { createOptimizer } from './optimizer.ts';
import type { Optimizer, OptimizerOptions } from './optimizer.ts';
import { RowSet } from './internal/row-set.ts';

/** Options shared by MF and LightGCN. */
export interface EmbeddingModelOptions {
  readonly nUsers: number;
  readonly nItems: number;
  /** Embedding size, default 64. */
  readonly dim?: number;
  /** L2 coefficient λ on the batch's layer-0 rows (loss term λ/2/B·Σ‖row‖²), default 1e-4. */
  readonly l2?: number;
  readonly optimizer?: OptimizerOptions;
  /** Seed of the Xavier initialisation, default 2022. */
  readonly seed?: number;
  /**
   * Threads for propagation and the dense Adam update (`createSyncTeam` from `@dtl/kernels`);
   * default: the calling thread only. Results are identical to single-threaded ones.
   */
  readonly team?: SyncTeam | undefined;
  /**
   * Run propagation, pooling and the dense Adam update with the WebAssembly SIMD kernels of
   * `@dtl/kernels` (float32 arithmetic; results differ from the JS kernels by float32 rounding, and
   * are equally deterministic and independent of the thread count). The model's big buffers then
   * live in a private `WasmArena`. Default true; ignored (JS kernels) where wasm SIMD is unavailable.
   */
  readonly wasm?: boolean;
  /**
   * Train DENS gates with the model (γ·L_gate added to BPR; see `dens-gating.ts`) and expose them
   * as `densGates` for the DENS sampler. Default: off.
   */
  readonly dens?: DensGatingOptions | undefined;
}

/** Computes Y = A·X for the model's adjacency; swapped for a worker-pool version by callers that have one. */
export type SpmmFn = (a: WeightedCsr, x: Float32Array, y: Float32Array, dim: number) => void;

interface InternalOptions extends EmbeddingModelOptions {
  readonly name: string;
  readonly layers: number;
  readonly train?: Csr | undefined;
  readonly spmm?: SpmmFn | undefined;
}

function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4))).subarray(0, length);
}

/** A Float32Array from the arena when there is one (and it has room), else in a SharedArrayBuffer. */
function allocFloat32(arena: WasmArena | undefined, length: number): Float32Array {
  if (arena) {
    try {
      return arena.f32(length);
    } catch {
      // Arena full: a plain shared buffer (the kernels then fall back to JS for calls using it).
    }
  }
  return sharedFloat32(length);
}

/** The adjacency copied into the arena (one-time), so the SpMM kernels can read it in place. */
function adjacencyInArena(a: WeightedCsr, arena: WasmArena | undefined): WeightedCsr {
  if (!arena) return a;
  try {
    const indptr = arena.i32(a.indptr.length);
    const indices = arena.i32(a.indices.length);
    const values = arena.f32(a.values.length);
    indptr.set(a.indptr);
    indices.set(a.indices);
    values.set(a.values);
    return { nRows: a.nRows, nCols: a.nCols, indptr, indices, values };
  } catch {
    return a;
  }
}

/**
 * An embedding model over users and items with L ≥ 0 LightGCN propagation layers (L = 0 is BPR-MF).
 * Nodes are users [0, nUsers) then items [nUsers, nUsers + nItems) in one row-major table E0 (the
 * only parameter). Layer l = Â·layer(l−1); pooled = mean of layers 0..L. The BPR gradient is
 * hand-derived (see {@link EmbeddingModel.trainStep}) and checked against tfjs autodiff in tests.
 */
export class EmbeddingModel implements CfModel {
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly nLayers: number;
  readonly layerWeights: Float32Array;
  readonly l2: number;
  private readonly nNodes: number;
  private readonly adjacency: WeightedCsr | undefined;
  private readonly layers: Float32Array[];
  private readonly pooled: Float32Array;
  private readonly optimizer: Optimizer;
  private readonly optimizerOptions: OptimizerOptions;
  private readonly seed: number;
  private readonly spmmFn: SpmmFn;
  private readonly arena: WasmArena | undefined;
  // Gradient buffers (see trainStep).
  private readonly gradE0: Float32Array;
  private readonly gradPool: Float32Array;
  private readonly gradMix: Float32Array[];
  private readonly touchedE0: RowSet;
  private readonly touchedPool: RowSet;
  private readonly touchedMix: RowSet[];
  private readonly work: [Float32Array, Float32Array] | undefined;
  private readonly allRows: Int32Array;
  private readonly negScratch: Float64Array;
  private readonly neg0Scratch: Float64Array;
  private readonly dens: DensGating | undefined;

  constructor(options: InternalOptions) {
    const dim = options.dim ?? 64;
    if (!Number.isInteger(options.nUsers) || options.nUsers <= 0) throw new DtlError('INVALID_ARGUMENT', `nUsers must be a positive integer, got ${options.nUsers}`);
    if (!Number.isInteger(options.nItems) || options.nItems <= 0) throw new DtlError('INVALID_ARGUMENT', `nItems must be a positive integer, got ${options.nItems}`);
    if (!Number.isInteger(dim) || dim <= 0) throw new DtlError('INVALID_ARGUMENT', `dim must be a positive integer, got ${dim}`);
    if (!Number.isInteger(options.layers) || options.layers < 0) throw new DtlError('INVALID_ARGUMENT', `layers must be an integer ≥ 0, got ${options.layers}`);
    this.name = options.name;
    this.nUsers = options.nUsers;
    this.nItems = options.nItems;
    this.dim = dim;
    this.l2 = options.l2 ?? 1e-4;
    this.seed = options.seed ?? 2022;
    this.nNodes = this.nUsers + this.nItems;
    this.nLayers = options.layers + 1;
    this.layerWeights = new Float32Array(this.nLayers).fill(1 / this.nLayers);
    this.spmmFn = options.spmm ?? (options.team ? options.team.spmm.bind(options.team) : wasmSpmm);
    const size = this.nNodes * dim;
    // One arena per model (freed with it), sized for the buffers allocated below plus slack for
    // the lazily allocated mixed-negative gradients; only address space is reserved beyond that.
    const nnz = options.layers > 0 && options.train ? 2 * options.train.indptr[options.train.nRows]! : 0;
    const eagerFloats = size * (options.layers > 0 ? this.nLayers + 5 : 1 + 1) + size * 2 + 3 * nnz + this.nNodes;
    this.arena = options.wasm === false ? undefined : tryCreateWasmArena({ initialBytes: 4 * eagerFloats + (1 << 20) });
    const arena = this.arena;
    if (options.layers > 0) {
      if (!options.train) throw new DtlError('INVALID_ARGUMENT', `${this.name} with ${options.layers} layers needs the train matrix`);
      if (options.train.nRows !== this.nUsers || options.train.nCols !== this.nItems) {
        throw new DtlError('INVALID_ARGUMENT', `train matrix is ${options.train.nRows}×${options.train.nCols}, model is ${this.nUsers}×${this.nItems}`);
      }
      this.adjacency = adjacencyInArena(normalizedBipartiteAdjacency(options.train), arena);
      this.work = [allocFloat32(arena, size), allocFloat32(arena, size)];
    }
    this.layers = [allocFloat32(arena, size)];
    for (let l = 1; l < this.nLayers; l++) this.layers.push(allocFloat32(arena, size));
    this.pooled = this.nLayers === 1 ? this.layers[0]! : allocFloat32(arena, size);
    const rng = createRng(this.seed);
    xavierUniform(this.layers[0]!, 0, this.nUsers, dim, rng);
    xavierUniform(this.layers[0]!, this.nUsers * dim, this.nItems, dim, rng);
    this.optimizerOptions = options.optimizer ?? {};
    this.optimizer = createOptimizer(size, dim, { ...this.optimizerOptions, team: options.team, arena });
    this.gradE0 = allocFloat32(arena, size);
    this.gradPool = this.nLayers === 1 ? this.gradE0 : allocFloat32(arena, size);
    this.gradMix = [];
    this.touchedMix = [];
    this.touchedE0 = new RowSet(this.nNodes);
    this.touchedPool = this.nLayers === 1 ? this.touchedE0 : new RowSet(this.nNodes);
    this.allRows = Int32Array.from({ length: this.nNodes }, (_, i) => i);
    this.negScratch = new Float64Array(dim);
    this.neg0Scratch = new Float64Array(dim);
    // Own stream for the gates, so turning DENS on does not change the embedding initialisation.
    this.dens = options.dens ? new DensGating(dim, this.nLayers, options.dens, this.optimizerOptions, createRng((this.seed ^ 0x5eed_de45) >>> 0)) : undefined;
    this.forward();
  }

  /** The DENS gates this model trains (built with the `dens` option), else undefined. */
  get densGates(): DensGates | undefined {
    return this.dens?.gates;
  }

  userLayer(l: number): Float32Array {
    return this.layer(l).subarray(0, this.nUsers * this.dim);
  }

  itemLayer(l: number): Float32Array {
    return this.layer(l).subarray(this.nUsers * this.dim);
  }

  pooledUsers(): Float32Array {
    return this.pooled.subarray(0, this.nUsers * this.dim);
  }

  pooledItems(): Float32Array {
    return this.pooled.subarray(this.nUsers * this.dim);
  }

  forward(): void {
    if (this.nLayers === 1) return;
    const a = this.adjacency!;
    for (let l = 1; l < this.nLayers; l++) this.spmmFn(a, this.layers[l - 1]!, this.layers[l]!, this.dim);
    // pooled = Σ_l w_l·E_l in float32 (wasm SIMD when the buffers are in the arena).
    wasmAxpy(this.pooled, this.layers[0]!, this.layerWeights[0]!, false);
    for (let l = 1; l < this.nLayers; l++) wasmAxpy(this.pooled, this.layers[l]!, this.layerWeights[l]!, true);
  }

  /**
   * One step of BPR with L2 (Rendle et al., UAI 2009), in the form of the LightGCN/MixGCF code:
   *   loss = 1/(B·K) Σ_b Σ_j w_b·softplus(s_bj − s_b+) + λ/(2B)·Σ_b (‖u0‖² + ‖i0‖² + Σ_j ‖n0_j‖²)
   * with s = ⟨pooled user, pooled item⟩ and ·0 the layer-0 rows. With d = w_b·σ(s_bj − s_b+)/(B·K):
   *   ∂/∂u = d·(n − i),  ∂/∂i = −d·u,  ∂/∂n = d·u   (pooled rows; the reported `loss` excludes L2).
   * Pooled gradients flow back through the mean to every layer, and through propagation to E0 by
   * Horner's rule, acc ← Â·acc + H_l (Â is symmetric, so Âᵀ = Â). A mixed negative's gradient goes
   * to each of its source items at its own layer, weighted by its mixing weight.
   */
  trainStep(batch: TrainBatch): StepStats {
    const { users, positives, negatives } = batch;
    const B = users.length;
    if (positives.length !== B) throw new DtlError('INVALID_ARGUMENT', `batch has ${B} users but ${positives.length} positives`);
    if (batch.pairWeights && batch.pairWeights.length !== B) throw new DtlError('INVALID_ARGUMENT', `pairWeights has ${batch.pairWeights.length} entries for ${B} pairs`);
    validateNegativeBatch(negatives, { nPairs: B, nItems: this.nItems, nLayers: this.nLayers });
    const K = negatives.k;
    const dim = this.dim;
    const nU = this.nUsers;
    const P = this.pooled;
    const E0 = this.layers[0]!;
    const gPool = this.gradPool;
    const gE0 = this.gradE0;
    const lam = this.l2;
    const regScale = lam / B;
    const invBK = 1 / (B * K);
    const neg = this.negScratch;
    const neg0 = this.neg0Scratch;
    let lossSum = 0;
    let regSum = 0;
    const densScale = this.dens ? this.dens.gamma / (4 * B) : 0;
    const densIo = this.dens && densScale > 0 ? this.dens.buffers(B, K) : undefined;
    for (let b = 0; b < B; b++) {
      const u = users[b]!;
      const p = nU + positives[b]!;
      if (u < 0 || u >= nU || p < nU || p >= this.nNodes) throw new DtlError('INVALID_ARGUMENT', `pair ${b} (${u}, ${positives[b]}) out of range`);
      const pw = batch.pairWeights ? batch.pairWeights[b]! : 1;
      const uo = u * dim;
      const po = p * dim;
      let sPos = 0;
      for (let d = 0; d < dim; d++) sPos += P[uo + d]! * P[po + d]!;
      this.touchedPool.add(u);
      this.touchedPool.add(p);
      for (let j = 0; j < K; j++) {
        let sNeg = 0;
        let n = -1;
        if (negatives.kind === 'items') {
          n = nU + negatives.items[b * K + j]!;
          const no = n * dim;
          for (let d = 0; d < dim; d++) {
            neg[d] = P[no + d]!;
            neg0[d] = E0[no + d]!;
          }
        } else {
          this.mixedNegative(negatives, b * K + j, neg, neg0);
        }
        for (let d = 0; d < dim; d++) sNeg += P[uo + d]! * neg[d]!;
        const x = sNeg - sPos;
        lossSum += pw * softplus(x);
        const g = pw * sigmoid(x) * invBK;
        for (let d = 0; d < dim; d++) {
          const ud = P[uo + d]!;
          gPool[uo + d]! += g * (neg[d]! - P[po + d]!);
          gPool[po + d]! -= g * ud;
        }
        let n0sq = 0;
        for (let d = 0; d < dim; d++) n0sq += neg0[d]! * neg0[d]!;
        regSum += n0sq;
        if (negatives.kind === 'items') {
          const no = n * dim;
          for (let d = 0; d < dim; d++) {
            gPool[no + d]! += g * P[uo + d]!;
            gE0[no + d]! += regScale * neg0[d]!;
          }
          this.touchedPool.add(n);
          this.touchedE0.add(n);
        } else {
          this.scatterMixedGradient(negatives, b * K + j, g, uo, regScale);
        }
      }
      if (densIo) this.densGather(batch, b, densIo);
      // L2 on the layer-0 rows of user and positive.
      for (const r of [u, p]) {
        const ro = r * dim;
        let sq = 0;
        for (let d = 0; d < dim; d++) {
          const e = E0[ro + d]!;
          sq += e * e;
          gE0[ro + d]! += regScale * e;
        }
        regSum += sq;
        this.touchedE0.add(r);
      }
    }
    const densSum = densIo ? this.dens!.batch(B, K, densScale) : 0;
    if (densIo) this.densScatter(batch, densIo);
    const grad = this.backward();
    const rows = this.nLayers === 1 ? this.touchedE0.rows : this.allRows;
    const rowCount = this.nLayers === 1 ? this.touchedE0.size : this.nNodes;
    this.optimizer.step(E0, grad, rows, rowCount);
    if (this.dens && densScale > 0) this.dens.step();
    // gE0 is non-zero only on touchedE0's rows (L2 terms; for MF the whole gradient).
    this.touchedE0.clearRows(gE0, dim);
    return { loss: lossSum * invBK + densScale * densSum, reg: (lam / 2 / B) * regSum };
  }

  /** Row b's pooled user and layer embeddings of user, positive and negatives into the DENS buffers. */
  private densGather(batch: TrainBatch, b: number, io: DensBatchBuffers): void {
    const dim = this.dim;
    const L = this.nLayers;
    const neg = batch.negatives;
    const K = neg.k;
    const nU = this.nUsers;
    const uo = batch.users[b]! * dim;
    const po = (nU + batch.positives[b]!) * dim;
    io.user.set(this.pooled.subarray(uo, uo + dim), b * dim);
    for (let l = 0; l < L; l++) {
      const e = this.layers[l]!;
      io.userLayers.set(e.subarray(uo, uo + dim), (b * L + l) * dim);
      io.positiveLayers.set(e.subarray(po, po + dim), (b * L + l) * dim);
      for (let j = 0; j < K; j++) {
        const o = ((b * K + j) * L + l) * dim;
        if (neg.kind === 'items') {
          const no = (nU + neg.items[b * K + j]!) * dim;
          io.negativeLayers.set(e.subarray(no, no + dim), o);
        } else {
          // A mixed negative's layer l is its weighted sources at layer l.
          io.negativeLayers.fill(0, o, o + dim);
          const base = mixedOffset(b * K + j, l, L, neg.nSources);
          for (let s = 0; s < neg.nSources; s++) {
            const wt = neg.weights[base + s]!;
            const so = (nU + neg.items[base + s]!) * dim;
            for (let d = 0; d < dim; d++) io.negativeLayers[o + d] = io.negativeLayers[o + d]! + wt * e[so + d]!;
          }
        }
      }
    }
  }

  /**
   * The DENS gradient into the model's buffers: the pooled user's part into gradPool, the per-layer
   * parts into the per-layer buffers (a mixed negative's sources weighted by their mixing weights).
   */
  private densScatter(batch: TrainBatch, io: DensBatchBuffers): void {
    const dim = this.dim;
    const L = this.nLayers;
    const neg = batch.negatives;
    const K = neg.k;
    const nU = this.nUsers;
    const gPool = this.gradPool;
    for (let b = 0; b < batch.users.length; b++) {
      const u = batch.users[b]!;
      const p = nU + batch.positives[b]!;
      for (let d = 0; d < dim; d++) gPool[u * dim + d] = gPool[u * dim + d]! + io.gradUser[b * dim + d]!;
      this.touchedPool.add(u);
      for (let l = 0; l < L; l++) {
        const target = this.mixBuffer(l);
        const touched = L === 1 ? this.touchedE0 : this.touchedMix[l]!;
        const addRow = (row: number, src: Float32Array, so: number, wt: number): void => {
          const ro = row * dim;
          for (let d = 0; d < dim; d++) target[ro + d] = target[ro + d]! + wt * src[so + d]!;
          touched.add(row);
        };
        addRow(u, io.gradUserLayers, (b * L + l) * dim, 1);
        addRow(p, io.gradPositiveLayers, (b * L + l) * dim, 1);
        for (let j = 0; j < K; j++) {
          const o = ((b * K + j) * L + l) * dim;
          if (neg.kind === 'items') addRow(nU + neg.items[b * K + j]!, io.gradNegativeLayers, o, 1);
          else {
            const base = mixedOffset(b * K + j, l, L, neg.nSources);
            for (let s = 0; s < neg.nSources; s++) addRow(nU + neg.items[base + s]!, io.gradNegativeLayers, o, neg.weights[base + s]!);
          }
        }
      }
    }
  }

  /** Pooled and layer-0 embedding of mixed negative `slot` into the scratch vectors. */
  private mixedNegative(neg: Extract<TrainBatch['negatives'], { kind: 'mixed' }>, slot: number, out: Float64Array, out0: Float64Array): void {
    const dim = this.dim;
    const S = neg.nSources;
    out.fill(0);
    out0.fill(0);
    for (let l = 0; l < this.nLayers; l++) {
      const e = this.layers[l]!;
      const wl = this.layerWeights[l]!;
      const base = mixedOffset(slot, l, this.nLayers, S);
      for (let s = 0; s < S; s++) {
        const item = neg.items[base + s]!;
        if (item < 0 || item >= this.nItems) throw new DtlError('INVALID_ARGUMENT', `mixed negative source item ${item} out of range`);
        const wt = neg.weights[base + s]!;
        const o = (this.nUsers + item) * dim;
        for (let d = 0; d < dim; d++) {
          const v = wt * e[o + d]!;
          out[d]! += wl * v;
          if (l === 0) out0[d]! += v;
        }
      }
    }
  }

  private scatterMixedGradient(neg: Extract<TrainBatch['negatives'], { kind: 'mixed' }>, slot: number, g: number, uo: number, regScale: number): void {
    const dim = this.dim;
    const S = neg.nSources;
    const P = this.pooled;
    const n0 = this.neg0Scratch;
    for (let l = 0; l < this.nLayers; l++) {
      const target = this.mixBuffer(l);
      const touched = this.nLayers === 1 ? this.touchedE0 : this.touchedMix[l]!;
      const wl = this.layerWeights[l]!;
      const base = mixedOffset(slot, l, this.nLayers, S);
      for (let s = 0; s < S; s++) {
        const r = this.nUsers + neg.items[base + s]!;
        const wt = neg.weights[base + s]!;
        const ro = r * dim;
        const c = g * wl * wt;
        for (let d = 0; d < dim; d++) target[ro + d]! += c * P[uo + d]!;
        touched.add(r);
        if (l === 0) {
          for (let d = 0; d < dim; d++) this.gradE0[ro + d]! += regScale * wt * n0[d]!;
          this.touchedE0.add(r);
        }
      }
    }
  }

  /** Per-layer gradient buffer for mixed negatives; for MF (one layer) it is the E0 gradient itself. */
  private mixBuffer(l: number): Float32Array {
    if (this.nLayers === 1) return this.gradE0;
    while (this.gradMix.length <= l) {
      this.gradMix.push(allocFloat32(this.arena, this.nNodes * this.dim));
      this.touchedMix.push(new RowSet(this.nNodes));
    }
    return this.gradMix[l]!;
  }

  /**
   * The full E0 gradient gradE0 + Σ_l Â^l·H_l with H_l = w_l·gradPool + gradMix_l, by Horner's rule
   * (L products), accumulated in a work buffer (returned; for MF gradE0 itself). All H_l and gradE0
   * are sparse (non-zero on touched rows only), so they are added row-wise.
   */
  private backward(): Float32Array {
    if (this.nLayers === 1) return this.gradE0;
    const a = this.adjacency!;
    const dim = this.dim;
    const L = this.nLayers - 1;
    const [x, y] = this.work!;
    const tp = this.touchedPool;
    const addH = (target: Float32Array, l: number): void => {
      wasmAxpyRows(target, this.gradPool, this.layerWeights[l]!, tp.rows, tp.size, dim);
      const mix = this.gradMix[l];
      const tm = this.touchedMix[l];
      if (mix && tm) wasmAxpyRows(target, mix, 1, tm.rows, tm.size, dim);
    };
    // H_L is sparse: materialise it in x (zeroing only its rows; the scatter reads no other row of
    // x) and scatter Â·H_L into y.
    const hRows = this.scratchRows();
    for (let k = 0; k < tp.size; k++) hRows.add(tp.rows[k]!);
    const tmL = this.touchedMix[L];
    if (tmL) for (let k = 0; k < tmL.size; k++) hRows.add(tmL.rows[k]!);
    for (let k = 0; k < hRows.size; k++) x.fill(0, hRows.rows[k]! * dim, hRows.rows[k]! * dim + dim);
    addH(x, L);
    y.fill(0);
    wasmSpmmScatterRows(a, x, hRows.rows, hRows.size, y, dim);
    hRows.clear();
    let acc = y;
    let other = x;
    addH(acc, L - 1);
    for (let l = L - 2; l >= 0; l--) {
      this.spmmFn(a, acc, other, dim);
      [acc, other] = [other, acc];
      addH(acc, l);
    }
    wasmAxpyRows(acc, this.gradE0, 1, this.touchedE0.rows, this.touchedE0.size, dim);
    // Reset the sparse gradient buffers for the next step.
    tp.clearRows(this.gradPool, dim);
    for (let l = 0; l < this.gradMix.length; l++) this.touchedMix[l]!.clearRows(this.gradMix[l]!, dim);
    return acc;
  }

  private hRowsCache: RowSet | undefined;
  private scratchRows(): RowSet {
    this.hRowsCache ??= new RowSet(this.nNodes);
    return this.hRowsCache;
  }

  private layer(l: number): Float32Array {
    const e = this.layers[l];
    if (!e) throw new DtlError('INVALID_ARGUMENT', `layer ${l} outside 0..${this.nLayers - 1}`);
    return e;
  }

  getState(): ModelState {
    return {
      model: this.name,
      config: { nUsers: this.nUsers, nItems: this.nItems, dim: this.dim, layers: this.nLayers - 1, l2: this.l2, seed: this.seed, optimizer: this.optimizerOptions, ...(this.dens ? { densGamma: this.dens.gamma } : {}) },
      step: this.optimizer.stepCount,
      tensors: { 'embeddings.0': this.layers[0]!, ...this.optimizer.state(), ...(this.dens ? this.dens.state() : {}) },
    };
  }

  /** `{ 'embeddings.0': layer-0 embeddings }` (a copy), the only learnable tensor of the scores. */
  parameters(): Readonly<Record<string, Float32Array>> {
    return { 'embeddings.0': Float32Array.from(this.layers[0]!) };
  }

  setParameters(parameters: Readonly<Record<string, Float32Array>>): void {
    const e0 = parameters['embeddings.0'];
    if (!e0 || e0.length !== this.layers[0]!.length) {
      throw new DtlError('STATE_MISMATCH', `parameters "embeddings.0" have ${e0?.length ?? 0} values, expected ${this.layers[0]!.length} (${this.nNodes}×${this.dim})`);
    }
    this.layers[0]!.set(e0);
    this.forward();
  }

  setState(state: ModelState): void {
    if (state.model !== this.name) throw new DtlError('STATE_MISMATCH', `state is for model "${state.model}", this is "${this.name}"`);
    const e0 = state.tensors['embeddings.0'];
    if (!e0 || e0.length !== this.layers[0]!.length) {
      throw new DtlError('STATE_MISMATCH', `state embeddings have ${e0?.length ?? 0} values, expected ${this.layers[0]!.length} (${this.nNodes}×${this.dim})`);
    }
    this.layers[0]!.set(e0);
    this.optimizer.restore(state.step, state.tensors);
    this.dens?.restore(state.step, state.tensors);
    this.forward();
  }
}

