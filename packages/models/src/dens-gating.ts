/**
 * The model side of DENS (R. Lai et al., "Disentangled Negative Sampling for Collaborative
 * Filtering", WSDM 2023): four dim → dim gates, trained with the model by an extra loss, that the
 * DENS sampler (`createDensSampler` in `@dtl/sampler`) reads to pick negatives. Follows
 * `create_bpr_loss` of the reference code (github.com/Riwei-HEU/DENS, `DENS/modules/LightGCN.py`),
 * per training row with pooled user u = mean_l e_{u,l}, per layer l and negative k:
 *
 *   r⁺_l = e⁺_l ⊙ σ(W_item e⁺_l + b_item + W_user e_{u,l} + b_user),     i⁺_l = e⁺_l − r⁺_l
 *   r⁻_kl = e⁻_kl ⊙ σ(W_neg e⁻_kl + b_neg + W_pos r⁺_l + b_pos),         i⁻_kl = e⁻_kl − r⁻_kl
 *   R⁺, I⁺, R⁻_k, I⁻_k = means over layers;  s(x) = ⟨u, x⟩;  lse(x_k) = log(1 + Σ_k exp x_k)
 *   L_gate = ¼·mean_rows[ softplus(s(I⁺) − s(R⁺)) + lse(s(R⁻_k) − s(I⁻_k))
 *                          + lse(s(R⁻_k) − s(R⁺)) + lse(s(I⁺) − s(I⁻_k)) ]
 *
 * and the model adds γ·L_gate to its BPR loss (γ = 0.3 in the reference `parser.py`). Gradients
 * reach the gates and every embedding involved (per layer); they are hand-derived in
 * {@link DensGating.batch} and checked against tfjs autodiff in `gradient.test.ts`.
 * The gates are initialized like PyTorch's `nn.Linear` (U(±1/√dim)) and updated by their own
 * optimizer of the model's kind and learning rate (PyTorch's Adam over all model parameters).
 */
import { DtlError, logOnePlusSumExp, mixedOffset, sigmoid, softplus } from '@dtl/core';
import { createDenseMatmul } from '@dtl/kernels';
import type { DenseMatmul } from '@dtl/kernels';
import type { DensGates, DensLinear, Rng, TrainBatch } from '@dtl/core';
import type { EmbeddingTables } from './internal/embedding-tables.ts';
import { createOptimizer } from './optimizer.ts';
import type { Optimizer, OptimizerOptions } from './optimizer.ts';

/** `dens` option of MF / LightGCN. */
export interface DensGatingOptions {
  /** Weight γ of the gating loss, default 0.3 (the reference code's default). */
  readonly gamma?: number;
}

/**
 * One batch's inputs (filled by the model) and gradients (written by {@link DensGating.batch}), all in
 * the gating's arena. Rows: users/positives are (b, l) → `(b·L + l)·dim`, negatives (b, k, l) →
 * `((b·K + k)·L + l)·dim`, the pooled user b → `b·dim`.
 */
export interface DensBatchBuffers {
  readonly user: Float32Array;
  readonly userLayers: Float32Array;
  readonly positiveLayers: Float32Array;
  readonly negativeLayers: Float32Array;
  readonly gradUser: Float32Array;
  readonly gradUserLayers: Float32Array;
  readonly gradPositiveLayers: Float32Array;
  readonly gradNegativeLayers: Float32Array;
}

const GATES = ['user', 'item', 'pos', 'neg'] as const;

/** target[row·dim ..] += wt · src[so ..] (float32 stores), one row. */
function addRow(target: Float32Array, dim: number, row: number, src: Float32Array, so: number, wt: number): void {
  const ro = row * dim;
  for (let d = 0; d < dim; d++) target[ro + d] = target[ro + d]! + wt * src[so + d]!;
}

/**
 * The gates, their gradient and optimizer, and the model side of a DENS step (gather the batch's
 * embeddings, the gating loss, scatter its gradient into the model's buffers); one per model.
 */
export class DensGating {
  readonly gamma: number;
  readonly gates: DensGates;
  private readonly dim: number;
  private readonly nLayers: number;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly gradGates: DensGates;
  private readonly optimizer: Optimizer;
  private readonly allRows: Int32Array;
  private readonly mm: DenseMatmul;
  // Batch buffers (arena), grown on demand: capacity in pairs (b) and negatives per pair (K).
  private capB = 0;
  private capK = 0;
  private io: DensBatchBuffers | undefined;
  private gp: Float32Array = new Float32Array(0);
  private rp: Float32Array = new Float32Array(0);
  private gn: Float32Array = new Float32Array(0);
  private dzn: Float32Array = new Float32Array(0);
  private dzp: Float32Array = new Float32Array(0);
  private sumK: Float32Array = new Float32Array(0);
  private drp: Float32Array = new Float32Array(0);
  private tmpN: Float32Array = new Float32Array(0);
  private tmpP: Float32Array = new Float32Array(0);
  private trans: Float32Array = new Float32Array(0);
  private dW: Float32Array = new Float32Array(0);
  // Per-row scratch.
  private pooled = new Float64Array(0);
  private scoreGrads = new Float64Array(0);
  private diffs = new Float64Array(0);
  private probs = new Float64Array(0);
  private negScoreGrads = new Float64Array(0);

  constructor(dim: number, nLayers: number, options: DensGatingOptions, optimizer: OptimizerOptions, rng: Rng, matmul?: DenseMatmul) {
    const gamma = options.gamma ?? 0.3;
    if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new DtlError('INVALID_ARGUMENT', `dens gamma must be a finite number ≥ 0, got ${gamma}`);
    this.gamma = gamma;
    this.dim = dim;
    this.nLayers = nLayers;
    const per = dim * dim + dim;
    this.mm = matmul ?? createDenseMatmul();
    this.params = this.mm.buffer(GATES.length * per);
    this.grads = new Float32Array(this.params.length);
    const bound = 1 / Math.sqrt(dim);
    for (let i = 0; i < this.params.length; i++) this.params[i] = (2 * rng.next() - 1) * bound;
    const view = (buf: Float32Array): DensGates => {
      const linear = (g: number): DensLinear => ({ weight: buf.subarray(g * per, g * per + dim * dim), bias: buf.subarray(g * per + dim * dim, (g + 1) * per) });
      return { dim, user: linear(0), item: linear(1), pos: linear(2), neg: linear(3) };
    };
    this.gates = view(this.params);
    this.gradGates = view(this.grads);
    // Rows of `dim` floats, all updated every step (the gates take part in every row).
    const rows = this.params.length / dim;
    this.optimizer = createOptimizer(this.params.length, dim, { kind: optimizer.kind, lr: optimizer.lr, beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps });
    this.allRows = Int32Array.from({ length: rows }, (_, i) => i);
  }

  /** Input/gradient buffers for a batch of B pairs with K negatives each (valid until the next call). */
  buffers(B: number, K: number): DensBatchBuffers {
    if (!this.io || B > this.capB || K > this.capK) {
      const capB = Math.max(B, this.capB);
      const capK = Math.max(K, this.capK);
      const f = (n: number): Float32Array => this.mm.buffer(n);
      const dim = this.dim;
      const P = capB * this.nLayers * dim;
      const N = capB * capK * this.nLayers * dim;
      this.io = {
        user: f(capB * dim), userLayers: f(P), positiveLayers: f(P), negativeLayers: f(N),
        gradUser: f(capB * dim), gradUserLayers: f(P), gradPositiveLayers: f(P), gradNegativeLayers: f(N),
      };
      this.gp = f(P); this.rp = f(P); this.dzp = f(P); this.sumK = f(P); this.drp = f(P); this.tmpP = f(P);
      this.gn = f(N); this.dzn = f(N); this.tmpN = f(N); this.trans = f(N);
      this.dW = f(dim * dim);
      this.pooled = new Float64Array((2 + 2 * capK) * dim);
      this.scoreGrads = new Float64Array(2 + 2 * capK);
      this.diffs = new Float64Array(capK);
      this.probs = new Float64Array(capK);
      this.negScoreGrads = new Float64Array(2 * capK);
      this.capB = capB;
      this.capK = capK;
    }
    return this.io;
  }

  /**
   * The batch's pooled users and the per-layer embeddings of users, positives and negatives (a mixed
   * negative's layer l is its weighted sources at layer l) into {@link buffers}(B, K); returns them.
   */
  gather(tables: EmbeddingTables, batch: TrainBatch): DensBatchBuffers {
    const B = batch.users.length;
    const io = this.buffers(B, batch.negatives.k);
    for (let b = 0; b < B; b++) this.gatherRow(tables, batch, b, io);
    return io;
  }

  private gatherRow(tables: EmbeddingTables, batch: TrainBatch, b: number, io: DensBatchBuffers): void {
    const dim = this.dim;
    const L = this.nLayers;
    const neg = batch.negatives;
    const K = neg.k;
    const nU = tables.nUsers;
    const uo = batch.users[b]! * dim;
    const po = (nU + batch.positives[b]!) * dim;
    // Plain copy loops (no subarray views: this runs B·L·(2 + K) times per step).
    const P = tables.pooled;
    const user = io.user;
    for (let d = 0, o = b * dim; d < dim; d++) user[o + d] = P[uo + d]!;
    const UL = io.userLayers, PL = io.positiveLayers, NL = io.negativeLayers;
    for (let l = 0; l < L; l++) {
      const e = tables.layers[l]!;
      const ro = (b * L + l) * dim;
      for (let d = 0; d < dim; d++) {
        UL[ro + d] = e[uo + d]!;
        PL[ro + d] = e[po + d]!;
      }
      for (let j = 0; j < K; j++) {
        const o = ((b * K + j) * L + l) * dim;
        if (neg.kind === 'items') {
          const no = (nU + neg.items[b * K + j]!) * dim;
          for (let d = 0; d < dim; d++) NL[o + d] = e[no + d]!;
        } else {
          // A mixed negative's layer l is its weighted sources at layer l.
          NL.fill(0, o, o + dim);
          const base = mixedOffset(b * K + j, l, L, neg.nSources);
          for (let s = 0; s < neg.nSources; s++) {
            const wt = neg.weights[base + s]!;
            const so = (nU + neg.items[base + s]!) * dim;
            for (let d = 0; d < dim; d++) NL[o + d] = NL[o + d]! + wt * e[so + d]!;
          }
        }
      }
    }
  }

  /**
   * The gradient {@link batch} wrote into `io` into the model's buffers: the pooled user's part into
   * gradPool, the per-layer parts into the per-layer buffers (a mixed negative's sources weighted by
   * their mixing weights).
   */
  scatter(tables: EmbeddingTables, batch: TrainBatch, io: DensBatchBuffers): void {
    const dim = this.dim;
    const L = this.nLayers;
    const neg = batch.negatives;
    const K = neg.k;
    const nU = tables.nUsers;
    const gPool = tables.gradPool;
    for (let l = 0; l < L; l++) tables.mixBuffer(l);
    for (let b = 0; b < batch.users.length; b++) {
      const u = batch.users[b]!;
      const p = nU + batch.positives[b]!;
      for (let d = 0; d < dim; d++) gPool[u * dim + d] = gPool[u * dim + d]! + io.gradUser[b * dim + d]!;
      tables.touchedPool.add(u);
      for (let l = 0; l < L; l++) {
        const target = tables.mixBuffer(l);
        const touched = tables.mixTouched(l);
        addRow(target, dim, u, io.gradUserLayers, (b * L + l) * dim, 1);
        touched.add(u);
        addRow(target, dim, p, io.gradPositiveLayers, (b * L + l) * dim, 1);
        touched.add(p);
        for (let j = 0; j < K; j++) {
          const o = ((b * K + j) * L + l) * dim;
          if (neg.kind === 'items') {
            const r = nU + neg.items[b * K + j]!;
            addRow(target, dim, r, io.gradNegativeLayers, o, 1);
            touched.add(r);
          } else {
            const base = mixedOffset(b * K + j, l, L, neg.nSources);
            for (let s = 0; s < neg.nSources; s++) {
              const r = nU + neg.items[base + s]!;
              addRow(target, dim, r, io.gradNegativeLayers, o, neg.weights[base + s]!);
              touched.add(r);
            }
          }
        }
      }
    }
  }

  /** dW += Aᵀ·X over n rows (A n×dim, X n×dim), db += column sums of A. */
  private addWeightGradient(a: Float32Array, x: Float32Array, n: number, gw: Float32Array, gb: Float32Array): void {
    const dim = this.dim;
    this.mm.transpose(a, this.trans, n, dim);
    this.mm.matmul(this.trans, x, this.dW, dim, n, dim);
    for (let t = 0; t < dim * dim; t++) gw[t] = gw[t]! + this.dW[t]!;
    for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) gb[d] = gb[d]! + a[r * dim + d]!;
  }

  /**
   * The gating loss of a batch whose inputs are in {@link buffers}(B, K): returns Σ over rows of the
   * bracket of L_gate (unscaled), writes the gradient of `scale` × that sum w.r.t. the inputs into
   * the buffers' `grad*` arrays (overwritten) and adds it to the gates' gradient (applied by
   * {@link step}). The dim×dim products run on `@dtl/kernels`' dense matmul (WebAssembly SIMD).
   */
  batch(B: number, K: number, scale: number): number {
    const io = this.buffers(B, K);
    const dim = this.dim;
    const L = this.nLayers;
    const w = 1 / L;
    const nP = B * L;
    const nN = B * K * L;
    const { gp, rp, gn, dzn, dzp, sumK, drp, tmpN, tmpP, pooled, scoreGrads: gS, diffs: x, probs } = this;
    const g = this.gates;
    const gg = this.gradGates;
    const EU = io.userLayers, EP = io.positiveLayers, EN = io.negativeLayers, U = io.user;
    // Forward. r⁺ = e⁺ ⊙ σ(item(e⁺) + user(e_u)).
    this.mm.linear(EP, g.item.weight, g.item.bias, gp, nP, dim, dim);
    this.mm.linear(EU, g.user.weight, g.user.bias, gp, nP, dim, dim, true);
    for (let t = 0; t < nP * dim; t++) {
      const sg = sigmoid(gp[t]!);
      gp[t] = sg;
      rp[t] = EP[t]! * sg;
    }
    // q = pos(r⁺) per (b, l); r⁻ = e⁻ ⊙ σ(neg(e⁻) + q).
    this.mm.linear(rp, g.pos.weight, g.pos.bias, tmpP, nP, dim, dim);
    this.mm.linear(EN, g.neg.weight, g.neg.bias, gn, nN, dim, dim);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < L; l++) {
          const o = ((b * K + k) * L + l) * dim;
          const qo = (b * L + l) * dim;
          for (let d = 0; d < dim; d++) gn[o + d] = sigmoid(gn[o + d]! + tmpP[qo + d]!);
        }
      }
    }
    // Per row: pooled parts, scores, loss, score gradients, then gradients w.r.t. r and e per layer.
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const uo = b * dim;
      pooled.fill(0, 0, (2 + 2 * K) * dim);
      for (let l = 0; l < L; l++) {
        const o = (b * L + l) * dim;
        for (let d = 0; d < dim; d++) {
          pooled[d] = pooled[d]! + w * rp[o + d]!;
          pooled[dim + d] = pooled[dim + d]! + w * (EP[o + d]! - rp[o + d]!);
        }
      }
      for (let k = 0; k < K; k++) {
        const po = (2 + 2 * k) * dim;
        for (let l = 0; l < L; l++) {
          const o = ((b * K + k) * L + l) * dim;
          for (let d = 0; d < dim; d++) {
            const r = EN[o + d]! * gn[o + d]!;
            pooled[po + d] = pooled[po + d]! + w * r;
            pooled[po + dim + d] = pooled[po + dim + d]! + w * (EN[o + d]! - r);
          }
        }
      }
      const S = 2 + 2 * K;
      for (let s = 0; s < S; s++) {
        let acc = 0;
        for (let d = 0; d < dim; d++) acc += U[uo + d]! * pooled[s * dim + d]!;
        gS[s] = acc; // scores for now
      }
      const sRp = gS[0]!;
      const sIp = gS[1]!;
      // s(R⁻_k) = gS[2 + 2k], s(I⁻_k) = gS[3 + 2k] (indexed inline: no closures in this per-row loop).
      let rowLoss = softplus(sIp - sRp);
      const a1 = sigmoid(sIp - sRp);
      // Score gradients, accumulated in locals first (gS still holds the scores).
      let gRp = -a1;
      let gIp = a1;
      const gRn = this.negScoreGrads;
      const gIn = this.negScoreGrads.subarray(K);
      gRn.fill(0, 0, 2 * K);
      for (let k = 0; k < K; k++) x[k] = gS[2 + 2 * k]! - gS[3 + 2 * k]!;
      rowLoss += logOnePlusSumExp(x, K, probs);
      for (let k = 0; k < K; k++) {
        gRn[k] = gRn[k]! + probs[k]!;
        gIn[k] = gIn[k]! - probs[k]!;
      }
      for (let k = 0; k < K; k++) x[k] = gS[2 + 2 * k]! - sRp;
      rowLoss += logOnePlusSumExp(x, K, probs);
      for (let k = 0; k < K; k++) {
        gRn[k] = gRn[k]! + probs[k]!;
        gRp -= probs[k]!;
      }
      for (let k = 0; k < K; k++) x[k] = sIp - gS[3 + 2 * k]!;
      rowLoss += logOnePlusSumExp(x, K, probs);
      for (let k = 0; k < K; k++) {
        gIp += probs[k]!;
        gIn[k] = gIn[k]! - probs[k]!;
      }
      loss += rowLoss;
      gS[0] = gRp * scale;
      gS[1] = gIp * scale;
      for (let k = 0; k < K; k++) {
        gS[2 + 2 * k] = gRn[k]! * scale;
        gS[3 + 2 * k] = gIn[k]! * scale;
      }
      // ∂/∂u = Σ_s gS_s · pooled_s.
      for (let d = 0; d < dim; d++) {
        let acc = 0;
        for (let s = 0; s < S; s++) acc += gS[s]! * pooled[s * dim + d]!;
        io.gradUser[uo + d] = acc;
      }
      // i = e − r: ∂e += w·g_I·u, ∂r = w·(g_R − g_I)·u, per layer.
      for (let l = 0; l < L; l++) {
        const o = (b * L + l) * dim;
        for (let d = 0; d < dim; d++) {
          io.gradPositiveLayers[o + d] = w * gS[1]! * U[uo + d]!;
          drp[o + d] = w * (gS[0]! - gS[1]!) * U[uo + d]!;
        }
      }
      for (let k = 0; k < K; k++) {
        const cR = w * gS[2 + 2 * k]!;
        const cI = w * gS[3 + 2 * k]!;
        for (let l = 0; l < L; l++) {
          const o = ((b * K + k) * L + l) * dim;
          for (let d = 0; d < dim; d++) {
            const drn = (cR - cI) * U[uo + d]!;
            const sg = gn[o + d]!;
            io.gradNegativeLayers[o + d] = cI * U[uo + d]! + drn * sg;
            dzn[o + d] = drn * EN[o + d]! * sg * (1 - sg);
          }
        }
      }
    }
    // Negative gate: ∂e⁻ += dz·W_neg, ∂W_neg += dzᵀe⁻; pos gate gets Σ_k dz per (b, l).
    this.mm.matmul(dzn, g.neg.weight, tmpN, nN, dim, dim);
    for (let t = 0; t < nN * dim; t++) io.gradNegativeLayers[t] = io.gradNegativeLayers[t]! + tmpN[t]!;
    this.addWeightGradient(dzn, EN, nN, gg.neg.weight, gg.neg.bias);
    sumK.fill(0, 0, nP * dim);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < L; l++) {
          const o = ((b * K + k) * L + l) * dim;
          const qo = (b * L + l) * dim;
          for (let d = 0; d < dim; d++) sumK[qo + d] = sumK[qo + d]! + dzn[o + d]!;
        }
      }
    }
    this.addWeightGradient(sumK, rp, nP, gg.pos.weight, gg.pos.bias);
    this.mm.matmul(sumK, g.pos.weight, tmpP, nP, dim, dim);
    // Positive gate.
    for (let t = 0; t < nP * dim; t++) {
      const d = drp[t]! + tmpP[t]!;
      const sg = gp[t]!;
      io.gradPositiveLayers[t] = io.gradPositiveLayers[t]! + d * sg;
      dzp[t] = d * EP[t]! * sg * (1 - sg);
    }
    this.mm.matmul(dzp, g.item.weight, tmpP, nP, dim, dim);
    for (let t = 0; t < nP * dim; t++) io.gradPositiveLayers[t] = io.gradPositiveLayers[t]! + tmpP[t]!;
    this.mm.matmul(dzp, g.user.weight, io.gradUserLayers, nP, dim, dim);
    this.addWeightGradient(dzp, EP, nP, gg.item.weight, gg.item.bias);
    this.addWeightGradient(dzp, EU, nP, gg.user.weight, gg.user.bias);
    return loss;
  }

  /** Applies the accumulated gate gradient with the gates' optimizer and clears it. */
  /** The gates' optimizer uses `scale` × its learning rate from the next step (the model's schedule). */
  setLearningRateScale(scale: number): void {
    this.optimizer.setScale(scale);
  }

  step(): void {
    this.optimizer.step(this.params, this.grads, this.allRows, this.allRows.length);
    this.grads.fill(0);
  }

  state(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = { 'dens.gates': this.params };
    for (const [k, v] of Object.entries(this.optimizer.state())) out[`dens.${k}`] = v;
    return out;
  }

  restore(stepCount: number, tensors: Readonly<Record<string, Float32Array>>): void {
    const p = tensors['dens.gates'];
    if (!p || p.length !== this.params.length) throw new DtlError('STATE_MISMATCH', `state lacks DENS gates of size ${this.params.length}`);
    this.params.set(p);
    const opt: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(tensors)) if (k.startsWith('dens.') && k !== 'dens.gates') opt[k.slice(5)] = v;
    this.optimizer.restore(stepCount, opt);
  }
}
