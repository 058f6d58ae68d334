import { DtlError } from '@dtl/core';
import type { Csr, ItemTree, ItemTreeNode, ProgressFn, Rng, TreeBuilder } from '@dtl/core';
import { buildItemGraph } from './item-graph.ts';
import { louvainCommunities, undirectedGraph } from './internal/lazy-deps.ts';
import type { ItemGraph } from './item-graph.ts';

/** Options of the hierarchical Louvain builder. */
export interface LouvainTreeOptions {
  /** A community with at most this many items is a leaf. Default 30. */
  readonly leafSize?: number;
  /** Louvain resolution γ (modularity with γ > 1 favours smaller communities). Default 1. */
  readonly resolution?: number;
  /**
   * Keep only each item's `maxNeighbors` heaviest Jaccard edges (the union over both endpoints, so
   * the graph stays symmetric) before handing it to graphology, whose object graph is ~200× slower
   * to walk than CSR. 0 keeps every edge. Default 50.
   */
  readonly maxNeighbors?: number;
  /** When Louvain leaves a node in one community, retry with resolution × this factor (up to 4 times). Default 2. */
  readonly resolutionGrowth?: number;
  /** When still unsplit, cut the node into this many equal chunks (in item order). Default 4. */
  readonly fallbackSplit?: number;
}

interface Resolved {
  readonly leafSize: number;
  readonly resolution: number;
  readonly maxNeighbors: number;
  readonly resolutionGrowth: number;
  readonly fallbackSplit: number;
}

function resolve(options: LouvainTreeOptions): Resolved {
  const r: Resolved = {
    leafSize: options.leafSize ?? 30,
    resolution: options.resolution ?? 1,
    maxNeighbors: options.maxNeighbors ?? 50,
    resolutionGrowth: options.resolutionGrowth ?? 2,
    fallbackSplit: options.fallbackSplit ?? 4,
  };
  if (!Number.isInteger(r.leafSize) || r.leafSize < 1) throw new DtlError('INVALID_ARGUMENT', `louvain tree: leafSize ${r.leafSize} must be an integer ≥ 1`);
  if (!(r.resolution > 0)) throw new DtlError('INVALID_ARGUMENT', `louvain tree: resolution ${r.resolution} must be > 0`);
  if (!Number.isInteger(r.maxNeighbors) || r.maxNeighbors < 0) throw new DtlError('INVALID_ARGUMENT', `louvain tree: maxNeighbors ${r.maxNeighbors} must be an integer ≥ 0`);
  if (!(r.resolutionGrowth >= 1)) throw new DtlError('INVALID_ARGUMENT', `louvain tree: resolutionGrowth ${r.resolutionGrowth} must be ≥ 1`);
  if (!Number.isInteger(r.fallbackSplit) || r.fallbackSplit < 2) throw new DtlError('INVALID_ARGUMENT', `louvain tree: fallbackSplit ${r.fallbackSplit} must be an integer ≥ 2`);
  return r;
}

/** Marks the `limit` heaviest edges of every row (ties: lower column first); an edge survives if either endpoint keeps it. */
function sparsify(graph: ItemGraph, limit: number): Uint8Array {
  const keep = new Uint8Array(graph.indices.length);
  if (limit === 0) return keep.fill(1);
  for (let i = 0; i < graph.nRows; i++) {
    const start = graph.indptr[i]!;
    const end = graph.indptr[i + 1]!;
    if (end - start <= limit) {
      keep.fill(1, start, end);
      continue;
    }
    const order = Array.from({ length: end - start }, (_, t) => start + t);
    order.sort((a, b) => graph.values[b]! - graph.values[a]! || a - b);
    for (let t = 0; t < limit; t++) keep[order[t]!] = 1;
  }
  // Symmetrize: (i, j) kept by row i ⇒ keep (j, i) too. Rows are sorted, so find by binary search.
  for (let i = 0; i < graph.nRows; i++) {
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
      if (!keep[p]) continue;
      const j = graph.indices[p]!;
      let lo = graph.indptr[j]!;
      let hi = graph.indptr[j + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = graph.indices[mid]!;
        if (v === i) {
          keep[mid] = 1;
          break;
        }
        if (v < i) lo = mid + 1;
        else hi = mid - 1;
      }
    }
  }
  return keep;
}

/**
 * Hierarchical Louvain tree (Blondel et al., "Fast unfolding of communities in large networks",
 * J. Stat. Mech. 2008; graphology-communities-louvain): the communities of the Jaccard item graph
 * are the root's children (ordered by size, largest first, ties by smallest item); each community
 * with more than `leafSize` items is split again by Louvain on its induced subgraph, recursively.
 * Items without an edge inside a node's subgraph are grouped into one extra child (last). A node
 * Louvain cannot split is retried at a higher resolution, then cut into `fallbackSplit` chunks, so the
 * recursion always ends. Children per node are unbounded (unlike the k-means tree's k).
 */
export function buildLouvainTree(input: Csr | ItemGraph, rng: Rng, options: LouvainTreeOptions = {}, onProgress?: ProgressFn): ItemTree {
  const opts = resolve(options);
  const graph = 'values' in input ? input : buildItemGraph(input);
  const n = graph.nRows;
  const keep = sparsify(graph, opts.maxNeighbors);
  const local = new Int32Array(n).fill(-1);
  const random = () => rng.next();
  let placed = 0;
  let louvainRuns = 0;
  let fallbacks = 0;

  const split = (items: Int32Array): Int32Array[] => {
    for (let t = 0; t < items.length; t++) local[items[t]!] = t;
    const UndirectedGraph = undirectedGraph();
    const g = new UndirectedGraph();
    const connected = new Uint8Array(items.length);
    for (let t = 0; t < items.length; t++) g.addNode(t);
    for (let t = 0; t < items.length; t++) {
      const i = items[t]!;
      for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
        if (!keep[p]) continue;
        const s = local[graph.indices[p]!]!;
        if (s <= t) continue; // in the node (s ≥ 0) and each undirected edge once
        g.addUndirectedEdge(t, s, { weight: graph.values[p]! });
        connected[t] = 1;
        connected[s] = 1;
      }
    }
    for (let t = 0; t < items.length; t++) local[items[t]!] = -1;
    const groups: number[][] = [];
    const loners: number[] = [];
    if (g.size > 0) {
      let resolution = opts.resolution;
      for (let attempt = 0; attempt < 5; attempt++) {
        louvainRuns++;
        const communities = louvainCommunities()(g, { rng: random, resolution, getEdgeWeight: 'weight' });
        const byCommunity = new Map<number, number[]>();
        for (let t = 0; t < items.length; t++) {
          if (!connected[t]) continue;
          const c = communities[String(t)]!;
          let list = byCommunity.get(c);
          if (!list) byCommunity.set(c, (list = []));
          list.push(items[t]!);
        }
        if (byCommunity.size > 1 || attempt === 4) {
          groups.push(...byCommunity.values());
          break;
        }
        resolution *= opts.resolutionGrowth;
      }
    }
    for (let t = 0; t < items.length; t++) if (!connected[t]) loners.push(items[t]!);
    groups.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
    if (loners.length > 0) groups.push(loners);
    if (groups.length <= 1) {
      fallbacks++;
      const parts = Math.min(opts.fallbackSplit, items.length);
      const out: Int32Array[] = [];
      for (let p = 0; p < parts; p++) {
        out.push(items.slice(Math.floor((p * items.length) / parts), Math.floor(((p + 1) * items.length) / parts)));
      }
      return out;
    }
    return groups.map((list) => Int32Array.from(list));
  };

  const build = (items: Int32Array): ItemTreeNode => {
    if (items.length <= opts.leafSize) {
      placed += items.length;
      onProgress?.({ stage: 'louvain-tree', done: placed, total: n });
      return { kind: 'leaf', items: Array.from(items) };
    }
    return { kind: 'inner', children: split(items).map(build) };
  };
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const root = build(all);
  return { nItems: n, root, info: { builder: 'louvain', louvainRuns, fallbacks } };
}

/**
 * A {@link TreeBuilder} over the train interactions (users × items): the Jaccard co-occurrence
 * graph, split by hierarchical Louvain. Defaults: leafSize 30, resolution 1, maxNeighbors 50,
 * resolutionGrowth 2, fallbackSplit 4.
 */
export function createLouvainBuilder(options: LouvainTreeOptions = {}): TreeBuilder<Csr> {
  const opts = resolve(options);
  return {
    name: 'louvain',
    params: { ...opts },
    build: (train, rng, onProgress) => buildLouvainTree(train, rng, opts, onProgress),
  };
}
