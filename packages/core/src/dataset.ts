import type { Csr } from './csr.ts';

/**
 * An implicit-feedback dataset with dense 0-based ids. `train` is what models, samplers, trees and
 * judges may read. `valid` and `test` hold held-out labels: under the clean protocol only the
 * evaluator (and early stopping through it) reads them.
 */
export interface InteractionData {
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  readonly train: Csr;
  readonly valid?: Csr | undefined;
  readonly test?: Csr | undefined;
  /** External id of each user / item (index = dense id), when the source had non-dense ids. */
  readonly userIds?: readonly string[] | undefined;
  readonly itemIds?: readonly string[] | undefined;
}

/** A dense row-major matrix (`rows × dim`), e.g. user or item embeddings. */
export interface DenseMatrix {
  readonly rows: number;
  readonly dim: number;
  readonly data: Float32Array;
}
