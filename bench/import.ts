/**
 * `dtl data import` speed and memory on a generated interaction log with string ids.
 *
 *   pnpm --silent bench import [--rows 5000000] [--users 200000] [--items 100000] [--seed 1]
 *        [--runs "random,kcore5,temporal,leave-last"] [--dir /tmp/dtl-bench-import]
 *
 * Writes (once; reused when present) a headered CSV `user_id,item_id,rating,timestamp` with ids like
 * `user-3f9c0a1b` / `item-00c2…`, item popularity skewed (u² law), ratings 1–5 and increasing
 * timestamps, under the OS temp dir (never in the repository). Each import runs in a child process
 * (`bench/import.ts --child …`: the real `runImport` of the CLI) so the reported peak RSS
 * (`process.resourceUsage().maxRSS`, DuckDB's native memory included) belongs to the import alone.
 * Prints a markdown table: run, options, wall seconds of the child (Node + tsx start included),
 * import seconds, maxRSS, the counts and the seconds per phase.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@dtl/core';

function arg(args: string[], flag: string, fallback: string): string {
  const k = args.indexOf(flag);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : fallback;
}

function generate(path: string, rows: number, nUsers: number, nItems: number, seed: number): void {
  const rng = createRng(seed);
  const hex = () => rng.uint32().toString(16).padStart(8, '0');
  const users = Array.from({ length: nUsers }, (_, u) => `user-${hex()}${u.toString(36)}`);
  const items = Array.from({ length: nItems }, (_, i) => `item-${hex()}${i.toString(36)}`);
  const fd = openSync(path + '.part', 'w');
  writeSync(fd, 'user_id,item_id,rating,timestamp\n');
  let time = 1_500_000_000;
  const batch: string[] = [];
  for (let n = 0; n < rows; n++) {
    const u = rng.int(nUsers);
    const x = rng.next();
    const i = Math.floor(nItems * x * x);
    time += rng.int(3);
    batch.push(`${users[u]},${items[i]},${1 + rng.int(5)},${time}\n`);
    if (batch.length === 65536) {
      writeSync(fd, batch.join(''));
      batch.length = 0;
    }
  }
  writeSync(fd, batch.join(''));
  closeSync(fd);
  spawnSync('mv', [path + '.part', path]);
}

const RUNS: Record<string, string[]> = {
  random: ['--split', 'random'],
  kcore5: ['--rating', 'rating', '--min-rating', '3', '--kcore', '5', '--split', 'random'],
  temporal: ['--time', 'timestamp', '--split', 'temporal'],
  'leave-last': ['--time', 'timestamp', '--split', 'leave-last'],
};

/** Child mode: one import, then one JSON line with the summary and the process's peak RSS. */
async function child(args: string[]): Promise<void> {
  const { runImport } = await import('../apps/dtl/src/import/run-import.ts');
  const get = (f: string) => arg(args, f, '');
  const summary = await runImport({
    input: get('--input'),
    user: 'user_id',
    item: 'item_id',
    rating: get('--rating') || undefined,
    minRating: get('--min-rating') ? Number(get('--min-rating')) : undefined,
    time: get('--time') || undefined,
    kcore: Number(get('--kcore') || 0),
    split: (get('--split') || 'random') as 'random',
    out: get('--out'),
  });
  process.stdout.write(JSON.stringify({ summary, maxRSS: process.resourceUsage().maxRSS }) + '\n');
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args.slice(1));
  const rows = Number(arg(args, '--rows', '5000000'));
  const nUsers = Number(arg(args, '--users', '200000'));
  const nItems = Number(arg(args, '--items', '100000'));
  const seed = Number(arg(args, '--seed', '1'));
  const runs = arg(args, '--runs', 'random,kcore5,temporal,leave-last').split(',');
  const dir = arg(args, '--dir', join(tmpdir(), 'dtl-bench-import'));
  mkdirSync(dir, { recursive: true });
  const input = join(dir, `log-${rows}-${nUsers}-${nItems}-${seed}.csv`);
  if (!existsSync(input)) {
    const t0 = performance.now();
    generate(input, rows, nUsers, nItems, seed);
    process.stderr.write(`generated ${input} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const mib = statSync(input).size / 2 ** 20;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const table = [
    `input: ${rows.toLocaleString('en-US')} rows, ${nUsers.toLocaleString('en-US')} users × ${nItems.toLocaleString('en-US')} items (string ids), ${mib.toFixed(0)} MiB CSV`,
    '',
    '| run | options | wall s | import s | maxRSS MiB | duplicates | users | items | train / valid / test | phases (s) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const name of runs) {
    const opts = RUNS[name];
    if (!opts) throw new Error(`bench import: unknown run ${name}; one of ${Object.keys(RUNS).join(', ')}`);
    const out = join(dir, `out-${name}`);
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const res = spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'bench/run.ts', 'import', '--child', '--input', input, '--out', out, ...opts], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const wall = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`bench import ${name} failed:\n${res.stderr}`);
    const { summary: s, maxRSS } = JSON.parse(res.stdout.trim().split('\n').pop()!) as {
      summary: { seconds: number; timings?: Record<string, number>; duplicates: number; users: number; items: number; interactions: { train: number; valid: number; test: number } };
      maxRSS: number;
    };
    const n = (x: number) => x.toLocaleString('en-US');
    table.push(
      `| ${name} | \`${opts.join(' ')}\` | ${wall.toFixed(1)} | ${s.seconds.toFixed(1)} | ${(maxRSS / 1024).toFixed(0)} | ${n(s.duplicates)} | ${n(s.users)} | ${n(s.items)} | ${n(s.interactions.train)} / ${n(s.interactions.valid)} / ${n(s.interactions.test)} | ${Object.entries(s.timings ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} |`,
    );
  }
  process.stdout.write(table.join('\n') + '\n');
}
