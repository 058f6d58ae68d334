import { describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import { buildItemGraph, connectedComponents } from './item-graph.ts';
import { spectralEmbedding } from './spectral-embedding.ts';
import { topEigenpairs } from './lanczos.ts';
import { jacobiEigen } from './internal/jacobi-eigen.ts';
import { plantedClusters } from './__tests__/planted.ts';

function column(vectors: { rows: number; dim: number; data: Float32Array }, c: number): number[] {
  return Array.from({ length: vectors.rows }, (_, i) => vectors.data[i * vectors.dim + c]!);
}

/** Dense normalized Laplacian of the Jaccard graph, straight from the definitions (O(n²·users)). */
function denseLaplacian(train: ReturnType<typeof plantedClusters>['train'], n: number): Float64Array {
  const sets: Set<number>[] = Array.from({ length: n }, () => new Set());
  for (let u = 0; u < train.nRows; u++) for (let k = train.indptr[u]!; k < train.indptr[u + 1]!; k++) sets[train.indices[k]!]!.add(u);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let inter = 0;
      for (const u of sets[i]!) if (sets[j]!.has(u)) inter++;
      const union = sets[i]!.size + sets[j]!.size - inter;
      W[i * n + j] = union > 0 ? inter / union : 0;
    }
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i]! += W[i * n + j]!;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const a = d[i]! > 0 && d[j]! > 0 ? W[i * n + j]! / Math.sqrt(d[i]! * d[j]!) : 0;
      L[i * n + j] = (i === j ? 1 : 0) - a;
    }
  return L;
}

describe('buildItemGraph', () => {
  it('gives Jaccard weights of the items’ user sets, symmetric, no self loops', () => {
    const { train, nItems } = plantedClusters({ clusters: 3, itemsPerCluster: 6, users: 40, perUser: 4, seed: 3 });
    const g = buildItemGraph(train);
    const L = denseLaplacian(train, nItems); // only used for its zero pattern below
    expect(g.nRows).toBe(nItems);
    for (let i = 0; i < nItems; i++) {
      for (let k = g.indptr[i]!; k < g.indptr[i + 1]!; k++) {
        const j = g.indices[k]!;
        expect(j).not.toBe(i);
        expect(L[i * nItems + j]).toBeLessThan(0);
        const back = Array.from(g.indices.subarray(g.indptr[j]!, g.indptr[j + 1]!)).indexOf(i);
        expect(back).toBeGreaterThanOrEqual(0);
        expect(g.values[g.indptr[j]! + back]).toBeCloseTo(g.values[k]!, 12);
        expect(g.values[k]).toBeGreaterThan(0);
        expect(g.values[k]).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('spectralEmbedding', () => {
  it('matches a dense eigen-decomposition of L on a small graph, with small residuals', () => {
    const { train, nItems } = plantedClusters({ clusters: 4, itemsPerCluster: 12, users: 120, perUser: 5, seed: 11 });
    const emb = spectralEmbedding(train, createRng(1), { dim: 8 });
    const dense = jacobiEigen(denseLaplacian(train, nItems), nItems);
    const smallest = Array.from(dense.values).reverse(); // ascending
    expect(emb.components).toBe(1);
    // Skip the trivial eigenvalue 0, then the next 8.
    for (let c = 0; c < 8; c++) expect(emb.eigenvalues[c]).toBeCloseTo(smallest[c + 1]!, 6);
    for (const r of emb.residuals) expect(r).toBeLessThan(1e-6);
  });

  it('returns orthonormal eigenvectors orthogonal to the trivial one', () => {
    const { train } = plantedClusters({ clusters: 6, itemsPerCluster: 25, users: 600, perUser: 6, seed: 5 });
    const emb = spectralEmbedding(train, createRng(2), { dim: 10 });
    const cols = Array.from({ length: 10 }, (_, c) => column(emb.vectors, c));
    for (let a = 0; a < 10; a++)
      for (let b = 0; b < 10; b++) {
        const dot = cols[a]!.reduce((s, x, i) => s + x * cols[b]![i]!, 0);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 5); // float32 storage
      }
    for (let c = 1; c < 10; c++) expect(emb.eigenvalues[c]).toBeGreaterThanOrEqual(emb.eigenvalues[c - 1]! - 1e-9);
    for (const r of emb.residuals) expect(r).toBeLessThan(1e-6);
  });

  it('gives isolated items the zero row and puts a second component in the first column', () => {
    const { train, nItems } = plantedClusters({ clusters: 4, itemsPerCluster: 20, users: 300, perUser: 5, components: 2, isolated: 3, seed: 9 });
    const g = buildItemGraph(train);
    const cc = connectedComponents(g);
    expect(cc.count).toBe(2 + 3);
    const emb = spectralEmbedding(g, createRng(3), { dim: 6 });
    expect(emb.components).toBe(2);
    expect(emb.isolated).toBe(3);
    for (let i = nItems - 3; i < nItems; i++) for (let c = 0; c < 6; c++) expect(emb.vectors.data[i * 6 + c]).toBe(0);
    // Column 0: eigenvalue 0, non-zero exactly on the smaller component.
    expect(emb.eigenvalues[0]).toBe(0);
    const col0 = column(emb.vectors, 0);
    const labelOfSecond = cc.labels[40]!; // items 40.. are the second group
    for (let i = 0; i < nItems - 3; i++) {
      if (cc.labels[i] === labelOfSecond) expect(Math.abs(col0[i]!)).toBeGreaterThan(0);
      else expect(col0[i]).toBe(0);
    }
    for (const r of emb.residuals) expect(r).toBeLessThan(1e-6);
    expect(emb.eigenvalues[1]).toBeGreaterThan(1e-6);
  });

  it('is deterministic for a seed', () => {
    const { train } = plantedClusters({ clusters: 5, itemsPerCluster: 20, users: 300, perUser: 5, seed: 4 });
    const a = spectralEmbedding(train, createRng(42), { dim: 6 });
    const b = spectralEmbedding(train, createRng(42), { dim: 6 });
    expect(Array.from(a.vectors.data)).toEqual(Array.from(b.vectors.data));
  });
});

describe('topEigenpairs', () => {
  it('finds the largest eigenvalues of a diagonal operator, including through restarts', () => {
    const n = 300;
    const diag = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.37) * 0.5 + i / (2 * n));
    const apply = (x: Float64Array, y: Float64Array) => {
      for (let i = 0; i < n; i++) y[i] = diag[i]! * x[i]!;
    };
    const r = topEigenpairs(apply, n, { k: 5, basis: 16, tol: 1e-9 }, createRng(1));
    const want = Array.from(diag).sort((a, b) => b - a).slice(0, 5);
    expect(r.converged).toBe(true);
    expect(r.restarts).toBeGreaterThan(0);
    r.values.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 8));
  });

  it('rejects k outside the space', () => {
    expect(() => topEigenpairs(() => {}, 5, { k: 6 }, createRng(1))).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
