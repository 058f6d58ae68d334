import type { Csr } from './csr.ts';
import type { ModelView, NegativeBatch } from './model.ts';
import type { Rng } from './rng.ts';

export interface SampleRequest {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  /** Negatives per pair. */
  readonly k: number;
  /**
   * Items a user must never receive as a negative: observed train positives plus any promoted by
   * false-negative identification. Rows sorted ascending (every @dtl CSR builder guarantees it).
   */
  readonly exclude: Csr;
  /** The model as of its last forward(): samplers score candidates with it. */
  readonly model: ModelView;
  readonly epoch: number;
}

/**
 * A negative sampler. Implementations must pass `describeNegativeSamplerContract` from
 * `@dtl/core/testing`: no excluded item is ever returned (for mixed negatives: no excluded source
 * other than the pair's own positive), exactly `k` per pair, same seed → same output, and a
 * `DtlError` with code `NO_VALID_NEGATIVE` when a user has no item left to sample.
 */
export interface NegativeSampler {
  readonly name: string;
  /** Whether sample() returns real items or mixed synthetic negatives. */
  readonly output: 'items' | 'mixed';
  sample(request: SampleRequest, rng: Rng): NegativeBatch;
}
