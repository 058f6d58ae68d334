import { DtlError, mixedOffset, sigmoid, softplus } from '@dtl/core';
import type { MixedNegativeBatch, TrainBatch } from '@dtl/core';
import { gatherMixedRows, scatterMixedRows } from '@dtl/kernels';
import type { EmbeddingTables } from './embedding-tables.ts';

/**
 * The BPR-with-L2 gradient of one batch (Rendle et al., UAI 2009), in the form of the
 * LightGCN/MixGCF code:
 *   loss = 1/(B·K) Σ_b Σ_j w_b·softplus(s_bj − s_b+) + λ/(2B)·Σ_b (‖u0‖² + ‖i0‖² + Σ_j ‖n0_j‖²)
 * with s = ⟨pooled user, pooled item⟩ and ·0 the layer-0 rows. With d = w_b·σ(s_bj − s_b+)/(B·K):
 *   ∂/∂u = d·(n − i),  ∂/∂i = −d·u,  ∂/∂n = d·u   (pooled rows; the reported `loss` excludes L2).
 * Pooled gradients go to `gradPool`, L2 gradients to `gradE0`; a mixed negative's gradient goes to
 * each of its source items at its own layer (`gradMix[l]`), weighted by its mixing weight. The
 * propagation's backward pass (`propagation.ts`) takes it from there.
 *
 * Mixed negatives (MixGCF, DTL with mixing) take {@link accumulateMixed}: all of the batch's mixed
 * rows are gathered in one call and, with propagation layers, their per-layer gradients scattered in
 * one call after the loop (`gatherMixedRows` / `scatterMixedRows` of `@dtl/kernels`: WebAssembly SIMD
 * when the tables are in the compute object's arena, else the JS loops; bit-identical either way and
 * to the per-slot loops this replaced, because the per-layer mixed gradient tables receive nothing
 * else during the loop, so deferring their updates keeps each row's order of additions).
 */
export class BprStep {
  private readonly itemLayers: Float32Array[];
  private mixTargets: Float32Array[] = [];
  private mixCap = 0;
  private negRows: Float64Array = new Float64Array(0);
  private neg0Rows: Float64Array = new Float64Array(0);
  private slotUsers: Int32Array = new Int32Array(0);
  private slotG: Float64Array = new Float64Array(0);

  constructor(private readonly tables: EmbeddingTables) {
    this.itemLayers = tables.layers.map((e) => e.subarray(tables.nUsers * tables.dim));
  }

  /**
   * L2 on the layer-0 rows of a pair's user and positive (row offsets `uo`, `po`): their gradient into
   * gradE0, and `regSum` plus the two squared norms, added in that order (user, then positive).
   */
  private l2UserPositive(uo: number, po: number, regScale: number, regSum: number): number {
    const t = this.tables;
    const dim = t.dim;
    const E0 = t.layers[0]!;
    const gE0 = t.gradE0;
    let sqU = 0;
    let sqP = 0;
    for (let d = 0; d < dim; d++) {
      const eu = E0[uo + d]!;
      const ep = E0[po + d]!;
      sqU += eu * eu;
      sqP += ep * ep;
      gE0[uo + d]! += regScale * eu;
      gE0[po + d]! += regScale * ep;
    }
    return regSum + sqU + sqP;
  }

  /** Float64 rows from the compute object (so the wasm kernels can write them in place). */
  private f64(n: number): Float64Array {
    const raw = this.tables.compute.f32(2 * n);
    return new Float64Array(raw.buffer, raw.byteOffset, n);
  }

  /**
   * Accumulates the batch's gradient into the tables' gradient buffers; returns Σ w_b·softplus (the
   * BPR loss before the 1/(B·K) factor) and Σ of the squared layer-0 norms (before λ/(2B)).
   * The batch must be validated (`validateNegativeBatch`); pairs are range-checked here.
   */
  accumulate(batch: TrainBatch, regScale: number, invBK: number): { lossSum: number; regSum: number } {
    const negatives = batch.negatives;
    if (negatives.kind === 'mixed') return this.accumulateMixed(batch, negatives, regScale, invBK);
    const t = this.tables;
    const { users, positives } = batch;
    const B = users.length;
    const K = negatives.k;
    const dim = t.dim;
    const nU = t.nUsers;
    const P = t.pooled;
    const E0 = t.layers[0]!;
    const gPool = t.gradPool;
    const gE0 = t.gradE0;
    const items = negatives.items;
    const weights = batch.pairWeights;
    const tp = t.touchedPool;
    const te = t.touchedE0;
    let lossSum = 0;
    let regSum = 0;
    // Fused passes over d (one read pass for the scores and norms, one write pass for the
    // gradients). Every float32 element and every float64 sum receives exactly the operations of
    // the unfused loops, in the same order — also for MF, where P is E0 and gradPool is gradE0 — so
    // the result is bit-identical to them (golden-training.test.ts).
    for (let b = 0; b < B; b++) {
      const u = users[b]!;
      const p = nU + positives[b]!;
      if (u < 0 || u >= nU || p < nU || p >= t.nNodes) throw new DtlError('INVALID_ARGUMENT', `pair ${b} (${u}, ${positives[b]}) out of range`);
      const pw = weights ? weights[b]! : 1;
      const uo = u * dim;
      const po = p * dim;
      let sPos = 0;
      for (let d = 0; d < dim; d++) sPos += P[uo + d]! * P[po + d]!;
      tp.add(u);
      tp.add(p);
      for (let j = 0; j < K; j++) {
        const n = nU + items[b * K + j]!;
        const no = n * dim;
        let sNeg = 0;
        let n0sq = 0;
        for (let d = 0; d < dim; d++) {
          sNeg += P[uo + d]! * P[no + d]!;
          const e = E0[no + d]!;
          n0sq += e * e;
        }
        const x = sNeg - sPos;
        lossSum += pw * softplus(x);
        const g = pw * sigmoid(x) * invBK;
        regSum += n0sq;
        for (let d = 0; d < dim; d++) {
          const ud = P[uo + d]!;
          gPool[uo + d]! += g * (P[no + d]! - P[po + d]!);
          gPool[po + d]! -= g * ud;
          gPool[no + d]! += g * ud;
          gE0[no + d]! += regScale * E0[no + d]!;
        }
        tp.add(n);
        te.add(n);
      }
      regSum = this.l2UserPositive(uo, po, regScale, regSum);
      te.add(u);
      te.add(p);
    }
    return { lossSum, regSum };
  }

  /** {@link accumulate} for a mixed batch: the same arithmetic in the same order per row (see the class). */
  private accumulateMixed(batch: TrainBatch, negatives: MixedNegativeBatch, regScale: number, invBK: number): { lossSum: number; regSum: number } {
    const t = this.tables;
    const { users, positives } = batch;
    const B = users.length;
    const K = negatives.k;
    const L = t.nLayers;
    const S = negatives.nSources;
    const dim = t.dim;
    const nU = t.nUsers;
    const P = t.pooled;
    const gPool = t.gradPool;
    const gE0 = t.gradE0;
    const nSlots = B * K;
    if (nSlots > this.mixCap) {
      this.mixCap = Math.max(nSlots, 2 * this.mixCap);
      this.negRows = this.f64(this.mixCap * dim);
      this.neg0Rows = this.f64(this.mixCap * dim);
      this.slotUsers = new Int32Array(this.mixCap);
      this.slotG = new Float64Array(this.mixCap);
    }
    const rowsBatch = { items: negatives.items, weights: negatives.weights, nSlots, nLayers: L, nSources: S };
    const neg = this.negRows;
    const neg0 = this.neg0Rows;
    gatherMixedRows(rowsBatch, this.itemLayers, t.layerWeights, dim, neg, neg0);
    if (L > 1 && this.mixTargets.length < L) {
      for (let l = 0; l < L; l++) t.mixBuffer(l);
      this.mixTargets = t.gradMix.slice(0, L).map((g) => g.subarray(nU * dim));
    }
    const items = negatives.items;
    const mixW = negatives.weights;
    const weights = batch.pairWeights;
    const tp = t.touchedPool;
    const te = t.touchedE0;
    const w0 = t.layerWeights[0]!;
    let lossSum = 0;
    let regSum = 0;
    // Fused passes over d as in {@link accumulate}: each element and each float64 sum receives the
    // operations of the unfused loops in the same order (bit-identical; MF's P is E0, gradPool gradE0).
    for (let b = 0; b < B; b++) {
      const u = users[b]!;
      const p = nU + positives[b]!;
      if (u < 0 || u >= nU || p < nU || p >= t.nNodes) throw new DtlError('INVALID_ARGUMENT', `pair ${b} (${u}, ${positives[b]}) out of range`);
      const pw = weights ? weights[b]! : 1;
      const uo = u * dim;
      const po = p * dim;
      let sPos = 0;
      for (let d = 0; d < dim; d++) sPos += P[uo + d]! * P[po + d]!;
      tp.add(u);
      tp.add(p);
      for (let j = 0; j < K; j++) {
        const slot = b * K + j;
        const no = slot * dim;
        let sNeg = 0;
        let n0sq = 0;
        for (let d = 0; d < dim; d++) {
          sNeg += P[uo + d]! * neg[no + d]!;
          n0sq += neg0[no + d]! * neg0[no + d]!;
        }
        const x = sNeg - sPos;
        lossSum += pw * softplus(x);
        const g = pw * sigmoid(x) * invBK;
        for (let d = 0; d < dim; d++) {
          const ud = P[uo + d]!;
          gPool[uo + d]! += g * (neg[no + d]! - P[po + d]!);
          gPool[po + d]! -= g * ud;
        }
        regSum += n0sq;
        if (L === 1) {
          // MF: the mixed gradient goes to gradE0 itself, interleaved with the other pairs' terms.
          const base = mixedOffset(slot, 0, 1, S);
          const c0 = g * w0;
          for (let s = 0; s < S; s++) {
            const r = nU + items[base + s]!;
            const wt = mixW[base + s]!;
            const ro = r * dim;
            const c = c0 * wt;
            const rw = regScale * wt;
            for (let d = 0; d < dim; d++) {
              gE0[ro + d]! += c * P[uo + d]!;
              gE0[ro + d]! += rw * neg0[no + d]!;
            }
            te.add(r);
          }
        } else {
          // Per-layer gradients: deferred to one scatterMixedRows after the loop. Here the rows they
          // touch (in the same order) and the L2 term of the layer-0 sources.
          this.slotUsers[slot] = u;
          this.slotG[slot] = g;
          for (let l = 0; l < L; l++) {
            const touched = t.touchedMix[l]!;
            const base = mixedOffset(slot, l, L, S);
            for (let s = 0; s < S; s++) {
              const r = nU + items[base + s]!;
              touched.add(r);
              if (l === 0) {
                const rw = regScale * mixW[base + s]!;
                const ro = r * dim;
                for (let d = 0; d < dim; d++) gE0[ro + d]! += rw * neg0[no + d]!;
                te.add(r);
              }
            }
          }
        }
      }
      regSum = this.l2UserPositive(uo, po, regScale, regSum);
      te.add(u);
      te.add(p);
    }
    if (L > 1) scatterMixedRows(rowsBatch, this.mixTargets, t.layerWeights, dim, P, this.slotUsers, this.slotG);
    return { lossSum, regSum };
  }
}
