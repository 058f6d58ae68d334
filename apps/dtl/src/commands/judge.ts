/**
 * `dtl judge`: false-negative identification on a `dtl train` run. Candidates are the trained model's
 * top-K unobserved items for the first N users by id (all users by default — never chosen by held-out
 * labels); a judge (rule, OpenAI-compatible, Ollama, local GGUF) flags false negatives; every call is
 * cached in SQLite so a killed run resumes without repeating completed calls; the flagged set is written
 * as a versioned artifact. Precision/recall against the users' valid+test positives are REPORTED by the
 * evaluator-side `fniMetrics` and never feed back into anything.
 */
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import { createDualCodebook, readCodeFile } from '@dtl/encoding';
import { DEFAULT_MAX_REPLY_BYTES } from '@dtl/llm-fn';
import type { RuleMode } from '@dtl/llm-fn';
import { createOutput } from '../output.ts';
import { loadRunDataset, readRunEmbeddings, runPaths } from '../run-dir/index.ts';
import { nonNegativeInt, positiveInt, unitFloat } from './option-parsers.ts';
import { parseLlmSpec } from '../providers.ts';
import { judgeFalseNegatives, readPlantedPreferences, writeJudgeBatchFile } from '../stages/judge-false-negatives.ts';
import type { JudgeFalseNegativesOptions } from '../stages/judge-false-negatives.ts';
import { JUDGE_DEFAULTS, TREES_DEFAULTS } from '../stage-defaults.ts';

interface JudgeOptions {
  run: string;
  llm: string;
  per: 'user' | 'pair';
  concurrency?: number;
  users?: number;
  codesCo?: string;
  codesSe?: string;
  codesOffset: number;
  candidates: number;
  cache?: string;
  out?: string;
  threshold: number;
  ruleMode: RuleMode;
  timeout: number;
  retries: number;
  tokenBudget?: number;
  threads: number;
  maxFailed: number;
  maxReplyBytes: number;
  batchOut?: string;
  batchIn?: string;
  batchFormat: 'json_schema' | 'json_object' | 'none';
  json?: boolean;
}

/** Default of `--max-failed`: more than 5 % failed requests make `dtl judge` exit non-zero. */
export const DEFAULT_MAX_FAILED = 0.05;

/** PROVIDER_FAILURE (exit code 2) when more than `maxFailed` of `requests` failed; the artifact is already written. */
export function assertFailureRate(failed: number, requests: number, maxFailed: number): void {
  if (failed > 0 && failed > maxFailed * requests) {
    throw new DtlError(
      'PROVIDER_FAILURE',
      `${failed} of ${requests} judge requests failed or have no result (${((100 * failed) / requests).toFixed(1)} % > --max-failed ${(100 * maxFailed).toFixed(1)} %); ` +
        'their candidates are unlabeled in the artifact — rerun to retry only the failed calls (completed calls are cached)',
    );
  }
}

const J = JUDGE_DEFAULTS;

export function register(program: Command): void {
  program
    .command('judge')
    .description('false-negative identification: top-K candidates of a trained run judged by rule | LLM, cached and resumable')
    .requiredOption('--run <dir>', 'a dtl train run folder (run.json, embeddings/user.txt, embeddings/item.txt)')
    .option('--llm <spec>', 'rule | openai:<model>@<baseURL> | ollama:<model>[@<baseURL>] | gguf:<path>', J.llm)
    .addOption(new Option('--per <granularity>', 'one prompt per user (all candidates) or per pair').choices(['user', 'pair']).default(J.per))
    .option('--concurrency <n>', 'calls in flight (default 4; 1 for gguf)', positiveInt)
    .option('--users <n>', 'judge only users 0..n-1 (by id; never selected by held-out labels)', positiveInt)
    .option('--codes-co <file>', 'co codes, "item: 0-2-1-3" lines (default RUN/trees/codes-co.txt)')
    .option('--codes-se <file>', 'se codes (default RUN/trees/codes-se.txt)')
    .option('--codes-offset <n>', 'item id offset in the code files (the authors\' files: 15138)', nonNegativeInt, TREES_DEFAULTS.codesOffset)
    .option('--candidates <n>', 'candidates per user', positiveInt, J.candidates)
    .option('--cache <file>', 'SQLite call cache (default RUN/judge-cache.sqlite)')
    .option('--out <file>', 'false-negative set artifact (default RUN/false-negatives.json)')
    .option('--threshold <t>', 'rule judge: prefix-similarity threshold', unitFloat, J.threshold)
    .addOption(new Option('--rule-mode <mode>', 'rule judge: how the co/se views combine').choices(['either', 'both', 'mean', 'co', 'se']).default(J.ruleMode))
    .option('--timeout <ms>', 'per-call timeout', positiveInt, J.timeoutMs)
    .option('--retries <n>', 'retries per failed call', nonNegativeInt, J.retries)
    .option('--token-budget <n>', 'prompt token budget (history truncated beyond it)', positiveInt)
    .option('--threads <n>', 'gguf: CPU threads', positiveInt, J.threads)
    .option('--max-failed <fraction>', 'exit non-zero (code 2) when more than this fraction of the requests failed', unitFloat, DEFAULT_MAX_FAILED)
    .option('--max-reply-bytes <n>', 'largest LLM reply accepted; a longer one is a failed call', positiveInt, DEFAULT_MAX_REPLY_BYTES)
    .option('--batch-out <file.jsonl>', 'offline: write every prompt not yet cached as an OpenAI batch request line and stop (openai:<model> judges)')
    .option('--batch-in <results.jsonl>', 'offline: import batch results (vllm run-batch / Batch API output) into the cache and finish without sending requests')
    .addOption(new Option('--batch-format <format>', 'response_format of batch request lines').choices(['json_schema', 'json_object', 'none']).default('json_schema'))
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: JudgeOptions) => {
      const out = createOutput(opts.json === true);
      const t0 = performance.now();
      const spec = parseLlmSpec(opts.llm);
      if (opts.batchOut !== undefined && opts.batchIn !== undefined) throw new DtlError('INVALID_ARGUMENT', '--batch-out and --batch-in are two steps: give one of them');
      const runDir = opts.run;
      const paths = runPaths(runDir);
      // The run's own split: the same folder and validation carve `dtl train` used (issue 17).
      const { data, spec: { dir: dataDir } } = loadRunDataset(runDir);
      const { users: userEmb, items: itemEmb } = readRunEmbeddings(runDir, data);
      const coFile = opts.codesCo ?? join(paths.trees, 'codes-co.txt');
      const seFile = opts.codesSe ?? join(paths.trees, 'codes-se.txt');
      const codeOpts = { offset: opts.codesOffset, nItems: data.nItems };
      const codes = createDualCodebook(readCodeFile(coFile, codeOpts).codebook, readCodeFile(seFile, codeOpts).codebook);

      const controller = new AbortController();
      const onSigint = (): void => controller.abort(new Error('SIGINT'));
      process.once('SIGINT', onSigint);
      const stageOptions: JudgeFalseNegativesOptions = {
        signal: controller.signal,
        data,
        userEmb,
        itemEmb,
        codes,
        spec,
        per: opts.per,
        concurrency: opts.concurrency,
        users: opts.users,
        candidates: opts.candidates,
        cachePath: opts.cache ?? paths.judgeCache,
        artifactPath: opts.out ?? paths.falseNegatives,
        rule: { mode: opts.ruleMode, threshold: opts.threshold },
        tokenBudget: opts.tokenBudget,
        timeoutMs: opts.timeout,
        retries: opts.retries,
        threads: opts.threads,
        maxReplyBytes: opts.maxReplyBytes,
        artifactMeta: { run: runDir, codes: { co: coFile, se: seFile, offset: opts.codesOffset } },
        onInfo: (line: string) => out.info(line),
        planted: readPlantedPreferences(dataDir, data.nUsers, data.nItems),
        batchIn: opts.batchIn,
        batchResponseFormat: opts.batchFormat,
      };
      if (opts.batchOut !== undefined) {
        const w = await writeJudgeBatchFile({ ...stageOptions, batchOut: opts.batchOut }).finally(() => process.off('SIGINT', onSigint));
        out.result({ ...w, seconds: (performance.now() - t0) / 1000 }, () =>
          [
            `wrote ${w.written} batch requests to ${w.batch_out} (${w.requests} requests, ${w.cached} already cached; ~${w.prompt_tokens_estimate} prompt tokens)`,
            `run them where the model is served, e.g.: vllm run-batch -i ${w.batch_out} -o results.jsonl --model ${w.model}`,
            `then: dtl judge --run ${runDir} --llm ${opts.llm} --batch-in results.jsonl (same --per/--candidates/--users/--token-budget)`,
          ].join('\n'),
        );
        return;
      }
      const { result, metrics: m } = await judgeFalseNegatives(stageOptions).finally(() => process.off('SIGINT', onSigint));
      result.seconds = (performance.now() - t0) / 1000;
      const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
      out.result(result, () =>
        [
          `judge ${result.judge} (per ${result.per}): ${result.requests} requests, ${result.calls} calls, ${result.cached} cached, ${result.failed} failed` +
            (result.batch ? `, ${result.missing} without a batch result` : ''),
          `candidates ${result.candidates}, positives ${result.positives} (rate ${f(m.positiveRate)}), unlabeled ${result.unlabeled}`,
          `reported vs valid+test (never used for training): precision ${f(m.precision)}, recall ${f(m.recall)}, f1 ${f(m.f1)}, base rate ${f(m.baseRate)}`,
          ...(result.planted ? [`against planted true preferences (synthetic): precision ${f(result.planted.precision)}, recall ${f(result.planted.recall)}, base rate ${f(result.planted.base_rate)}`] : []),
          `tokens ${result.prompt_tokens} prompt / ${result.response_tokens} response; ${result.seconds.toFixed(2)} s`,
          `wrote ${result.artifact}`,
        ].join('\n'),
      );
      assertFailureRate(result.failed + result.missing, result.requests, opts.maxFailed);
    });
}
