/**
 * Top-K recommendation speed for every user of a dataset, with random (seeded) embeddings.
 *
 *   pnpm --silent bench recommend --data ../shared/data/gowalla-lightgcn [--k 20] [--dim 64]
 *        [--workers 1,2] [--cli]
 *
 * Prints a markdown table: users, items, workers, seconds of `recommendTopK` over all users with the
 * train mask (the worker pool is started inside the call, as `dtl recommend` does). `--cli` also
 * writes a fake finished run (run.json + embeddings/*.txt) under the OS temp dir and times the whole
 * `dtl recommend --json` command (Node start, dataset load with the run's carve, embeddings parse,
 * ranking, writing the CSV).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@dtl/core';
import type { DenseMatrix } from '@dtl/core';
import { loadDataset, writeMatrixText } from '@dtl/data';
import { recommendTopK } from '@dtl/eval';

function randomMatrix(rows: number, dim: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = 0.1 * rng.normal();
  return { rows, dim, data };
}

function arg(args: string[], flag: string, fallback: string): string {
  const k = args.indexOf(flag);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : fallback;
}

export async function main(args: string[]): Promise<void> {
  const dir = arg(args, '--data', '');
  if (!dir) throw new Error('bench recommend: give --data DIR');
  const k = Number(arg(args, '--k', '20'));
  const dim = Number(arg(args, '--dim', '64'));
  const workersList = arg(args, '--workers', '1,2').split(',').map(Number);
  const { data } = loadDataset(dir);
  const users = randomMatrix(data.nUsers, dim, 1);
  const items = randomMatrix(data.nItems, dim, 2);
  const lines = [`dataset ${basename(dir)}: ${data.nUsers.toLocaleString('en-US')} users × ${data.nItems.toLocaleString('en-US')} items, dim ${dim}, top-${k}, train masked`, ''];
  lines.push('| what | users | workers | seconds |', '|---|---:|---:|---:|');
  for (const workers of workersList) {
    const t0 = performance.now();
    const rec = await recommendTopK({ users, items, mask: data.train, k, workers });
    const s = (performance.now() - t0) / 1000;
    lines.push(`| recommendTopK (pool started in the call) | ${rec.userIds.length.toLocaleString('en-US')} | ${workers} | ${s.toFixed(2)} |`);
  }
  if (args.includes('--cli')) {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = join(tmpdir(), 'dtl-bench-recommend', basename(dir));
    mkdirSync(join(run, 'embeddings'), { recursive: true });
    writeFileSync(join(run, 'run.json'), JSON.stringify({ format: 'dtl-train-run', config: { data: dir, carveValid: 0.1, seed: 2022 } }));
    writeMatrixText(join(run, 'embeddings', 'user.txt'), users);
    writeMatrixText(join(run, 'embeddings', 'item.txt'), items);
    const out = join(run, 'recommendations.csv');
    const t0 = performance.now();
    const res = spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', 'recommend', '--run', run, '--k', String(k), '--out', out, '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const wall = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`dtl recommend failed:\n${res.stderr}`);
    const summary = JSON.parse(res.stdout.trim().split('\n').pop()!) as { rows: number; seconds: { load: number; rank: number; write: number } };
    const mib = statSync(out).size / 2 ** 20;
    lines.push(
      `| \`dtl recommend\` CLI, whole command (load ${summary.seconds.load.toFixed(2)} s, rank ${summary.seconds.rank.toFixed(2)} s, write ${summary.seconds.write.toFixed(2)} s; ${summary.rows.toLocaleString('en-US')} rows, ${mib.toFixed(0)} MiB) | ${data.nUsers.toLocaleString('en-US')} | auto | ${wall.toFixed(2)} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}
