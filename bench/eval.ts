/**
 * Full-ranking evaluation speed on real splits with random (seeded) embeddings.
 *
 *   pnpm --silent bench eval --data /work/shared/data/amazon-sports-dtlns [--data DIR …]
 *        [--workers 1,2] [--dim 64] [--split test] [--backend auto|wasm|js] [--cli]
 *
 * Prints a markdown table: dataset, users, items, workers, backend, eval seconds (evaluateRanking:
 * rank = scoring + masked top-50, metrics), and dataset load seconds. `--cli` also writes the
 * embeddings as text files under the OS temp dir and times the whole `dtl eval --json` command.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@dtl/core';
import type { DenseMatrix } from '@dtl/core';
import { loadDataset, writeMatrixText } from '@dtl/data';
import { evaluateRanking } from '@dtl/eval';
import { createWorkerPool, type TopKBackend } from '@dtl/kernels';

function randomMatrix(rows: number, dim: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = 0.1 * rng.normal();
  return { rows, dim, data };
}

function argList(args: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === flag && args[i + 1] !== undefined) out.push(args[++i]!);
  return out;
}

export async function main(args: string[]): Promise<void> {
  const dirs = argList(args, '--data');
  if (dirs.length === 0) throw new Error('bench eval: give --data DIR (one or more)');
  const workersList = (argList(args, '--workers')[0] ?? '1,2').split(',').map(Number);
  const dim = Number(argList(args, '--dim')[0] ?? 64);
  const split = (argList(args, '--split')[0] ?? 'test') as 'test' | 'valid';
  const backend = (argList(args, '--backend')[0] ?? 'auto') as TopKBackend;
  const cli = args.includes('--cli');
  const root = fileURLToPath(new URL('..', import.meta.url));

  const rows: string[][] = [];
  const cliRows: string[][] = [];
  for (const dir of dirs) {
    const t0 = performance.now();
    const { data } = loadDataset(dir);
    const load = (performance.now() - t0) / 1000;
    const relevant = split === 'valid' ? data.valid : data.test;
    if (!relevant) throw new Error(`${dir}: no ${split} split`);
    const users = randomMatrix(data.nUsers, dim, 1);
    const items = randomMatrix(data.nItems, dim, 2);
    for (const workers of workersList) {
      // Workers are started (and warmed with one tiny task) outside the timed call, as a training
      // loop that evaluates every few epochs would keep its pool.
      const pool = workers > 1 ? createWorkerPool({ size: workers }) : undefined;
      if (pool) await Promise.all(Array.from({ length: workers }, () => pool.run('ping', {})));
      const res = await evaluateRanking({ users, items, mask: data.train, relevant, ks: [5, 10, 20, 30, 50], pool, backend });
      await pool?.close();
      rows.push([
        basename(dir), split, String(res.users), String(data.nItems), String(workers), backend,
        res.timings.total.toFixed(3), res.timings.rank.toFixed(3), res.timings.metrics.toFixed(3), load.toFixed(2),
        res.metrics['recall@20']!.toFixed(4),
      ]);
    }
    if (cli) {
      const out = join(tmpdir(), 'dtl-bench-eval', basename(dir));
      mkdirSync(out, { recursive: true });
      writeMatrixText(join(out, 'user.txt'), users);
      writeMatrixText(join(out, 'item.txt'), items);
      const t = performance.now();
      const run = spawnSync(
        process.execPath,
        ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', 'eval', '--data', dir,
          '--user-emb', join(out, 'user.txt'), '--item-emb', join(out, 'item.txt'), '--split', split, '--json'],
        { cwd: root, encoding: 'utf8' },
      );
      const seconds = (performance.now() - t) / 1000;
      if (run.status !== 0) throw new Error(`dtl eval failed: ${run.stderr}`);
      const last = JSON.parse(run.stdout.trim().split('\n').pop()!) as { users: number; metrics: Record<string, number> };
      cliRows.push([basename(dir), split, String(last.users), seconds.toFixed(2), run.stderr.trim().split('\n').pop() ?? '']);
    }
  }
  const table = (header: string[], body: string[][]) =>
    [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  process.stdout.write(
    table(['dataset', 'split', 'users', 'items', 'workers', 'backend', 'eval s', 'rank s', 'metrics s', 'load s', 'R@20 (random emb)'], rows) + '\n',
  );
  if (cliRows.length > 0) {
    process.stdout.write('\n' + table(['dataset', 'split', 'users', 'whole `dtl eval --json` s', 'its own log line'], cliRows) + '\n');
  }
}
