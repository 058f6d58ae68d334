/**
 * The third-party libraries of the tree builders, loaded on first use rather than at import time:
 * importing `@dtl/trees` (as every `dtl` command does, `dtl --help` included) then costs only this
 * package's own modules; ml-kmeans (with ml-matrix) and graphology load when a tree is built.
 * `createRequire` keeps the builders synchronous (the `TreeBuilder` contract); ml-kmeans is ESM-only,
 * which Node ≥ 20.19 loads through `require` as well.
 */
import { createRequire } from 'node:module';

type Kmeans = typeof import('ml-kmeans');
type Graphology = typeof import('graphology');
type Louvain = typeof import('graphology-communities-louvain').default;

const load = createRequire(import.meta.url);
let kmeansModule: Kmeans | undefined;
let graphologyModule: Graphology | undefined;
let louvainFn: Louvain | undefined;

export function mlKmeans(): Kmeans['kmeans'] {
  kmeansModule ??= load('ml-kmeans') as Kmeans;
  return kmeansModule.kmeans;
}

export function undirectedGraph(): Graphology['UndirectedGraph'] {
  graphologyModule ??= load('graphology') as Graphology;
  return graphologyModule.UndirectedGraph;
}

export function louvainCommunities(): Louvain {
  if (!louvainFn) {
    const mod = load('graphology-communities-louvain') as Louvain | { default: Louvain };
    louvainFn = 'default' in mod && typeof mod.default === 'function' ? mod.default : (mod as Louvain);
  }
  return louvainFn;
}
