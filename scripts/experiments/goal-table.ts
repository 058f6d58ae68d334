/**
 * Issue 19's goal check for one `dtl experiment` output directory: for every non-baseline cell, its
 * per-seed test Recall@20 / NDCG@20, the relative gain of its mean over the strongest clean baseline of
 * the table (per metric: the baseline cell with the highest mean; a cell may differ per metric), on how
 * many shared seeds it is higher, and whether the goal holds: ≥ +3 % in both metrics and higher on
 * every seed in both. Reads the directory's results.json (written by `dtl experiment`, or by
 * `dtl experiment --report-only` while a grid still runs).
 *
 *   node --conditions=@dtl/source --import tsx scripts/experiments/goal-table.ts runs/exp-phones-mf-fn-aware
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Run {
  seed: number;
  test: Record<string, number>;
}
interface Cell {
  name: string;
  baseline?: boolean;
  leaky?: boolean;
  runs: Run[];
}

const GOAL = 0.03;
const METRICS = ['recall@20', 'ndcg@20'] as const;

const dir = process.argv[2];
if (!dir || !existsSync(join(dir, 'results.json'))) {
  console.error('usage: goal-table.ts <experiment dir with results.json>');
  process.exit(2);
}
const cells = (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { cells: Cell[] }).cells.filter((c) => c.runs.length > 0);
const mean = (c: Cell, m: string) => c.runs.reduce((a, r) => a + r.test[m]!, 0) / c.runs.length;
const bySeed = (c: Cell, m: string) => new Map(c.runs.map((r) => [r.seed, r.test[m]!]));

const baselines = cells.filter((c) => c.baseline && !c.leaky);
if (baselines.length === 0) {
  console.error(`${dir}: no finished baseline cell`);
  process.exit(2);
}
const strongest = Object.fromEntries(METRICS.map((m) => [m, baselines.reduce((a, b) => (mean(b, m) > mean(a, m) ? b : a))])) as Record<(typeof METRICS)[number], Cell>;

const fmt = (x: number) => x.toFixed(4);
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
console.log(`strongest clean baseline: ${METRICS.map((m) => `${strongest[m].name} (${m})`).join(', ')}`);
console.log('');
console.log('| variant | seeds | R@20 per seed | N@20 per seed | gain R@20 | gain N@20 | higher R/N | goal met |');
console.log('|---|---|---|---|---|---|---|---|');
for (const c of cells) {
  const seeds = c.runs.map((r) => r.seed).sort((a, b) => a - b);
  const perSeed = (m: string) => seeds.map((s) => fmt(bySeed(c, m).get(s)!)).join('/');
  if (c.baseline) {
    console.log(`| ${c.name} (baseline) | ${seeds.length} | ${perSeed('recall@20')} | ${perSeed('ndcg@20')} | | | | |`);
    continue;
  }
  const gains = METRICS.map((m) => mean(c, m) / mean(strongest[m], m) - 1);
  const higher = METRICS.map((m) => {
    const base = bySeed(strongest[m], m);
    const shared = seeds.filter((s) => base.has(s));
    return { wins: shared.filter((s) => bySeed(c, m).get(s)! > base.get(s)!).length, of: shared.length };
  });
  const met = gains.every((g) => g >= GOAL) && higher.every((h) => h.of > 0 && h.wins === h.of);
  console.log(`| ${c.name}${c.leaky ? ' **LEAKY**' : ''} | ${seeds.length} | ${perSeed('recall@20')} | ${perSeed('ndcg@20')} | ${pct(gains[0]!)} | ${pct(gains[1]!)} | ${higher.map((h) => `${h.wins}/${h.of}`).join(', ')} | ${c.leaky ? 'n/a (leaky)' : met ? '**yes**' : 'no'} |`);
}
