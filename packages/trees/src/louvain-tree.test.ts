import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { ItemTreeNode } from '@dtl/core';
import { buildLouvainTree, createLouvainBuilder } from './louvain-tree.ts';
import { plantedClusters } from './__tests__/planted.ts';

function leaves(node: ItemTreeNode, path: number[] = [], out: Array<{ path: number[]; items: readonly number[] }> = []) {
  if (node.kind === 'leaf') out.push({ path, items: node.items });
  else node.children.forEach((c, i) => leaves(c, [...path, i], out));
  return out;
}

describe('buildLouvainTree', () => {
  it('gives a valid tree: every item in one leaf of ≤ leafSize, isolated items kept', () => {
    const { train, nItems } = plantedClusters({ clusters: 6, itemsPerCluster: 50, users: 1200, perUser: 6, components: 2, isolated: 4, seed: 2 });
    const tree = buildLouvainTree(train, createRng(1), { leafSize: 30 });
    const all = leaves(tree.root);
    const seen = new Set<number>();
    for (const leaf of all) {
      expect(leaf.items.length).toBeGreaterThan(0);
      expect(leaf.items.length).toBeLessThanOrEqual(30);
      for (const i of leaf.items) {
        expect(seen.has(i)).toBe(false);
        seen.add(i);
      }
    }
    expect(seen.size).toBe(nItems);
  });

  it('recovers planted communities at the first level', () => {
    const { train, clusterOf } = plantedClusters({ clusters: 5, itemsPerCluster: 60, users: 1500, perUser: 6, noise: 0.02, seed: 3 });
    const tree = createLouvainBuilder().build(train, createRng(5));
    // Majority cluster of each root child covers ≥ 90% of its items.
    if (tree.root.kind !== 'inner') throw new Error('root should be inner');
    let agree = 0;
    let total = 0;
    for (const child of tree.root.children) {
      const items = leaves(child).flatMap((l) => [...l.items]);
      const counts = new Map<number, number>();
      for (const i of items) counts.set(clusterOf[i]!, (counts.get(clusterOf[i]!) ?? 0) + 1);
      agree += Math.max(...counts.values());
      total += items.length;
    }
    expect(agree / total).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed', () => {
    const { train } = plantedClusters({ clusters: 4, itemsPerCluster: 40, users: 600, perUser: 5, seed: 4 });
    const b = createLouvainBuilder({ leafSize: 10 });
    expect(b.build(train, createRng(8))).toEqual(b.build(train, createRng(8)));
  });

  it('rejects bad options', () => {
    expect(() => createLouvainBuilder({ leafSize: 0 })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
