import type { Compute } from '@dtl/kernels';
import { RowSet } from './row-set.ts';

/**
 * The storage of an embedding model: nodes are users [0, nUsers) then items [nUsers, nUsers + nItems)
 * in row-major tables of `dim` floats. `layers[0]` is E0 (the only parameter), `layers[l]` the l-th
 * propagation layer, `pooled` = Σ_l w_l·layers[l] (E0 itself for MF). Gradient buffers (all sparse:
 * non-zero only on the rows of their {@link RowSet}): `gradPool` w.r.t. pooled rows, `gradE0` w.r.t.
 * E0 directly (L2 terms; for MF the whole gradient, and then `gradPool` is the same array), and one
 * `gradMix[l]` per layer for mixed negatives (allocated on first use, see {@link mixBuffer}).
 * Everything is allocated from the model's {@link Compute}, so the kernels read it in place.
 */
export class EmbeddingTables {
  readonly nNodes: number;
  readonly layerWeights: Float32Array;
  readonly layers: Float32Array[];
  readonly pooled: Float32Array;
  readonly gradE0: Float32Array;
  readonly gradPool: Float32Array;
  readonly gradMix: Float32Array[] = [];
  readonly touchedE0: RowSet;
  readonly touchedPool: RowSet;
  readonly touchedMix: RowSet[] = [];

  constructor(
    readonly compute: Compute,
    readonly nUsers: number,
    readonly nItems: number,
    readonly dim: number,
    readonly nLayers: number,
  ) {
    this.nNodes = nUsers + nItems;
    const size = this.nNodes * dim;
    // In the arena too: the mixed-negative kernels read the weights there.
    this.layerWeights = compute.f32(nLayers).fill(1 / nLayers);
    this.layers = [compute.f32(size)];
    for (let l = 1; l < nLayers; l++) this.layers.push(compute.f32(size));
    this.pooled = nLayers === 1 ? this.layers[0]! : compute.f32(size);
    this.gradE0 = compute.f32(size);
    this.gradPool = nLayers === 1 ? this.gradE0 : compute.f32(size);
    this.touchedE0 = new RowSet(this.nNodes);
    this.touchedPool = nLayers === 1 ? this.touchedE0 : new RowSet(this.nNodes);
  }

  /** pooled = Σ_l w_l·layers[l] in float32 (a no-op for MF, whose pooled table is E0). */
  pool(): void {
    if (this.nLayers === 1) return;
    this.compute.axpy(this.pooled, this.layers[0]!, this.layerWeights[0]!, false);
    for (let l = 1; l < this.nLayers; l++) this.compute.axpy(this.pooled, this.layers[l]!, this.layerWeights[l]!, true);
  }

  /** Per-layer gradient buffer for mixed negatives; for MF (one layer) it is the E0 gradient itself. */
  mixBuffer(l: number): Float32Array {
    if (this.nLayers === 1) return this.gradE0;
    while (this.gradMix.length <= l) {
      this.gradMix.push(this.compute.f32(this.nNodes * this.dim));
      this.touchedMix.push(new RowSet(this.nNodes));
    }
    return this.gradMix[l]!;
  }

  /** The touched-row set of {@link mixBuffer}(l) (call that first). */
  mixTouched(l: number): RowSet {
    return this.nLayers === 1 ? this.touchedE0 : this.touchedMix[l]!;
  }
}
