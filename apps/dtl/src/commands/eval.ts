import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import { loadDataset, readMatrixText } from '@dtl/data';
import { evaluateRanking, DEFAULT_KS, METRIC_NAMES } from '@dtl/eval';
import type { RankingEvaluation } from '@dtl/eval';
import { createOutput } from '../output.ts';
import { positiveIntList, positiveIntOrAuto } from './option-parsers.ts';

/**
 * `auto`: worker threads only when the ranking is big enough to repay starting them. Measured under
 * tsx: starting two workers and warming their kernels costs ~0.3–0.5 s, while amazon-sports test
 * (10.5k users × 8.4k items, 9·10⁷ scores) ranks in ~0.5 s on one thread; gowalla (1.2·10⁹ scores)
 * goes from ~5 s to ~2.5 s on two.
 */
function autoWorkers(users: number, items: number): number {
  return users * items >= 3e8 ? Math.min(2, availableParallelism()) : 1;
}

function pretty(res: RankingEvaluation, ks: readonly number[]): string {
  const header = ['K', ...METRIC_NAMES];
  const rows = ks.map((k) => [String(k), ...METRIC_NAMES.map((m) => res.metrics[`${m}@${k}`]!.toFixed(4))]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  return all.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

interface EvalOptions {
  data: string;
  userEmb: string;
  itemEmb: string;
  split: 'test' | 'valid';
  k: number[];
  workers: number | 'auto';
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('full-ranking evaluation of user/item embeddings (Recall, NDCG, Precision, Hit, MRR @K; train items masked)')
    .requiredOption('--data <dir>', 'dataset folder (train.txt, valid.txt, test.txt)')
    .requiredOption('--user-emb <file>', 'user embeddings: one row per user, whitespace-separated floats')
    .requiredOption('--item-emb <file>', 'item embeddings: one row per item')
    .addOption(new Option('--split <split>', 'held-out split to evaluate').choices(['test', 'valid']).default('test'))
    .option('--k <list>', 'cutoffs, comma-separated', positiveIntList, [...DEFAULT_KS])
    .option('--workers <n>', 'worker threads for ranking (1 = this thread; auto = 2 on large data)', positiveIntOrAuto, 'auto' as const)
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: EvalOptions) => {
      const out = createOutput(opts.json === true);
      const t0 = performance.now();
      const { data } = loadDataset(opts.data);
      const relevant = opts.split === 'valid' ? data.valid : data.test;
      if (!relevant) throw new DtlError('NOT_FOUND', `dataset has no ${opts.split} split`, { location: { file: opts.data } });
      // An empty split has no metrics (never report zeros as results).
      if (relevant.indptr[relevant.nRows] === 0) throw new DtlError('INVALID_DATA', `the ${opts.split} split holds no interactions: nothing to evaluate`, { location: { file: opts.data } });
      const users = readMatrixText(opts.userEmb);
      const items = readMatrixText(opts.itemEmb);
      if (users.rows !== data.nUsers || items.rows !== data.nItems) {
        throw new DtlError(
          'INVALID_ARGUMENT',
          `embeddings are ${users.rows} users × ${items.rows} items but the dataset has ${data.nUsers} × ${data.nItems}`,
          { location: { file: users.rows !== data.nUsers ? opts.userEmb : opts.itemEmb } },
        );
      }
      const t1 = performance.now();
      let evalUsers = 0;
      for (let u = 0; u < relevant.nRows; u++) if (relevant.indptr[u + 1]! > relevant.indptr[u]!) evalUsers++;
      const workers = opts.workers === 'auto' ? autoWorkers(evalUsers, data.nItems) : opts.workers;
      const res = await evaluateRanking({ users, items, mask: data.train, relevant, ks: opts.k, workers });
      out.info(
        `eval ${data.name} ${opts.split}: ${res.users} users × ${data.nItems} items, dim ${users.dim}, ${workers} worker(s); ` +
          `load ${((t1 - t0) / 1000).toFixed(2)} s, rank ${res.timings.rank.toFixed(2)} s, metrics ${res.timings.metrics.toFixed(3)} s`,
      );
      out.result({ users: res.users, metrics: res.metrics }, () => pretty(res, opts.k));
    });
}
