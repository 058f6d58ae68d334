import { DtlError, mixedOffset, sigmoid, softplus } from '@dtl/core';
import type { MixedNegativeBatch, TrainBatch } from '@dtl/core';
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
 */
export class BprStep {
  private readonly neg: Float64Array;
  private readonly neg0: Float64Array;

  constructor(private readonly tables: EmbeddingTables) {
    this.neg = new Float64Array(tables.dim);
    this.neg0 = new Float64Array(tables.dim);
  }

  /**
   * Accumulates the batch's gradient into the tables' gradient buffers; returns Σ w_b·softplus (the
   * BPR loss before the 1/(B·K) factor) and Σ of the squared layer-0 norms (before λ/(2B)).
   * The batch must be validated (`validateNegativeBatch`); pairs are range-checked here.
   */
  accumulate(batch: TrainBatch, regScale: number, invBK: number): { lossSum: number; regSum: number } {
    const t = this.tables;
    const { users, positives, negatives } = batch;
    const B = users.length;
    const K = negatives.k;
    const dim = t.dim;
    const nU = t.nUsers;
    const P = t.pooled;
    const E0 = t.layers[0]!;
    const gPool = t.gradPool;
    const gE0 = t.gradE0;
    const neg = this.neg;
    const neg0 = this.neg0;
    let lossSum = 0;
    let regSum = 0;
    for (let b = 0; b < B; b++) {
      const u = users[b]!;
      const p = nU + positives[b]!;
      if (u < 0 || u >= nU || p < nU || p >= t.nNodes) throw new DtlError('INVALID_ARGUMENT', `pair ${b} (${u}, ${positives[b]}) out of range`);
      const pw = batch.pairWeights ? batch.pairWeights[b]! : 1;
      const uo = u * dim;
      const po = p * dim;
      let sPos = 0;
      for (let d = 0; d < dim; d++) sPos += P[uo + d]! * P[po + d]!;
      t.touchedPool.add(u);
      t.touchedPool.add(p);
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
          this.mixedNegative(negatives, b * K + j);
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
          t.touchedPool.add(n);
          t.touchedE0.add(n);
        } else {
          this.scatterMixedGradient(negatives, b * K + j, g, uo, regScale);
        }
      }
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
        t.touchedE0.add(r);
      }
    }
    return { lossSum, regSum };
  }

  /** Pooled and layer-0 embedding of mixed negative `slot` into the scratch vectors. */
  private mixedNegative(neg: MixedNegativeBatch, slot: number): void {
    const t = this.tables;
    const dim = t.dim;
    const S = neg.nSources;
    const out = this.neg;
    const out0 = this.neg0;
    out.fill(0);
    out0.fill(0);
    for (let l = 0; l < t.nLayers; l++) {
      const e = t.layers[l]!;
      const wl = t.layerWeights[l]!;
      const base = mixedOffset(slot, l, t.nLayers, S);
      for (let s = 0; s < S; s++) {
        const item = neg.items[base + s]!;
        if (item < 0 || item >= t.nItems) throw new DtlError('INVALID_ARGUMENT', `mixed negative source item ${item} out of range`);
        const wt = neg.weights[base + s]!;
        const o = (t.nUsers + item) * dim;
        for (let d = 0; d < dim; d++) {
          const v = wt * e[o + d]!;
          out[d]! += wl * v;
          if (l === 0) out0[d]! += v;
        }
      }
    }
  }

  private scatterMixedGradient(neg: MixedNegativeBatch, slot: number, g: number, uo: number, regScale: number): void {
    const t = this.tables;
    const dim = t.dim;
    const S = neg.nSources;
    const P = t.pooled;
    const n0 = this.neg0;
    for (let l = 0; l < t.nLayers; l++) {
      const target = t.mixBuffer(l);
      const touched = t.mixTouched(l);
      const wl = t.layerWeights[l]!;
      const base = mixedOffset(slot, l, t.nLayers, S);
      for (let s = 0; s < S; s++) {
        const r = t.nUsers + neg.items[base + s]!;
        const wt = neg.weights[base + s]!;
        const ro = r * dim;
        const c = g * wl * wt;
        for (let d = 0; d < dim; d++) target[ro + d]! += c * P[uo + d]!;
        touched.add(r);
        if (l === 0) {
          for (let d = 0; d < dim; d++) t.gradE0[ro + d]! += regScale * wt * n0[d]!;
          t.touchedE0.add(r);
        }
      }
    }
  }
}
