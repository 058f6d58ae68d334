import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createOutput } from '../output.ts';
import { createProgressReporter } from '../progress.ts';
import { DEMO_CONFIG, parsePipelineConfig, readPipelineConfig } from '../pipeline/config.ts';
import { runPipeline } from '../pipeline/run-pipeline.ts';
import { pipelineConfigHelp } from '../pipeline/config-help.ts';
import { writeRunReport } from '../pipeline/report-hook.ts';
import { baselineSummary } from '../pipeline/baseline-comparison.ts';


export function register(program: Command): void {
  program
    .command('run')
    .description('Run the whole DTL-NS pipeline: pretrain → trees → candidates + judge → train with the DTL sampler → report')
    .option('--config <file>', 'pipeline config (JSON or YAML)')
    .option('--out <rundir>', 'run directory (rerun to resume; unchanged stages are skipped)', 'runs/default')
    .option('--data <dir>', "override the config's data: dataset folder (so one config runs on any dataset)")
    .option('--protocol <p>', 'override the config: clean | paper (LEAKY)')
    .option('--json', 'print one JSON object as the last stdout line')
    .addHelpText('after', pipelineConfigHelp())
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

