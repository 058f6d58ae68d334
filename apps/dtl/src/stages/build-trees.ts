import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng } from '@dtl/core';
import type { Csr, DenseMatrix, DualCodebook, ItemTree } from '@dtl/core';
import { createKmeansTreeBuilder, createLouvainBuilder, createSpectralKmeansBuilder, svdItemEmbedding } from '@dtl/trees';
import {
  codebookFromTree,
  createDualCodebook,
  createTreeViewArtifact,
  createTreesArtifact,
  hashCsr,
  hashMatrix,
  historySimilarity,
  writeCodeFile,
  writeTreesArtifact,
} from '@dtl/encoding';
import type { CodebookStats } from '@dtl/encoding';

export type CoBuilderName = 'spectral-kmeans' | 'louvain';

export interface BuildTreesOptions {
  readonly train: Csr;
  /** Item embeddings for the se tree; without them a training-free SVD stand-in is used. */
  readonly itemEmbeddings?: DenseMatrix | undefined;
  /** Name recorded for the se input (e.g. the embedding file). */
  readonly itemEmbeddingsName?: string | undefined;
  readonly builder: CoBuilderName;
  readonly k: number;
  readonly leafSize: number;
  readonly dim: number;
  readonly seed: number;
  readonly outDir: string;
  /** Also measure the codes' collaborative signal (mean prefix similarity, same-user vs random pairs). */
  readonly similarityPairs?: number;
  readonly onInfo?: (line: string) => void;
}

export interface TreeViewSummary {
  readonly builder: string;
  readonly input?: string;
  readonly stats: CodebookStats;
  readonly maxResidual?: number | undefined;
  readonly ms: number;
}

export interface BuildTreesResult {
  readonly codes: DualCodebook;
  readonly files: { readonly co: string; readonly se: string; readonly artifact: string };
  readonly co: TreeViewSummary;
  readonly se: TreeViewSummary;
  readonly similarity?: { readonly co: { sameUser: number; random: number }; readonly se: { sameUser: number; random: number } } | undefined;
}

/**
 * Builds the dual trees of DTL-NS (method.md §2–4): the co tree from the train co-occurrence graph
 * (spectral embedding + balanced k-means, or Louvain), the se tree by balanced k-means over item
 * embeddings; writes `codes-co.txt`, `codes-se.txt` (authors' format, 0-based ids) and `trees.json`.
 * Reads only the train matrix (clean protocol).
 */
export function buildDualTrees(options: BuildTreesOptions): BuildTreesResult {
  const { train, k, leafSize, dim, seed } = options;
  const rng = createRng(seed);
  const coBuilder = options.builder === 'louvain' ? createLouvainBuilder({ leafSize }) : createSpectralKmeansBuilder({ dim, k, leafSize });
  let t = performance.now();
  const coTree: ItemTree = coBuilder.build(train, rng.fork('co'));
  const coMs = performance.now() - t;
  const co = codebookFromTree(coTree);

  let seInput: DenseMatrix;
  let seInputName: string;
  if (options.itemEmbeddings) {
    seInput = options.itemEmbeddings;
    seInputName = options.itemEmbeddingsName ?? 'item embeddings';
  } else {
    options.onInfo?.('se: no item embeddings given; using a training-free stand-in (truncated SVD, dim 64, of the normalized train matrix)');
    seInput = svdItemEmbedding(train, rng.fork('svd'));
    seInputName = 'svd-stand-in';
  }
  const seBuilder = createKmeansTreeBuilder({ k, leafSize });
  t = performance.now();
  const seTree = seBuilder.build(seInput, rng.fork('se'));
  const seMs = performance.now() - t;
  const se = codebookFromTree(seTree);

  mkdirSync(options.outDir, { recursive: true });
  const files = {
    co: resolve(options.outDir, 'codes-co.txt'),
    se: resolve(options.outDir, 'codes-se.txt'),
    artifact: resolve(options.outDir, 'trees.json'),
  };
  writeCodeFile(files.co, co);
  writeCodeFile(files.se, se);
  const coView = createTreeViewArtifact({ builder: coBuilder, inputHash: hashCsr(train), codebook: co, info: coTree.info });
  const seView = createTreeViewArtifact({
    builder: { name: seBuilder.name, params: { ...seBuilder.params, input: seInputName } },
    inputHash: hashMatrix(seInput),
    codebook: se,
    info: seTree.info,
  });
  writeTreesArtifact(files.artifact, createTreesArtifact({ co: coView, se: seView }, seed));
  const residuals = (coTree.info?.['residuals'] as number[] | undefined) ?? [];
  let similarity: BuildTreesResult['similarity'];
  if (options.similarityPairs) {
    const simRng = rng.fork('similarity');
    const sim = (cb: typeof co) => {
      const h = historySimilarity(cb, train, simRng, { pairs: options.similarityPairs });
      return { sameUser: h.sameUser, random: h.random };
    };
    similarity = { co: sim(co), se: sim(se) };
  }
  return {
    codes: createDualCodebook(co, se),
    files,
    co: { builder: coBuilder.name, stats: coView.stats, maxResidual: residuals.length ? Math.max(...residuals) : undefined, ms: Math.round(coMs) },
    se: { builder: seBuilder.name, input: seInputName, stats: seView.stats, ms: Math.round(seMs) },
    similarity,
  };
}

export function treeStatsLine(s: CodebookStats): string {
  return `depth ${s.depthMin}–${s.depthMax} (mean ${s.depthMean.toFixed(2)}), ${s.leaves} leaves, leaf size min/median/max ${s.leafSizeMin}/${s.leafSizeMedian}/${s.leafSizeMax}`;
}
