import { DtlError } from '@dtl/core';
import type { DenseMatrix, ItemTree, ItemTreeNode, ProgressFn, Rng, TreeBuilder } from '@dtl/core';
import { mlKmeans } from './internal/lazy-deps.ts';

/** Options of the balanced recursive k-means tree (defaults = the authors' settings, method.md §4). */
export interface KmeansTreeOptions {
  /** Children per inner node. Default 4. */
  readonly k?: number;
  /** A node with at most this many items is a leaf. Default 30. */
  readonly leafSize?: number;
  /** No child holds more than ⌊balance·n/k⌋ of a node's n items. Default 1.6. */
  readonly balance?: number;
  /** Lloyd iterations per node (ml-kmeans `maxIterations`). Default 100. */
  readonly maxIterations?: number;
}

interface Resolved {
  readonly k: number;
  readonly leafSize: number;
  readonly balance: number;
  readonly maxIterations: number;
}

function resolve(options: KmeansTreeOptions): Resolved {
  const k = options.k ?? 4;
  const leafSize = options.leafSize ?? 30;
  const balance = options.balance ?? 1.6;
  const maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(k) || k < 2) throw new DtlError('INVALID_ARGUMENT', `k-means tree: k = ${k} must be an integer ≥ 2`);
  if (!Number.isInteger(leafSize) || leafSize < 1) throw new DtlError('INVALID_ARGUMENT', `k-means tree: leafSize = ${leafSize} must be an integer ≥ 1`);
  if (!(balance >= 1)) throw new DtlError('INVALID_ARGUMENT', `k-means tree: balance = ${balance} must be ≥ 1`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new DtlError('INVALID_ARGUMENT', `k-means tree: maxIterations = ${maxIterations} must be a positive integer`);
  return { k, leafSize, balance, maxIterations };
}

/** The cap on a child's size for a node of n items: ⌊balance·n/k⌋, raised to ⌈n/k⌉ when smaller (tiny n) so the rule is satisfiable. */
export function childCapacity(n: number, k: number, balance = 1.6): number {
  return Math.max(Math.floor((balance * n) / k), Math.ceil(n / k));
}

function sqDist(data: Float32Array, dim: number, item: number, center: ArrayLike<number>): number {
  let s = 0;
  const o = item * dim;
  for (let d = 0; d < dim; d++) {
    const x = data[o + d]! - center[d]!;
    s += x * x;
  }
  return s;
}

/**
 * Moves surplus items out of every child larger than `cap` into the currently smallest child,
 * choosing among the oversized child's items those that cost least to move
 * (‖x − μ_target‖² − ‖x − μ_own‖²; for an empty target: the items farthest from their own centroid).
 */
function rebalance(
  items: Int32Array,
  labels: Int32Array,
  k: number,
  cap: number,
  data: Float32Array,
  dim: number,
  centroids: number[][],
): void {
  const sizes = new Int32Array(k);
  for (let t = 0; t < labels.length; t++) sizes[labels[t]!]!++;
  for (;;) {
    let big = -1;
    for (let c = 0; c < k; c++) if (sizes[c]! > cap && (big < 0 || sizes[c]! > sizes[big]!)) big = c;
    if (big < 0) return;
    const members: number[] = [];
    for (let t = 0; t < labels.length; t++) if (labels[t] === big) members.push(t);
    const own = members.map((t) => sqDist(data, dim, items[t]!, centroids[big]!));
    // One candidate order per possible target, computed lazily; a pointer skips moved items.
    const orders = new Map<number, { order: number[]; next: number }>();
    const moved = new Uint8Array(members.length);
    let surplus = sizes[big]! - cap;
    while (surplus > 0) {
      let small = -1;
      for (let c = 0; c < k; c++) if (c !== big && (small < 0 || sizes[c]! < sizes[small]!)) small = c;
      let entry = orders.get(small);
      if (!entry) {
        const mu = centroids[small]!;
        const targetOk = sizes[small]! > 0 && mu.every(Number.isFinite);
        const cost = members.map((t, m) => (targetOk ? sqDist(data, dim, items[t]!, mu) - own[m]! : -own[m]!));
        const order = members.map((_, m) => m).sort((a, b) => cost[a]! - cost[b]! || a - b);
        entry = { order, next: 0 };
        orders.set(small, entry);
      }
      while (moved[entry.order[entry.next]!]) entry.next++;
      const m = entry.order[entry.next++]!;
      moved[m] = 1;
      labels[members[m]!] = small;
      sizes[small]!++;
      sizes[big]!--;
      surplus--;
    }
  }
}

function distinctAtLeast(data: Float32Array, dim: number, items: Int32Array, k: number): boolean {
  const reps: number[] = [];
  for (let t = 0; t < items.length && reps.length < k; t++) {
    const o = items[t]! * dim;
    const seen = reps.some((r) => {
      for (let d = 0; d < dim; d++) if (data[r + d] !== data[o + d]) return false;
      return true;
    });
    if (!seen) reps.push(o);
  }
  return reps.length >= k;
}

/**
 * Balanced recursive k-means tree (method.md §4, after the DTL-NS authors' builder): a node with
 * ≤ `leafSize` items is a leaf; a node with ≤ k items (only when leafSize < k) gives each item its
 * own child; otherwise k-means (ml-kmeans, k-means++ init, seeded from `rng`) splits it into k
 * children, rebalanced so that none holds more than ⌊1.6·n/k⌋ items (surplus moved to the currently
 * smallest child), and each child is built recursively. Empty children are dropped and the
 * remaining children renumbered 0.. in k-means cluster order. When a node has fewer than k distinct
 * vectors, k-means is skipped and the rebalance alone splits it (in item order).
 */
export function buildKmeansTree(vectors: DenseMatrix, rng: Rng, options: KmeansTreeOptions = {}, onProgress?: ProgressFn): ItemTree {
  const opts = resolve(options);
  const { rows: n, dim, data } = vectors;
  if (data.length !== n * dim) throw new DtlError('INVALID_ARGUMENT', `k-means tree: data length ${data.length} ≠ ${n}×${dim}`);
  for (let t = 0; t < data.length; t++) {
    if (!Number.isFinite(data[t]!)) throw new DtlError('INVALID_ARGUMENT', `k-means tree: vector ${Math.floor(t / dim)} has a non-finite entry`);
  }
  let placed = 0;
  let nodes = 0;
  const build = (items: Int32Array): ItemTreeNode => {
    nodes++;
    const size = items.length;
    if (size <= opts.leafSize) {
      placed += size;
      onProgress?.({ stage: 'kmeans-tree', done: placed, total: n });
      return { kind: 'leaf', items: Array.from(items) };
    }
    if (size <= opts.k) {
      placed += size;
      return { kind: 'inner', children: Array.from(items, (i) => ({ kind: 'leaf', items: [i] }) as ItemTreeNode) };
    }
    const labels = new Int32Array(size);
    let centroids: number[][];
    const seed = rng.uint32();
    if (distinctAtLeast(data, dim, items, opts.k)) {
      const points = Array.from(items, (i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
      const result = mlKmeans()(points, opts.k, { seed, maxIterations: opts.maxIterations, initialization: 'kmeans++' });
      for (let t = 0; t < size; t++) labels[t] = result.clusters[t]!;
      centroids = result.centroids;
    } else {
      centroids = Array.from({ length: opts.k }, () => new Array<number>(dim).fill(Number.NaN));
    }
    rebalance(items, labels, opts.k, childCapacity(size, opts.k, opts.balance), data, dim, centroids);
    const children: ItemTreeNode[] = [];
    for (let c = 0; c < opts.k; c++) {
      let count = 0;
      for (let t = 0; t < size; t++) if (labels[t] === c) count++;
      if (count === 0) continue;
      const sub = new Int32Array(count);
      let w = 0;
      for (let t = 0; t < size; t++) if (labels[t] === c) sub[w++] = items[t]!;
      children.push(build(sub));
    }
    return { kind: 'inner', children };
  };
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const root = build(all);
  return { nItems: n, root, info: { builder: 'kmeans', nodes } };
}

/**
 * A {@link TreeBuilder} over item vectors (the latent-semantic tree of method.md §3).
 * Defaults: k 4, leafSize 30, balance 1.6, maxIterations 100.
 */
export function createKmeansTreeBuilder(options: KmeansTreeOptions = {}): TreeBuilder<DenseMatrix> {
  const opts = resolve(options);
  return {
    name: 'kmeans',
    params: { ...opts },
    build: (vectors, rng, onProgress) => buildKmeansTree(vectors, rng, opts, onProgress),
  };
}
