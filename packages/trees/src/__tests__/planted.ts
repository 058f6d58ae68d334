import { createRng, csrFromPairs } from '@dtl/core';
import type { Csr } from '@dtl/core';

/**
 * A planted-cluster interaction matrix for tests: `clusters` groups of `itemsPerCluster` items;
 * each user draws `perUser` items from one cluster (with probability `noise` an item from anywhere).
 * `components`: the clusters are split into this many groups whose users never cross (noise stays
 * inside the group), so the item graph has that many connected components. `isolated` extra items
 * at the end are touched by nobody.
 */
export function plantedClusters(options: {
  clusters: number;
  itemsPerCluster: number;
  users: number;
  perUser: number;
  noise?: number;
  components?: number;
  isolated?: number;
  seed?: number;
}): { train: Csr; clusterOf: Int32Array; nItems: number } {
  const rng = createRng(options.seed ?? 7);
  const { clusters, itemsPerCluster, users, perUser } = options;
  const noise = options.noise ?? 0.05;
  const components = options.components ?? 1;
  const planted = clusters * itemsPerCluster;
  const nItems = planted + (options.isolated ?? 0);
  const clusterOf = new Int32Array(nItems).fill(-1);
  for (let i = 0; i < planted; i++) clusterOf[i] = Math.floor(i / itemsPerCluster);
  const perComponent = Math.ceil(clusters / components);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < users; u++) {
    const c = u % clusters;
    const group = Math.floor(c / perComponent);
    const groupLo = group * perComponent * itemsPerCluster;
    const groupHi = Math.min(clusters, (group + 1) * perComponent) * itemsPerCluster;
    for (let t = 0; t < perUser; t++) {
      const item = rng.next() < noise ? groupLo + rng.int(groupHi - groupLo) : c * itemsPerCluster + rng.int(itemsPerCluster);
      rows.push(u);
      cols.push(item);
    }
  }
  return { train: csrFromPairs(users, nItems, rows, cols).csr, clusterOf, nItems };
}
