import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { DenseMatrix, ItemTree, ItemTreeNode } from '@dtl/core';
import { buildKmeansTree, childCapacity, createKmeansTreeBuilder } from './kmeans-tree.ts';
import { createSpectralKmeansBuilder } from './spectral-kmeans-builder.ts';
import { plantedClusters } from './__tests__/planted.ts';

/** Gaussian blobs: `blobsN` centres, `perBlob` points each. */
function blobs(blobsN: number, perBlob: number, dim: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  const rows = blobsN * perBlob;
  const data = new Float32Array(rows * dim);
  const centres = Array.from({ length: blobsN }, () => Array.from({ length: dim }, () => rng.normal() * 5));
  for (let i = 0; i < blobsN * perBlob; i++) for (let d = 0; d < dim; d++) data[i * dim + d] = centres[Math.floor(i / perBlob)]![d]! + rng.normal();
  return { rows, dim, data };
}

function itemsUnder(node: ItemTreeNode): number[] {
  return node.kind === 'leaf' ? [...node.items] : node.children.flatMap(itemsUnder);
}

/** Checks the method.md §4 invariants at every node; returns the leaves' paths. */
function checkTree(tree: ItemTree, k: number, leafSize: number): Map<number, number[]> {
  const pathOf = new Map<number, number[]>();
  const visit = (node: ItemTreeNode, path: number[]): void => {
    if (node.kind === 'leaf') {
      expect(node.items.length).toBeGreaterThan(0);
      expect(node.items.length).toBeLessThanOrEqual(leafSize);
      for (const i of node.items) {
        expect(pathOf.has(i)).toBe(false);
        pathOf.set(i, path);
      }
      return;
    }
    const n = itemsUnder(node).length;
    expect(n).toBeGreaterThan(leafSize); // a node ≤ leafSize is a leaf
    expect(node.children.length).toBeLessThanOrEqual(k);
    expect(node.children.length).toBeGreaterThanOrEqual(2);
    for (const child of node.children) expect(itemsUnder(child).length).toBeLessThanOrEqual(Math.floor((1.6 * n) / k));
    node.children.forEach((child, c) => visit(child, [...path, c]));
  };
  visit(tree.root, []);
  expect(pathOf.size).toBe(tree.nItems);
  return pathOf;
}

describe('buildKmeansTree', () => {
  it('holds the balance rule at every node, puts every item in exactly one leaf of ≤ leafSize', () => {
    const vectors = blobs(7, 60, 5, 1); // uneven blobs force rebalancing with k = 4
    const tree = buildKmeansTree(vectors, createRng(3), { k: 4, leafSize: 30 });
    checkTree(tree, 4, 30);
  });

  it('respects other k and leaf sizes', () => {
    const vectors = blobs(3, 100, 4, 2);
    checkTree(buildKmeansTree(vectors, createRng(3), { k: 3, leafSize: 10 }), 3, 10);
  });

  it('splits a node of identical vectors by the rebalance rule alone', () => {
    const vectors: DenseMatrix = { rows: 100, dim: 3, data: new Float32Array(300) };
    checkTree(buildKmeansTree(vectors, createRng(1), { k: 4, leafSize: 30 }), 4, 30);
  });

  it('gives each item its own child in a node of ≤ k items when leafSize < k', () => {
    const tree = buildKmeansTree(blobs(1, 12, 2, 5), createRng(1), { k: 4, leafSize: 2 });
    const smallInner: ItemTreeNode[] = [];
    const visit = (node: ItemTreeNode): void => {
      if (node.kind === 'inner') {
        if (itemsUnder(node).length <= 4) smallInner.push(node);
        node.children.forEach(visit);
      }
    };
    visit(tree.root);
    expect(smallInner.length).toBeGreaterThan(0);
    for (const node of smallInner) {
      if (node.kind !== 'inner') continue;
      for (const child of node.children) expect(child.kind === 'leaf' && child.items.length === 1).toBe(true);
    }
  });

  it('is deterministic for a seed', () => {
    const vectors = blobs(5, 50, 6, 8);
    expect(buildKmeansTree(vectors, createRng(9), {})).toEqual(buildKmeansTree(vectors, createRng(9), {}));
  });

  it('groups planted blobs: items of one blob share a longer prefix than random items', () => {
    const vectors = blobs(8, 40, 6, 4);
    const paths = checkTree(buildKmeansTree(vectors, createRng(2), {}), 4, 30);
    const lcp = (a: number[], b: number[]) => {
      let l = 0;
      while (l < Math.min(a.length, b.length) && a[l] === b[l]) l++;
      return l / Math.min(a.length, b.length);
    };
    const rng = createRng(5);
    let same = 0;
    let rand = 0;
    for (let t = 0; t < 2000; t++) {
      const blob = rng.int(8);
      const a = blob * 40 + rng.int(40);
      const b = blob * 40 + rng.int(40);
      same += lcp(paths.get(a)!, paths.get(b)!);
      rand += lcp(paths.get(rng.int(320))!, paths.get(rng.int(320))!);
    }
    expect(same / 2000).toBeGreaterThan(rand / 2000 + 0.2);
  });

  it('rejects bad options and non-finite vectors', () => {
    const v = blobs(1, 10, 2, 1);
    expect(() => buildKmeansTree(v, createRng(1), { k: 1 })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const bad: DenseMatrix = { rows: 2, dim: 1, data: Float32Array.from([0, Number.NaN]) };
    expect(() => buildKmeansTree(bad, createRng(1))).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('childCapacity is ⌊1.6·n/k⌋, raised to ⌈n/k⌉ for tiny n', () => {
    expect(childCapacity(100, 4)).toBe(40);
    expect(childCapacity(5, 4)).toBe(2);
  });
});

describe('createKmeansTreeBuilder / createSpectralKmeansBuilder', () => {
  it('echo resolved defaults in params', () => {
    expect(createKmeansTreeBuilder().params).toEqual({ k: 4, leafSize: 30, balance: 1.6, maxIterations: 100 });
    expect(createSpectralKmeansBuilder().params).toMatchObject({ dim: 32, k: 4, leafSize: 30 });
  });

  it('spectral-kmeans: planted clusters share prefixes, residuals reported, deterministic', () => {
    const { train, clusterOf, nItems } = plantedClusters({ clusters: 8, itemsPerCluster: 40, users: 1600, perUser: 6, isolated: 2, seed: 12 });
    const builder = createSpectralKmeansBuilder({ dim: 12 });
    const tree = builder.build(train, createRng(4));
    const paths = checkTree(tree, 4, 30);
    expect(tree.info?.['maxResidual']).toBeLessThan(1e-6);
    expect(builder.build(train, createRng(4))).toEqual(tree);
    const lcp = (a: number[], b: number[]) => {
      let l = 0;
      while (l < Math.min(a.length, b.length) && a[l] === b[l]) l++;
      return l / Math.min(a.length, b.length);
    };
    const rng = createRng(1);
    let same = 0;
    let rand = 0;
    const planted = nItems - 2;
    for (let t = 0; t < 2000; t++) {
      const a = rng.int(planted);
      let b = rng.int(planted);
      while (clusterOf[b] !== clusterOf[a]) b = rng.int(planted);
      same += lcp(paths.get(a)!, paths.get(b)!);
      rand += lcp(paths.get(rng.int(planted))!, paths.get(rng.int(planted))!);
    }
    expect(same / 2000).toBeGreaterThan(rand / 2000 + 0.2);
  });
});
