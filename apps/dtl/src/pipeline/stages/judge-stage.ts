import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DtlError } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { readFalseNegativeSet } from '@dtl/llm-fn';
import { parseLlmSpec } from '../../providers.ts';
import { judgeFalseNegatives, readPlantedPreferences, writeJudgeBatchFile } from '../../stages/judge-false-negatives.ts';
import type { JudgeFalseNegativesResult } from '../../stages/judge-false-negatives.ts';
import type { PipelineStage } from '../stage-runner.ts';
import { hash } from './context.ts';
import type { StageContext } from './context.ts';
import type { LoadedData } from './data-stage.ts';
import type { LoadedPretrain } from './pretrain-stage.ts';
import type { LoadedTrees } from './trees-stage.ts';

export interface JudgeInput {
  readonly ctx: StageContext;
  readonly data: LoadedData;
  readonly pretrain: LoadedPretrain;
  readonly pretrainKey: string;
  readonly trees: LoadedTrees;
  readonly treesKey: string;
}

export type JudgeRecord = JudgeFalseNegativesResult['result'];

/** The judged false negatives (users × items), read once from the stage's artifact. */
export interface LoadedJudge {
  readonly pairs: Csr;
}

// The artifact is the stage's output of record (it is what `dtl train --fn` reads too): the train
// stage gets exactly its pairs, whether the judge ran now or earlier.
const loadedOf = (record: JudgeRecord): LoadedJudge => ({ pairs: readFalseNegativeSet(record.artifact).pairs });

/**
 * Stage 4, candidates + judge: each user's top-K unobserved items under the pretrained model are judged
 * (rule or LLM, through the SQLite call cache) with both trees' codes; offline batch judging pauses here.
 * Batch settings choose how the calls are made, not what they answer: they are not part of the key.
 */
export const judgeStage: PipelineStage<JudgeInput, JudgeRecord, LoadedJudge> = {
  name: 'judge',
  keep: ['judge-cache.sqlite'],
  key: ({ ctx, pretrainKey, treesKey }) => {
    const { batch: _batch, ...judgeSettings } = ctx.config.judge;
    return hash(pretrainKey, treesKey, judgeSettings);
  },
  async run({ ctx, data, pretrain, trees }, dir) {
    const { config, runDir, info } = ctx;
    const { users: userEmb, items: itemEmb } = pretrain.embeddings();
    const judgeOptions = {
      data: data.data,
      userEmb,
      itemEmb,
      codes: trees.codes,
      spec: parseLlmSpec(config.judge.llm),
      per: config.judge.per,
      concurrency: config.judge.concurrency,
      users: config.judge.users,
      candidates: config.judge.candidates,
      cachePath: join(dir, 'judge-cache.sqlite'),
      artifactPath: join(dir, 'false-negatives.json'),
      rule: { mode: config.judge.ruleMode, threshold: config.judge.threshold },
      tokenBudget: config.judge.tokenBudget,
      timeoutMs: config.judge.timeoutMs,
      retries: config.judge.retries,
      threads: config.judge.threads,
      artifactMeta: { run: runDir },
      onInfo: info,
      planted: readPlantedPreferences(data.dir, data.data.nUsers, data.data.nItems),
    };
    const batch = config.judge.batch;
    const batchIn = batch?.in !== undefined && existsSync(batch.in) ? batch.in : undefined;
    const judged = batch && !batchIn ? undefined : await judgeFalseNegatives({ ...judgeOptions, batchIn, batchResponseFormat: batch?.format });
    if (batch && (!judged || judged.result.missing > 0)) {
      // Offline judging: write what is still unanswered and pause; a rerun with the results continues.
      const outFile = resolve(batch.out ?? join(dir, 'batch-requests.jsonl'));
      const w = await writeJudgeBatchFile({ ...judgeOptions, batchOut: outFile, batchResponseFormat: batch.format });
      throw new DtlError(
        'CANCELLED',
        `judge stage paused: wrote ${w.written} batch requests (${w.cached} already answered) to ${outFile}. Run them where the model is served ` +
          `(e.g. vllm run-batch -i ${outFile} -o results.jsonl --model ${w.model}), set judge.batch.in to the results file${batch.in ? ` (now ${batch.in}${batchIn ? ', which left ' + (judged?.result.missing ?? 0) + ' requests unanswered' : ', which does not exist yet'})` : ''} and rerun dtl run — finished stages are skipped`,
      );
    }
    if (!judged) throw new DtlError('STATE_MISMATCH', 'judge stage: no result');
    if (judged.result.failed > 0) {
      throw new DtlError('PROVIDER_FAILURE', `${judged.result.failed} judge requests failed; rerun to retry them (completed calls are cached)`);
    }
    return { record: judged.result, loaded: loadedOf(judged.result) };
  },
  load: (_input, record) => loadedOf(record),
};
