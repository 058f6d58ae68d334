import type { DenseMatrix } from '@dtl/core';
import { readRunEmbeddings } from '../../run-dir/index.ts';
import { runTraining } from '../../training.ts';
import { trainConfigOf } from '../section-config.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { hash, summaryOf } from './context.ts';
import type { StageContext, TrainStageRecord } from './context.ts';
import type { LoadedData } from './data-stage.ts';

export interface PretrainInput {
  readonly ctx: StageContext;
  readonly data: LoadedData;
  readonly dataKey: string;
}

/** The pretrained model's pooled embeddings, read from its run folder on first use (once). */
export interface LoadedPretrain {
  readonly dir: string;
  embeddings(): { readonly users: DenseMatrix; readonly items: DenseMatrix };
}

function loaded(dir: string): LoadedPretrain {
  let cached: { users: DenseMatrix; items: DenseMatrix } | undefined;
  return { dir, embeddings: () => (cached ??= readRunEmbeddings(dir)) };
}

const configOf = ({ ctx, data }: PretrainInput) => trainConfigOf(ctx.config.pretrain, data.dir, ctx.config);

/** Stage 2, pretrain: a CF model (default LightGCN + RNS) whose embeddings build the se tree and propose the judge's candidates. */
export const pretrainStage: PipelineStage<PretrainInput, TrainStageRecord, LoadedPretrain> = {
  name: 'pretrain',
  key: (input) => hash(input.dataKey, configOf(input)),
  async run(input, dir) {
    const { ctx, data } = input;
    ctx.info(`pretrain: ${ctx.config.pretrain.model} + ${ctx.config.pretrain.sampler}`);
    const s = await runTraining(configOf(input), dir, {
      threads: ctx.config.threads,
      dataset: data,
      onEpoch: (e) => ctx.onEpoch?.('pretrain', e),
      onProgress: ctx.onProgress,
      onInfo: ctx.info,
    });
    return { record: summaryOf(s), loaded: loaded(dir) };
  },
  load: (_input, _record, dir) => loaded(dir),
};
