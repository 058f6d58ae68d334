import { DtlError, createRng, validateNegativeBatch } from '@dtl/core';
import type { CfModel, Csr, DensGates, ModelState, StepStats, TrainBatch, WeightedCsr } from '@dtl/core';
import { createCompute } from '@dtl/kernels';
import type { Compute, SyncTeam } from '@dtl/kernels';
import { normalizedBipartiteAdjacency } from './adjacency.ts';
import { xavierUniform } from './init.ts';
import { DensGating } from './dens-gating.ts';
import type { DensGatingOptions } from './dens-gating.ts';
import { createOptimizer } from './optimizer.ts';
import type { Optimizer, OptimizerOptions } from './optimizer.ts';
import { BprStep } from './internal/bpr-step.ts';
import { EmbeddingTables } from './internal/embedding-tables.ts';
import { Propagation } from './internal/propagation.ts';

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
   * The engine (`createCompute` from `@dtl/kernels`): arena, threads and the wasm/JS choice. The
   * model's big buffers are allocated from it. Default: a private one per model built from `team`
   * and `wasm` (so existing callers keep working). When given, `team` and `wasm` are ignored.
   */
  readonly compute?: Compute | undefined;
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

/**
 * An embedding model over users and items with L ≥ 0 LightGCN propagation layers (L = 0 is BPR-MF).
 * Nodes are users [0, nUsers) then items [nUsers, nUsers + nItems) in one row-major table E0 (the
 * only parameter). Layer l = Â·layer(l−1); pooled = mean of layers 0..L. The parts, one file each
 * under `internal/`: the tables and gradient buffers (`embedding-tables.ts`), propagation forward
 * and backward (`propagation.ts`), the hand-derived BPR gradient (`bpr-step.ts`, checked against
 * tfjs autodiff in tests); DENS's model side is `dens-gating.ts`. This class wires them to the
 * engine ({@link EmbeddingModelOptions.compute}) and implements the `CfModel` contract.
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
  private readonly tables: EmbeddingTables;
  private readonly propagation: Propagation;
  private readonly bpr: BprStep;
  private readonly optimizer: Optimizer;
  private readonly optimizerOptions: OptimizerOptions;
  private readonly seed: number;
  private readonly allRows: Int32Array;
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
    const size = this.nNodes * dim;
    if (options.layers > 0) {
      if (!options.train) throw new DtlError('INVALID_ARGUMENT', `${this.name} with ${options.layers} layers needs the train matrix`);
      if (options.train.nRows !== this.nUsers || options.train.nCols !== this.nItems) {
        throw new DtlError('INVALID_ARGUMENT', `train matrix is ${options.train.nRows}×${options.train.nCols}, model is ${this.nUsers}×${this.nItems}`);
      }
    }
    // Default: one arena per model (freed with it), sized for the buffers allocated below plus slack
    // for the lazily allocated mixed-negative gradients; only address space is reserved beyond that.
    const nnz = options.layers > 0 && options.train ? 2 * options.train.indptr[options.train.nRows]! : 0;
    const eagerFloats = size * (options.layers > 0 ? this.nLayers + 5 : 1 + 1) + size * 2 + 3 * nnz + this.nNodes;
    const compute = options.compute ?? createCompute({ team: options.team, wasm: options.wasm, initialBytes: 4 * eagerFloats + (1 << 20) });
    const adjacency = options.layers > 0 ? compute.csr(normalizedBipartiteAdjacency(options.train!)) : undefined;
    this.tables = new EmbeddingTables(compute, this.nUsers, this.nItems, dim, this.nLayers);
    this.layerWeights = this.tables.layerWeights;
    this.propagation = new Propagation(this.tables, compute, adjacency, options.spmm ?? compute.spmm);
    this.bpr = new BprStep(this.tables);
    const e0 = this.tables.layers[0]!;
    const rng = createRng(this.seed);
    xavierUniform(e0, 0, this.nUsers, dim, rng);
    xavierUniform(e0, this.nUsers * dim, this.nItems, dim, rng);
    this.optimizerOptions = options.optimizer ?? {};
    this.optimizer = createOptimizer(size, dim, { ...this.optimizerOptions, compute });
    this.allRows = Int32Array.from({ length: this.nNodes }, (_, i) => i);
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
    return this.tables.pooled.subarray(0, this.nUsers * this.dim);
  }

  pooledItems(): Float32Array {
    return this.tables.pooled.subarray(this.nUsers * this.dim);
  }

  forward(): void {
    this.propagation.forward();
  }

  /**
   * One step of BPR with L2 (see `internal/bpr-step.ts` for the loss and its gradient), plus γ·L_gate
   * with DENS: gradients through propagation to E0 (`internal/propagation.ts`), then the optimizer.
   */
  trainStep(batch: TrainBatch): StepStats {
    const { users, positives, negatives } = batch;
    const B = users.length;
    if (positives.length !== B) throw new DtlError('INVALID_ARGUMENT', `batch has ${B} users but ${positives.length} positives`);
    if (batch.pairWeights && batch.pairWeights.length !== B) throw new DtlError('INVALID_ARGUMENT', `pairWeights has ${batch.pairWeights.length} entries for ${B} pairs`);
    validateNegativeBatch(negatives, { nPairs: B, nItems: this.nItems, nLayers: this.nLayers });
    const K = negatives.k;
    const t = this.tables;
    const lam = this.l2;
    const invBK = 1 / (B * K);
    const { lossSum, regSum } = this.bpr.accumulate(batch, lam / B, invBK);
    const densScale = this.dens ? this.dens.gamma / (4 * B) : 0;
    let densSum = 0;
    if (this.dens && densScale > 0) {
      const io = this.dens.gather(t, batch);
      densSum = this.dens.batch(B, K, densScale);
      this.dens.scatter(t, batch, io);
    }
    const grad = this.propagation.backward();
    const rows = this.nLayers === 1 ? t.touchedE0.rows : this.allRows;
    const rowCount = this.nLayers === 1 ? t.touchedE0.size : this.nNodes;
    this.optimizer.step(t.layers[0]!, grad, rows, rowCount);
    if (this.dens && densScale > 0) this.dens.step();
    // gE0 is non-zero only on touchedE0's rows (L2 terms; for MF the whole gradient).
    t.touchedE0.clearRows(t.gradE0, this.dim);
    return { loss: lossSum * invBK + densScale * densSum, reg: (lam / 2 / B) * regSum };
  }

  setLearningRateScale(scale: number): void {
    this.optimizer.setScale(scale);
    this.dens?.setLearningRateScale(scale);
  }

  private layer(l: number): Float32Array {
    const e = this.tables.layers[l];
    if (!e) throw new DtlError('INVALID_ARGUMENT', `layer ${l} outside 0..${this.nLayers - 1}`);
    return e;
  }

  getState(): ModelState {
    return {
      model: this.name,
      config: { nUsers: this.nUsers, nItems: this.nItems, dim: this.dim, layers: this.nLayers - 1, l2: this.l2, seed: this.seed, optimizer: this.optimizerOptions, ...(this.dens ? { densGamma: this.dens.gamma } : {}) },
      step: this.optimizer.stepCount,
      tensors: { 'embeddings.0': this.tables.layers[0]!, ...this.optimizer.state(), ...(this.dens ? this.dens.state() : {}) },
    };
  }

  /** `{ 'embeddings.0': layer-0 embeddings }` (a copy), the only learnable tensor of the scores. */
  parameters(): Readonly<Record<string, Float32Array>> {
    return { 'embeddings.0': Float32Array.from(this.tables.layers[0]!) };
  }

  setParameters(parameters: Readonly<Record<string, Float32Array>>): void {
    const e0 = parameters['embeddings.0'];
    if (!e0 || e0.length !== this.tables.layers[0]!.length) {
      throw new DtlError('STATE_MISMATCH', `parameters "embeddings.0" have ${e0?.length ?? 0} values, expected ${this.tables.layers[0]!.length} (${this.nNodes}×${this.dim})`);
    }
    this.tables.layers[0]!.set(e0);
    this.forward();
  }

  setState(state: ModelState): void {
    if (state.model !== this.name) throw new DtlError('STATE_MISMATCH', `state is for model "${state.model}", this is "${this.name}"`);
    const e0 = state.tensors['embeddings.0'];
    if (!e0 || e0.length !== this.tables.layers[0]!.length) {
      throw new DtlError('STATE_MISMATCH', `state embeddings have ${e0?.length ?? 0} values, expected ${this.tables.layers[0]!.length} (${this.nNodes}×${this.dim})`);
    }
    this.tables.layers[0]!.set(e0);
    this.optimizer.restore(state.step, state.tensors);
    this.dens?.restore(state.step, state.tensors);
    this.forward();
  }
}

