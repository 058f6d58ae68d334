import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import { loadDataset, readMatrixText } from '@dtl/data';
import { createOutput } from '../output.ts';
import { integer, nonNegativeInt, positiveInt } from './option-parsers.ts';
import { buildDualTrees, treeStatsLine } from '../stages/build-trees.ts';
import { TREES_DEFAULTS } from '../stage-defaults.ts';
import { DEFAULT_TRAIN_CONFIG } from '../train-defaults.ts';

interface TreesOptions {
  data: string;
  itemEmb?: string;
  out: string;
  builder: 'spectral-kmeans' | 'louvain';
  k: number;
  leaf: number;
  dim: number;
  seed: number;
  similarityPairs: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('trees')
    .description('Build the dual item trees (co: co-occurrence graph; se: item embeddings) and write their codes')
    .requiredOption('--data <dir>', 'dataset folder (train.txt is the only split read)')
    .option('--item-emb <file>', 'item embeddings, one row per item (e.g. dtl export-emb item.txt); without it the se tree uses a training-free SVD stand-in')
    .requiredOption('--out <dir>', 'output folder for codes-co.txt, codes-se.txt and trees.json')
    .addOption(new Option('--builder <name>', 'co-tree builder').choices(['spectral-kmeans', 'louvain']).default(TREES_DEFAULTS.builder))
    .option('--k <n>', 'children per k-means node', positiveInt, TREES_DEFAULTS.k)
    .option('--leaf <n>', 'leaf size', positiveInt, TREES_DEFAULTS.leafSize)
    .option('--dim <n>', 'spectral embedding dimension', positiveInt, TREES_DEFAULTS.dim)
    .option('--seed <n>', 'random seed', integer, DEFAULT_TRAIN_CONFIG.seed)
    .option('--similarity-pairs <n>', 'pairs for the collaborative-signal check (0 = skip)', nonNegativeInt, 100000)
    .option('--json', 'print one JSON object as the last stdout line')
    .action((opts: TreesOptions) => {
      const out = createOutput(Boolean(opts.json));
      const { data } = loadDataset(opts.data);
      let itemEmbeddings;
      if (opts.itemEmb) {
        itemEmbeddings = readMatrixText(opts.itemEmb);
        if (itemEmbeddings.rows !== data.nItems) {
          throw new DtlError('INVALID_DATA', `${itemEmbeddings.rows} rows of item embeddings for ${data.nItems} items`, { location: { file: opts.itemEmb } });
        }
      }
      const result = buildDualTrees({
        train: data.train, // trees read train only (clean protocol)
        itemEmbeddings,
        itemEmbeddingsName: opts.itemEmb ? resolve(opts.itemEmb) : undefined,
        builder: opts.builder,
        k: opts.k,
        leafSize: opts.leaf,
        dim: opts.dim,
        seed: opts.seed,
        outDir: opts.out,
        similarityPairs: opts.similarityPairs > 0 ? opts.similarityPairs : undefined,
        onInfo: (line) => out.info(line),
      });
      out.info(`co (${result.co.builder}): ${treeStatsLine(result.co.stats)}  [${result.co.ms} ms]`);
      if (result.co.maxResidual !== undefined) out.info(`   eigen-residuals ‖Lv − λv‖: max ${result.co.maxResidual.toExponential(2)}`);
      out.info(`se (kmeans over ${result.se.input}): ${treeStatsLine(result.se.stats)}  [${result.se.ms} ms]`);
      if (result.similarity) {
        const s = result.similarity;
        out.info(`mean prefix similarity, same-user vs random pairs: co ${s.co.sameUser.toFixed(3)} vs ${s.co.random.toFixed(3)}; se ${s.se.sameUser.toFixed(3)} vs ${s.se.random.toFixed(3)}`);
      }
      out.result({ out: resolve(opts.out), files: result.files, seed: opts.seed, co: result.co, se: result.se, similarity: result.similarity }, () => `wrote ${result.files.co}, ${result.files.se}, ${result.files.artifact}`);
    });
}
