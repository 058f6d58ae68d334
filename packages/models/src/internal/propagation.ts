import type { WeightedCsr } from '@dtl/core';
import type { Compute } from '@dtl/kernels';
import type { EmbeddingTables } from './embedding-tables.ts';
import { RowSet } from './row-set.ts';

/** Computes Y = A·X for the model's adjacency. */
export type SpmmProduct = (a: WeightedCsr, x: Float32Array, y: Float32Array, dim: number) => void;

/**
 * LightGCN propagation (He et al., SIGIR 2020) over the symmetric-normalized bipartite adjacency Â:
 * forward layer l = Â·layer(l−1), then pooling; backward the full E0 gradient
 * gradE0 + Σ_l Â^l·H_l with H_l = w_l·gradPool + gradMix_l, by Horner's rule (acc ← Â·acc + H_l;
 * Â is symmetric, so Âᵀ = Â). With no adjacency (MF) both are identities.
 */
export class Propagation {
  private readonly work: [Float32Array, Float32Array] | undefined;
  private readonly hRows: RowSet | undefined;

  constructor(
    private readonly tables: EmbeddingTables,
    private readonly compute: Compute,
    private readonly adjacency: WeightedCsr | undefined,
    private readonly spmm: SpmmProduct,
  ) {
    const size = tables.nNodes * tables.dim;
    this.work = adjacency ? [compute.f32(size), compute.f32(size)] : undefined;
    this.hRows = adjacency ? new RowSet(tables.nNodes) : undefined;
  }

  /** Layers 1..L from E0, then the pooled table. */
  forward(): void {
    const t = this.tables;
    if (t.nLayers === 1) return;
    const a = this.adjacency!;
    for (let l = 1; l < t.nLayers; l++) this.spmm(a, t.layers[l - 1]!, t.layers[l]!, t.dim);
    t.pool();
  }

  /**
   * The full E0 gradient (returned; for MF gradE0 itself), accumulated in a work buffer. All H_l and
   * gradE0 are sparse (non-zero on touched rows only), so they are added row-wise. Clears gradPool
   * and the gradMix buffers for the next step (gradE0 is cleared by the caller, after the update).
   */
  backward(): Float32Array {
    const t = this.tables;
    if (t.nLayers === 1) return t.gradE0;
    const a = this.adjacency!;
    const c = this.compute;
    const dim = t.dim;
    const L = t.nLayers - 1;
    const [x, y] = this.work!;
    const tp = t.touchedPool;
    const addH = (target: Float32Array, l: number): void => {
      c.axpyRows(target, t.gradPool, t.layerWeights[l]!, tp.rows, tp.size, dim);
      const mix = t.gradMix[l];
      const tm = t.touchedMix[l];
      if (mix && tm) c.axpyRows(target, mix, 1, tm.rows, tm.size, dim);
    };
    // H_L is sparse: materialise it in x (zeroing only its rows; the scatter reads no other row of
    // x) and scatter Â·H_L into y.
    const hRows = this.hRows!;
    for (let k = 0; k < tp.size; k++) hRows.add(tp.rows[k]!);
    const tmL = t.touchedMix[L];
    if (tmL) for (let k = 0; k < tmL.size; k++) hRows.add(tmL.rows[k]!);
    for (let k = 0; k < hRows.size; k++) x.fill(0, hRows.rows[k]! * dim, hRows.rows[k]! * dim + dim);
    addH(x, L);
    y.fill(0);
    c.spmmScatterRows(a, x, hRows.rows, hRows.size, y, dim);
    hRows.clear();
    let acc = y;
    let other = x;
    addH(acc, L - 1);
    for (let l = L - 2; l >= 0; l--) {
      this.spmm(a, acc, other, dim);
      [acc, other] = [other, acc];
      addH(acc, l);
    }
    c.axpyRows(acc, t.gradE0, 1, t.touchedE0.rows, t.touchedE0.size, dim);
    // Reset the sparse gradient buffers for the next step.
    tp.clearRows(t.gradPool, dim);
    for (let l = 0; l < t.gradMix.length; l++) t.touchedMix[l]!.clearRows(t.gradMix[l]!, dim);
    return acc;
  }
}
