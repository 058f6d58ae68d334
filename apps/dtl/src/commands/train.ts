import { Command, Option } from 'commander';
import { DtlError, csrFromPairs } from '@dtl/core';
import { createOutput } from '../output.ts';
import { runTraining } from '../training.ts';
import { MODEL_NAMES } from '../models.ts';
import type { ModelName } from '../models.ts';
import { DEFAULT_THREADS, DEFAULT_TRAIN_CONFIG } from '../train-defaults.ts';
import type { TrainConfig } from '../training.ts';
import type { FalseNegativeInput, FnUse, Protocol } from '../protocol.ts';
import { readFalseNegativeSet } from '@dtl/llm-fn';
import { loadDataset, readPairsFile } from '@dtl/data';
import { SAMPLER_NAMES, isSamplerName } from '../samplers.ts';
import { addSamplerOptions, samplerConfigFromOptions } from './sampler-options.ts';
import { addTrainConfigOption } from './train-config.ts';
import { createProgressReporter } from '../progress.ts';
import { fraction, integer, nonNegativeInt, positiveInt, positiveNumber } from './option-parsers.ts';
import { addTrainingOptions } from './sampler-options.ts';

export function register(program: Command): void {
  const d = DEFAULT_TRAIN_CONFIG;
  const cmd = program
    .command('train')
    .description('Train MF or LightGCN with BPR and a negative sampler; early-stops on validation Recall@20, resumes from RUNDIR/checkpoint.bin')
    .requiredOption('--data <dir>', 'dataset folder (train.txt, valid.txt if present, test.txt)')
    .requiredOption('--out <rundir>', 'run directory (created; rerunning with the same settings resumes)')
    .addOption(new Option('--model <name>', 'CF model').choices([...MODEL_NAMES]).default(d.model))
    .addOption(new Option('--sampler <name>', 'negative sampler').choices([...SAMPLER_NAMES]).default(d.sampler.name));
  addTrainingOptions(cmd, d)
    .option('--seed <s>', 'seed of initialisation, shuffling, sampling and the validation carve', integer, d.seed)
    .option('--carve-valid <fraction>', 'carve this fraction of train into validation when the dataset has none (0 = train a fixed number of epochs; test is then scored every --eval-every epochs as a learning curve that selects nothing)', fraction, d.carveValid)
    .option('--threads <n>', 'compute threads (results do not depend on it)', positiveInt, DEFAULT_THREADS)
    .option('--fn <file>', 'judged false negatives: a dtl judge artifact (false-negatives.json)')
    .option('--fn-pairs <file>', "judged false negatives as 'user item' pair lines (e.g. the authors' train_enhance_dtl_fni.txt)")
    .option('--fn-offset <n>', 'item id offset in --fn-pairs (the authors\' files: 15138)', nonNegativeInt, 0)
    .addOption(new Option('--fn-use <how>', 'positive = train on them (the paper); exclude = only never sample them; weighted = positives with --fn-weight').choices(['positive', 'exclude', 'weighted']).default('positive'))
    .option('--fn-weight <w>', 'loss weight of judged positives under --fn-use weighted', positiveNumber, 0.5)
    .addOption(new Option('--protocol <p>', 'clean (default) or paper: the authors\' held-out filter and enhanced-set masking — LEAKY').choices(['clean', 'paper']).default('clean'))
    .option('--json', 'print one JSON object as the last stdout line');
  addSamplerOptions(cmd);
  addTrainConfigOption(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const out = createOutput(Boolean(opts.json));
    const samplerName = String(opts.sampler);
    if (!isSamplerName(samplerName)) throw new DtlError('INVALID_ARGUMENT', `unknown sampler ${samplerName}`);
    const config: TrainConfig = {
      data: String(opts.data),
      model: opts.model as ModelName,
      sampler: samplerConfigFromOptions(samplerName, opts),
      epochs: opts.epochs as number,
      evalEvery: opts.evalEvery as number,
      patience: opts.patience as number,
      seed: opts.seed as number,
      lr: opts.lr as number,
      dim: opts.dim as number,
      layers: opts.layers as number,
      batchSize: opts.batchSize as number,
      l2: opts.l2 as number,
      optimizer: opts.optimizer as TrainConfig['optimizer'],
      negatives: opts.negatives as number,
      carveValid: opts.carveValid as number,
      // Only when given: absent keys keep the fingerprints of runs made before they existed.
      ...(opts.lrSchedule !== undefined ? { lrSchedule: opts.lrSchedule as TrainConfig['lrSchedule'] } : {}),
      ...(opts.lrFinal !== undefined ? { lrFinal: opts.lrFinal as number } : {}),
    };
    const progress = createProgressReporter();
    const protocol = opts.protocol as Protocol;
    if (protocol === 'paper') out.info('protocol paper: LEAKY — judged positives are filtered by held-out labels and evaluation masks the enhanced set (for comparison with the authors only)');
    const falseNegatives = readFalseNegativeOption(opts);
    const summary = await runTraining(config, String(opts.out), {
      threads: opts.threads as number,
      protocol,
      falseNegatives,
      onInfo: (line) => out.info(line),
      onProgress: progress.onProgress,
      onEpoch: (e) => {
        progress.done();
        const testPart = `test R@20 ${fmt(e.test?.['recall@20'])} N@20 ${fmt(e.test?.['ndcg@20'])}`;
        const ev = e.valid ? `  valid R@20 ${fmt(e.valid['recall@20'])} N@20 ${fmt(e.valid['ndcg@20'])}  ${testPart}` : e.test ? `  ${testPart} (curve)` : '';
        out.info(`epoch ${e.epoch}  loss ${e.loss.toFixed(4)}  ${e.seconds.toFixed(2)}s (sampling ${((100 * e.sampleSeconds) / Math.max(e.seconds, 1e-9)).toFixed(0)}%)${ev}`);
      },
    });
    progress.done();
    const { history: _history, runDir, ...rest } = summary;
    const leak = summary.leaky ? ' [LEAKY: paper protocol]' : '';
    out.result({ run_dir: runDir, ...rest }, () =>
      [
        ...(summary.leaky ? ['LEAKY: paper protocol — these numbers used held-out labels; never compare them with clean ones'] : []),
        `best epoch ${summary.best_epoch} of ${summary.epochs_run}${summary.stopped_early ? ' (early stop)' : ''}, ${summary.seconds_per_epoch.toFixed(2)} s/epoch, backend ${summary.backend}`,
        `valid: ${JSON.stringify(summary.valid ?? {})}`,
        summary.test ? `test (${summary.valid ? 'at best valid epoch' : 'last epoch, no validation'})${leak}: ${JSON.stringify(summary.test)}` : 'test: absent (no non-empty test split; nothing was measured on test)',
        `run: ${runDir}`,
      ].join('\n'),
    );
  });
}

function readFalseNegativeOption(opts: Record<string, unknown>): FalseNegativeInput | undefined {
  const use = opts.fnUse as FnUse;
  const weight = opts.fnWeight as number;
  if (opts.fn && opts.fnPairs) throw new DtlError('INVALID_ARGUMENT', 'give --fn or --fn-pairs, not both');
  if (opts.fn) {
    const set = readFalseNegativeSet(String(opts.fn));
    return { pairs: set.pairs, use, weight, label: String(opts.fn) };
  }
  if (opts.fnPairs) {
    const path = String(opts.fnPairs);
    const runData = loadDataset(String(opts.data)).data;
    const pairs = readPairsFile(path, { itemOffset: opts.fnOffset as number, nUsers: runData.nUsers, nItems: runData.nItems });
    const csr = csrFromPairs(runData.nUsers, runData.nItems, pairs.users, pairs.items).csr;
    return { pairs: csr, use, weight, label: path };
  }
  return undefined;
}

function fmt(x: number | undefined): string {
  return x === undefined ? '-' : x.toFixed(4);
}
