import { isLeaky } from '../../protocol.ts';
import { runTraining } from '../../training.ts';
import { trainConfigOf } from '../section-config.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { hash, summaryOf } from './context.ts';
import type { StageContext, TrainStageRecord } from './context.ts';
import type { LoadedData } from './data-stage.ts';
import type { LoadedJudge } from './judge-stage.ts';
import type { LoadedTrees } from './trees-stage.ts';

export interface TrainInput {
  readonly ctx: StageContext;
  readonly data: LoadedData;
  readonly dataKey: string;
  readonly trees: LoadedTrees;
  readonly treesKey: string;
  /** Absent with `fn.use: none` (the judge stage does not run). */
  readonly judge: { readonly loaded: LoadedJudge; readonly key: string } | undefined;
}

const configOf = ({ ctx, data, trees }: TrainInput) => trainConfigOf(ctx.config.train, data.dir, ctx.config, { co: trees.files.co, se: trees.files.se, offset: trees.offset });

/**
 * Stage 5, train: the DTL-NS model — the train section's model with the DTL multi-view sampler on the
 * enhanced positive set (judged false negatives used as `fn.use` says), under the configured protocol.
 * The sampler gets the trees' codebooks in memory; the config records the code files' paths.
 */
export const trainStage: PipelineStage<TrainInput, TrainStageRecord, TrainStageRecord> = {
  name: 'train',
  key: (input) => {
    const { config } = input.ctx;
    return hash(input.dataKey, input.treesKey, config.fn.use === 'none' || !input.judge ? 'no-fn' : input.judge.key, config.fn, configOf(input), config.protocol);
  },
  async run(input, dir) {
    const { ctx, data, trees, judge } = input;
    const { config } = ctx;
    const fn = config.fn.use !== 'none' && judge ? judge.loaded : undefined;
    ctx.info(`train: ${config.train.model} + ${config.train.sampler}${fn ? `, judged false negatives as ${config.fn.use}` : ''}${isLeaky(config.protocol) ? ' [LEAKY paper protocol]' : ''}`);
    const s = await runTraining(configOf(input), dir, {
      codebooks: trees.codes,
      threads: config.threads,
      protocol: config.protocol,
      dataset: data,
      falseNegatives: fn && config.fn.use !== 'none' ? { pairs: fn.pairs, use: config.fn.use, weight: config.fn.weight, label: 'judge stage' } : undefined,
      onEpoch: (e) => ctx.onEpoch?.('train', e),
      onProgress: ctx.onProgress,
      onInfo: ctx.info,
    });
    const record = summaryOf(s);
    return { record, loaded: record };
  },
  load: (_input, record) => record,
};
