import { runTraining } from '../../training.ts';
import type { TrainSectionConfig } from '../config.ts';
import { trainConfigOf } from '../section-config.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { hash, summaryOf } from './context.ts';
import type { StageContext, TrainStageRecord } from './context.ts';
import type { LoadedData } from './data-stage.ts';

export interface BaselineInput {
  readonly ctx: StageContext;
  readonly data: LoadedData;
  readonly dataKey: string;
  /** The baseline's settings (`baselineSectionOf`: the train section, sampler mixgcf, the overrides). */
  readonly section: TrainSectionConfig;
}

const configOf = ({ ctx, data, section }: BaselineInput) => trainConfigOf(section, data.dir, ctx.config);

/**
 * Stage 6, baseline (issue 19): the same model, budget, seed and data as the train stage with a plain
 * sampler (MixGCF by default), never given judged false negatives nor codes — the observed train set
 * only, i.e. exactly what the DTL-NS model would train on under the clean protocol without the judge.
 * Its key leaves out the trees, the judge and the protocol: changing those never retrains it.
 */
export const baselineStage: PipelineStage<BaselineInput, TrainStageRecord, TrainStageRecord> = {
  name: 'baseline',
  key: (input) => hash(input.dataKey, 'baseline', configOf(input)),
  async run(input, dir) {
    const { ctx, data, section } = input;
    ctx.info(`baseline: ${section.model} + ${section.sampler} on the observed train set (no judged false negatives, clean protocol), same budget as train`);
    const s = await runTraining(configOf(input), dir, {
      threads: ctx.config.threads,
      protocol: 'clean',
      dataset: data,
      onEpoch: (e) => ctx.onEpoch?.('baseline', e),
      onProgress: ctx.onProgress,
      onInfo: ctx.info,
    });
    const record = summaryOf(s);
    return { record, loaded: record };
  },
  load: (_input, record) => record,
};
