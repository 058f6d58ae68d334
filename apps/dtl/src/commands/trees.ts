import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DtlError, createRng } from '@dtl/core';
import type { DenseMatrix, ItemTree } from '@dtl/core';
import { loadDataset, readMatrixText } from '@dtl/data';
import { createKmeansTreeBuilder, createLouvainBuilder, createSpectralKmeansBuilder, svdItemEmbedding } from '@dtl/trees';
import {
  codebookFromTree,
  codebookStats,
  createTreeViewArtifact,
  createTreesArtifact,
  hashCsr,
  hashMatrix,
  writeCodeFile,
  writeTreesArtifact,
} from '@dtl/encoding';
import type { CodebookStats } from '@dtl/encoding';
import { createOutput } from '../output.ts';

interface TreesOptions {
  data: string;
  itemEmb?: string;
  out: string;
  builder: string;
  k: string;
  leaf: string;
  dim: string;
  seed: string;
  json?: boolean;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new DtlError('INVALID_ARGUMENT', `${flag} must be a positive integer, got "${value}"`);
  return n;
}

function statsLine(s: CodebookStats): string {
  return `depth ${s.depthMin}–${s.depthMax} (mean ${s.depthMean.toFixed(2)}), ${s.leaves} leaves, leaf size min/median/max ${s.leafSizeMin}/${s.leafSizeMedian}/${s.leafSizeMax}`;
}

export function register(program: Command): void {
  program
    .command('trees')
    .description('Build the dual item trees (co: co-occurrence graph; se: item embeddings) and write their codes')
    .requiredOption('--data <dir>', 'dataset folder (train.txt is the only split read)')
    .option('--item-emb <file>', 'item embeddings, one row per item (e.g. dtl export-emb item.txt); without it the se tree uses a training-free SVD stand-in')
    .requiredOption('--out <dir>', 'output folder for codes-co.txt, codes-se.txt and trees.json')
    .option('--builder <name>', 'co-tree builder: spectral-kmeans | louvain', 'spectral-kmeans')
    .option('--k <n>', 'children per k-means node', '4')
    .option('--leaf <n>', 'leaf size', '30')
    .option('--dim <n>', 'spectral embedding dimension', '32')
    .option('--seed <n>', 'random seed', '2022')
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: TreesOptions) => {
      const out = createOutput(Boolean(opts.json));
      const k = positiveInt(opts.k, '--k');
      const leafSize = positiveInt(opts.leaf, '--leaf');
      const dim = positiveInt(opts.dim, '--dim');
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new DtlError('INVALID_ARGUMENT', `--seed must be an integer, got "${opts.seed}"`);
      if (opts.builder !== 'spectral-kmeans' && opts.builder !== 'louvain') {
        throw new DtlError('INVALID_ARGUMENT', `--builder must be spectral-kmeans or louvain, got "${opts.builder}"`);
      }

      const { data } = await loadDataset(opts.data);
      const train = data.train; // trees read train only (clean protocol)
      const rng = createRng(seed);

      const coBuilder =
        opts.builder === 'louvain' ? createLouvainBuilder({ leafSize }) : createSpectralKmeansBuilder({ dim, k, leafSize });
      let t = performance.now();
      const coTree: ItemTree = coBuilder.build(train, rng.fork('co'));
      const coMs = performance.now() - t;
      const co = codebookFromTree(coTree);

      let seInput: DenseMatrix;
      let seInputName: string;
      t = performance.now();
      if (opts.itemEmb) {
        seInput = readMatrixText(opts.itemEmb);
        seInputName = resolve(opts.itemEmb);
        if (seInput.rows !== data.nItems) {
          throw new DtlError('INVALID_DATA', `${seInput.rows} rows of item embeddings for ${data.nItems} items`, { location: { file: opts.itemEmb } });
        }
      } else {
        out.info('se: no --item-emb given; using a training-free stand-in (truncated SVD, dim 64, of the normalized train matrix)');
        seInput = svdItemEmbedding(train, rng.fork('svd'));
        seInputName = 'svd-stand-in';
      }
      const seEmbMs = performance.now() - t;
      const seBuilder = createKmeansTreeBuilder({ k, leafSize });
      t = performance.now();
      const seTree = seBuilder.build(seInput, rng.fork('se'));
      const seMs = performance.now() - t;
      const se = codebookFromTree(seTree);

      mkdirSync(opts.out, { recursive: true });
      const coPath = resolve(opts.out, 'codes-co.txt');
      const sePath = resolve(opts.out, 'codes-se.txt');
      const artifactPath = resolve(opts.out, 'trees.json');
      writeCodeFile(coPath, co);
      writeCodeFile(sePath, se);
      const coView = createTreeViewArtifact({ builder: coBuilder, inputHash: hashCsr(train), codebook: co, info: coTree.info });
      const seView = createTreeViewArtifact({
        builder: { name: seBuilder.name, params: { ...seBuilder.params, input: seInputName } },
        inputHash: hashMatrix(seInput),
        codebook: se,
        info: seTree.info,
      });
      writeTreesArtifact(artifactPath, createTreesArtifact({ co: coView, se: seView }, seed));

      const residuals = (coTree.info?.['residuals'] as number[] | undefined) ?? [];
      const maxResidual = residuals.length ? Math.max(...residuals) : undefined;
      out.info(`co (${coBuilder.name}): ${statsLine(coView.stats)}  [${coMs.toFixed(0)} ms]`);
      if (maxResidual !== undefined) {
        out.info(`   eigen-residuals ‖Lv − λv‖: max ${maxResidual.toExponential(2)} over ${residuals.length} eigenvectors`);
      }
      out.info(`se (kmeans over ${seInputName}): ${statsLine(seView.stats)}  [${seMs.toFixed(0)} ms${opts.itemEmb ? '' : `, stand-in embedding ${seEmbMs.toFixed(0)} ms`}]`);
      out.result(
        {
          out: resolve(opts.out),
          files: { co: coPath, se: sePath, artifact: artifactPath },
          seed,
          co: { builder: coBuilder.name, params: coBuilder.params, stats: coView.stats, maxResidual, ms: Math.round(coMs) },
          se: { builder: seBuilder.name, input: seInputName, stats: seView.stats, ms: Math.round(seMs), embeddingMs: Math.round(seEmbMs) },
        },
        () => `wrote ${coPath}, ${sePath}, ${artifactPath}`,
      );
    });
}
