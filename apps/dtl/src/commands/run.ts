import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createOutput } from '../output.ts';
import { createProgressReporter } from '../progress.ts';
import { DEMO_CONFIG, parsePipelineConfig, readPipelineConfig } from '../pipeline/config.ts';
import { runPipeline } from '../pipeline/run-pipeline.ts';
import { writeRunReport } from '../pipeline/report-hook.ts';
import { baselineSummary } from '../pipeline/baseline-comparison.ts';

const CONFIG_HELP = `
Config file (JSON or YAML; every key optional — no config runs the embedded synthetic demo):
  data            dataset folder (train.txt, valid.txt?, test.txt); absent = synthetic
  synthetic       { preset: tiny|default, seed }                       (default { default, 7 })
  carveValid      fraction of train carved into validation when the data has none (0.1)
  seed            seed of everything (2022)
  protocol        clean | paper (paper = the authors' leaky filter and masking, labelled LEAKY)
  threads         compute threads (2)
  pretrain        { model: mf|lightgcn, sampler, epochs, evalEvery, patience, lr, dim, layers,
                    batchSize, l2, optimizer, negatives, candidates }   (lightgcn + rns)
  trees           { builder: spectral-kmeans|louvain, k, leafSize, dim, codesCo?, codesSe?, codesOffset }
  judge           { llm: rule|openai:<model>@<url>|ollama:<model>|gguf:<path>, per: user|pair,
                    candidates (20), users?, threshold (1), ruleMode, concurrency?, timeoutMs,
                    retries, tokenBudget?, threads }
  fn              { use: positive|exclude|weighted|none, weight (0.5) }
  train           like pretrain, plus alphaCo (0.1), alphaSe (0.3), mixing (true), and the DTL
                    sampler's false-negative-aware options alphaNegate, fnBand, fnBandPenalty,
                    historyPenalty, treePool (the dtl train flags of the same names; absent = off); sampler dtl
  baseline        { any train key } trained beside DTL-NS on the same data, model and budget, sampler
                    mixgcf unless set; never sees judged false negatives (default on; false = off)
`;

export function register(program: Command): void {
  program
    .command('run')
    .description('Run the whole DTL-NS pipeline: pretrain → trees → candidates + judge → train with the DTL sampler → report')
    .option('--config <file>', 'pipeline config (JSON or YAML)')
    .option('--out <rundir>', 'run directory (rerun to resume; unchanged stages are skipped)', 'runs/default')
    .option('--data <dir>', "override the config's data: dataset folder (so one config runs on any dataset)")
    .option('--protocol <p>', 'override the config: clean | paper (LEAKY)')
    .option('--json', 'print one JSON object as the last stdout line')
    .addHelpText('after', CONFIG_HELP)
    .action(async (opts: { config?: string; out: string; data?: string; protocol?: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      let config = opts.config ? readPipelineConfig(opts.config) : parsePipelineConfig(DEMO_CONFIG, 'embedded demo config');
      if (opts.data !== undefined) config = parsePipelineConfig({ ...config, data: opts.data }, '--data');
      if (opts.protocol) config = parsePipelineConfig({ ...config, protocol: opts.protocol }, '--protocol');
      if (config.protocol === 'paper') out.info('protocol paper: LEAKY — reproduces the authors\' held-out filter and masking; numbers are not comparable with clean ones');
      const progress = createProgressReporter();
      const t0 = performance.now();
      const result = await runPipeline(config, opts.out, {
        onInfo: (line) => {
          progress.done();
          out.info(line);
        },
        onStage: (name, r) => {
          progress.done();
          out.info(`stage ${name}: ${r.skipped ? `skipped (inputs unchanged; took ${r.producedInSeconds.toFixed(1)} s before)` : `${r.seconds.toFixed(1)} s`}`);
        },
        onEpoch: (stage, e) => {
          if (e.valid) {
            progress.done();
            out.info(`  ${stage} epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, valid R@20 ${(e.valid['recall@20'] ?? 0).toFixed(4)} N@20 ${(e.valid['ndcg@20'] ?? 0).toFixed(4)}`);
          }
        },
        onProgress: progress.onProgress,
        writeReport: writeRunReport,
      });
      const seconds = (performance.now() - t0) / 1000;
      const stages = Object.fromEntries(Object.entries(result.stages).map(([k, v]) => [k, { seconds: v.seconds, skipped: v.skipped }]));
      const leak = result.leaky ? ' [LEAKY: paper protocol]' : '';
      const b = result.baseline_result;
      out.result(
        {
          run_dir: result.run_dir,
          report: result.report,
          protocol: result.protocol,
          leaky: result.leaky,
          stages,
          seconds,
          best_epoch: result.best_epoch,
          test: result.test ?? null,
          baseline: b ? { model: b.model, sampler: b.sampler, protocol: b.protocol, best_epoch: b.best_epoch, test: b.test ?? null } : null,
          comparison: result.comparison ?? null,
          fni: result.fni ? { positives: result.fni.positives, positive_rate: result.fni.positive_rate, precision: result.fni.precision, recall: result.fni.recall } : undefined,
        },
        () =>
          [
            `done in ${seconds.toFixed(1)} s — run ${result.run_dir}`,
            result.test === null
              ? 'test: absent (the test split is empty; nothing was measured on test)'
              : `test at best-valid epoch ${result.best_epoch}${leak}: Recall@20 ${(result.test?.['recall@20'] ?? NaN).toFixed(4)}, NDCG@20 ${(result.test?.['ndcg@20'] ?? NaN).toFixed(4)}`,
            b ? baselineSummary(b, result.comparison, result.leaky) : '',
            result.fni ? `false negatives: ${result.fni.positives} of ${result.fni.candidates} candidates (rate ${result.fni.positive_rate.toFixed(3)}); reported precision ${result.fni.precision.toFixed(4)}, recall ${result.fni.recall.toFixed(4)} vs held-out` : '',
            result.report ? `report: ${resolve(result.report)}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
      );
    });
}

