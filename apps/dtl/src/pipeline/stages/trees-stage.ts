import { resolve } from 'node:path';
import type { DualCodebook } from '@dtl/core';
import { createDualCodebook } from '@dtl/encoding';
import { readCodesFile } from '../../code-files.ts';
import { runPaths } from '../../run-dir/index.ts';
import { buildDualTrees } from '../../stages/build-trees.ts';
import type { BuildTreesResult } from '../../stages/build-trees.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { fileHash, hash } from './context.ts';
import type { StageContext } from './context.ts';
import type { PipelineConfig } from '../config.ts';
import type { LoadedData } from './data-stage.ts';
import type { LoadedPretrain } from './pretrain-stage.ts';

export interface TreesInput {
  readonly ctx: StageContext;
  readonly data: LoadedData;
  readonly dataKey: string;
  readonly pretrain: LoadedPretrain;
  readonly pretrainKey: string;
}

export type TreesSummary = Omit<BuildTreesResult, 'codes'>;

export type TreesRecord =
  | { readonly given: true; readonly files: { readonly co: string; readonly se: string }; readonly offset: number }
  | (TreesSummary & { readonly given: false; readonly offset: number });

/** The items' codes of both trees, in memory (the judge and the DTL sampler take them, never the files). */
export interface LoadedTrees {
  readonly codes: DualCodebook;
  /** The code files (recorded in the train stage's config; not read again). */
  readonly files: { readonly co: string; readonly se: string };
  readonly offset: number;
  /** Tree statistics (built trees only). */
  readonly summary: TreesSummary | undefined;
}

function readCodes(record: TreesRecord, nItems: number): DualCodebook {
  const opts = { offset: record.offset, nItems };
  return createDualCodebook(readCodesFile(record.files.co, opts), readCodesFile(record.files.se, opts));
}

function loadedOf(record: TreesRecord, codes: DualCodebook): LoadedTrees {
  const summary = record.given ? undefined : (({ given: _g, offset: _o, ...rest }) => rest)(record);
  return { codes, files: { co: record.files.co, se: record.files.se }, offset: record.offset, summary };
}

const givenCodes = (config: PipelineConfig): boolean => Boolean(config.trees.codesCo && config.trees.codesSe);

/**
 * Stage 3, trees: the co tree from the train co-occurrence graph, the se tree from the pretrained
 * item embeddings (method.md §2–4), or the code files the config gives (`trees.codesCo/codesSe`).
 */
export const treesStage: PipelineStage<TreesInput, TreesRecord, LoadedTrees> = {
  name: 'trees',
  key: ({ ctx: { config }, dataKey, pretrainKey }) =>
    givenCodes(config)
      ? hash('given', fileHash([resolve(config.trees.codesCo!), resolve(config.trees.codesSe!)]), config.trees.codesOffset)
      : hash(dataKey, pretrainKey, config.trees, config.seed),
  async run({ ctx, data, pretrain }, dir) {
    const t = ctx.config.trees;
    if (givenCodes(ctx.config)) {
      ctx.info(`trees: using given codes ${t.codesCo}, ${t.codesSe}`);
      const record: TreesRecord = { given: true, files: { co: resolve(t.codesCo!), se: resolve(t.codesSe!) }, offset: t.codesOffset };
      return { record, loaded: loadedOf(record, readCodes(record, data.data.nItems)) };
    }
    const built = buildDualTrees({
      train: data.data.train,
      itemEmbeddings: pretrain.embeddings().items,
      itemEmbeddingsName: runPaths(pretrain.dir).itemEmbeddings,
      builder: t.builder,
      k: t.k,
      leafSize: t.leafSize,
      dim: t.dim,
      seed: ctx.config.seed,
      outDir: dir,
      similarityPairs: 50_000,
      onInfo: ctx.info,
    });
    const { codes, ...rest } = built;
    const record: TreesRecord = { given: false, ...rest, offset: 0 };
    return { record, loaded: loadedOf(record, codes) };
  },
  load: ({ data }, record) => loadedOf(record, readCodes(record, data.data.nItems)),
};
