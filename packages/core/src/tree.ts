import type { ProgressFn } from './progress.ts';
import type { Rng } from './rng.ts';

/**
 * A node of an {@link ItemTree}: either a leaf holding item ids, or an inner node with ordered
 * children. An item's code (method.md §4) is the list of child indices from the root to the leaf
 * that holds it. Plain data (JSON-serializable) so that any builder — k-means, Louvain, a user's
 * own — can produce it and `@dtl/encoding` can turn it into a codebook.
 */
export type ItemTreeNode =
  | { readonly kind: 'leaf'; readonly items: readonly number[] }
  | { readonly kind: 'inner'; readonly children: readonly ItemTreeNode[] };

/**
 * A hierarchical index tree over items `0 .. nItems-1`. Invariant (checked by `@dtl/encoding`'s
 * `codebookFromTree`): every item is in exactly one leaf. A root that is itself a leaf gives every
 * item the empty code.
 */
export interface ItemTree {
  readonly nItems: number;
  readonly root: ItemTreeNode;
  /** Builder diagnostics (eigen-residuals, timings, community counts, …); free-form, JSON-safe. */
  readonly info?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Builds an {@link ItemTree} from some input: a train interaction matrix (`Csr`, users × items) for
 * collaborative-structure builders, item vectors (`DenseMatrix`) for semantic builders.
 * Made by `createXBuilder(options)` factories (e.g. `createSpectralKmeansBuilder` in `@dtl/trees`)
 * whose options carry documented defaults; `params` echoes the resolved options so an artifact can
 * record exactly what built a tree. `build` is synchronous and deterministic for a given `rng` seed.
 */
export interface TreeBuilder<Input> {
  readonly name: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  build(input: Input, rng: Rng, onProgress?: ProgressFn): ItemTree;
}
